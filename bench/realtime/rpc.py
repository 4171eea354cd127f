"""A part of `python -m bench.realtime`: the Data API's RPC requests/s through the local API's HTTP path,
against the same transactions run directly on asyncpg, in the same run.

The local API (`fluentpro local-api`, as `fluentpro dev` starts it) runs in its own process on the
stack's database, verifying the stack's tokens. The load generator (this process) drives both paths
with the same closed loop: RPC_WORKERS workers, each a learner of its own (so no two calls wait on one
learner's onboarding lock), each sending its next call when the last answered. The asyncpg path runs,
per call, the transaction the local API runs for it (BEGIN, the set_config preamble, the call statement,
COMMIT), built by the local API's own statement builders, on RPC_WORKERS connections logged in as
`authenticator`; so the ratio is what the HTTP layer, the gateway's key check, token verification and
the JSON round trip cost. Paths alternate in batches (ROUNDS of RPC_BATCH_SECONDS each), so drift on a
shared machine hits both alike. Two calls: a read (api.onboarding_state, stable: a read-only
transaction) and a write (api.set_industry, which also logs the step and broadcasts the new state
through realtime.send). No goal: the ratio is printed so a change in the HTTP path shows.
Options (environment): BENCH_RPC_WORKERS (default 8), BENCH_RPC_BATCH_SECONDS (default 2); BENCH_ROUNDS.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO

import aiohttp
import asyncpg
import httpx

from bench.database import free_port
from bench.realtime.rpc_load import AsyncpgPath, HttpPath, Rpc, closed_loop
from bench.realtime.stack import Stack
from bench.report import Figure
from core.anon_key import anon_key
from localapi.rest.emulator import PostgrestEmulator

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WORKERS = int(os.environ.get("BENCH_RPC_WORKERS", "8"))
BATCH_SECONDS = float(os.environ.get("BENCH_RPC_BATCH_SECONDS", "2"))
INDUSTRIES = ("banking_finance", "technology")  # alternated, so every write changes the row
CALLS = (
    Rpc("onboarding_state", lambda _n: {}),
    Rpc("set_industry", lambda n: {"industry": INDUSTRIES[n % 2]}),
)
NAME = "realtime"


@asynccontextmanager
async def local_api(stack: Stack) -> AsyncIterator[str]:
    """`fluentpro local-api` on the stack's database and keys; its base URL once it answers."""
    settings = stack.keys.settings
    port = free_port()
    env = {
        **os.environ,
        "FLUENTPRO_ENV": "development",  # as `fluentpro dev` runs it
        "DATABASE_URL": stack.database_url,
        "LOCAL_API_PORT": str(port),
        "SUPABASE_JWT_SECRET": settings.secret or "",
        "SUPABASE_JWT_ISSUER": settings.issuer,
    }
    env.pop("SUPABASE_JWT_PRIVATE_KEY", None)
    url = f"http://127.0.0.1:{port}"
    # Its log (a line per request) goes to a file, shown only if it fails to start.
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "fluentpro.cli", "local-api", env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            await wait_until_up(url, process, log)
            yield url
        finally:
            if process.returncode is None:
                process.terminate()
                await asyncio.wait_for(process.wait(), 30)


async def wait_until_up(url: str, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
    """Until the local API answers (any PostgREST answer: the bench sends no key here)."""
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.returncode is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")[-4000:]
                raise RuntimeError(f"the local API exited with {process.returncode} before answering:\n{output}")
            try:
                await client.get(f"{url}/rest/v1/industries")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"the local API did not answer at {url}")


async def measure_rpc(stack: Stack) -> list[Figure]:
    learners = stack.learners[:WORKERS]
    tokens = [
        stack.keys.mint(profile_id=learner, auth0_subject=f"auth0|bench-{learner}", roles=["learner"]).token
        for learner in learners
    ]
    api = await PostgrestEmulator(stack.database_url, pool_max=1).start()  # its schema cache and builders
    connections = [await asyncpg.connect(stack.database_url, user="authenticator") for _ in learners]
    try:
        async with (
            local_api(stack) as api_url,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(learners))) as session,
        ):
            http = HttpPath(session, api_url, anon_key(stack.keys.settings), tokens)
            direct = AsyncpgPath(api, connections, learners)
            figures = []
            for rpc in CALLS:
                done = {"http": 0, "asyncpg": 0}
                seconds = {"http": 0.0, "asyncpg": 0.0}
                for _ in range(ROUNDS):
                    for label, path in (("asyncpg", direct), ("http", http)):
                        calls, took = await closed_loop(path.caller(rpc), len(learners), BATCH_SECONDS)
                        done[label] += calls
                        seconds[label] += took
                figures.append(
                    Figure(
                        NAME,
                        f"Data API api.{rpc.name} req/s over HTTP, {len(learners)} workers "
                        "(baseline: the same transactions on asyncpg)",
                        done["http"] / seconds["http"],
                        "req/s",
                        done["asyncpg"] / seconds["asyncpg"],
                    )
                )
            return figures
    finally:
        for conn in connections:
            await conn.close()
        await api.close()
