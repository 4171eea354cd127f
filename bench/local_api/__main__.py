"""`python -m bench.local_api`: RPC requests/s through the local API's HTTP path, against the same
transactions run directly on asyncpg, in the same run.

The local API runs in its own process, as `fluentpro dev` starts it; the load generator (this process)
drives both paths with the same closed loop: WORKERS workers, each a bench learner of its own (so no
two calls wait on one learner's onboarding lock), each sending its next call when the last answered.
The asyncpg path runs, per call, the transaction the local API runs for it (BEGIN, the set_config
preamble, the call statement, COMMIT), built by the local API's own statement builders, on WORKERS
connections logged in as `authenticator`; so the ratio is what the HTTP layer, the token verification
and the JSON round trip cost. Paths alternate in short batches (ROUNDS of BATCH_SECONDS each), so
drift on a shared machine hits both alike. Two calls: a read (api.onboarding_state, stable, a
read-only transaction) and a write (api.set_industry, which also logs the step and broadcasts the
state through realtime.send). No goal: the figure is printed so a change in the HTTP path shows.
Options (environment): BENCH_ROUNDS (default 5), BENCH_BATCH_SECONDS (default 2), BENCH_WORKERS (default 8).
"""

from __future__ import annotations

import asyncio
import os

import aiohttp
import asyncpg

from bench.local_api.load import AsyncpgPath, HttpPath, Rpc, closed_loop
from bench.local_api.stack import Stack, running_stack
from bench.report import Figure, emit
from localapi.rest.emulator import PostgrestEmulator

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BATCH_SECONDS = float(os.environ.get("BENCH_BATCH_SECONDS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
INDUSTRIES = ("banking_finance", "technology")  # alternated, so every write changes the row
CALLS = (
    Rpc("onboarding_state", lambda _n: {}),
    Rpc("set_industry", lambda n: {"industry": INDUSTRIES[n % 2]}),
)


async def measure(stack: Stack) -> list[Figure]:
    api = await PostgrestEmulator(stack.database_url, pool_max=1).start()  # its schema cache and builders
    connections = [await asyncpg.connect(stack.database_url, user="authenticator") for _ in range(WORKERS)]
    connector = aiohttp.TCPConnector(limit=WORKERS)
    try:
        async with aiohttp.ClientSession(connector=connector) as session:
            http = HttpPath(session, stack.api_url, stack.anon_key, stack.tokens[:WORKERS])
            direct = AsyncpgPath(api, connections, stack.learners[:WORKERS])
            figures = []
            for rpc in CALLS:
                totals = {"http": [0, 0.0], "asyncpg": [0, 0.0]}
                for _ in range(ROUNDS):
                    for label, path in (("asyncpg", direct), ("http", http)):
                        done, seconds = await closed_loop(path.caller(rpc), WORKERS, BATCH_SECONDS)
                        totals[label][0] += done
                        totals[label][1] += seconds
                http_rps = totals["http"][0] / totals["http"][1]
                direct_rps = totals["asyncpg"][0] / totals["asyncpg"][1]
                figures.append(
                    Figure(
                        bench="local_api",
                        name=f"api.{rpc.name} req/s over HTTP (baseline: same transactions on asyncpg)",
                        value=http_rps,
                        unit="req/s",
                        baseline=direct_rps,
                    )
                )
            return figures
    finally:
        for conn in connections:
            await conn.close()
        await api.close()


async def main() -> None:
    async with running_stack(learners=WORKERS) as stack:
        figures = await measure(stack)
    emit(f"local API RPC throughput ({WORKERS} workers, {ROUNDS} x {BATCH_SECONDS:g} s per path and call)", figures)


if __name__ == "__main__":
    asyncio.run(main())
