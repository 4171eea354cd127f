"""`python -m bench.token_exchange`: exchange req/s vs a trivial JSON endpoint, same server, same run.

Both phases use the same load generator (aiohttp, 32 connections, closed loop) against the same
sidecar process: first GET /health/live (the baseline: routing, middleware, JSON), then
POST /v1/auth/token with Auth0-shaped tokens of 200 users (RS256 verification, the profile, ES256
minting). Users are registered in a warm-up, so the measured exchanges are the steady state: a
returning user, whose profile the sidecar's cache holds (sidecar/auth/profile_cache.py). Prints req/s
of each, the ratio (goal >= 0.4), the exchange's p99, and the sidecar's CPU time per request of each
(its inverse ratio is what req/s would be if the sidecar alone were the bottleneck; req/s also depends
on PostgreSQL and on other load on the machine).

A second sidecar, with the cache off (PROFILE_CACHE_SIZE=0), measures the same against its own
baseline: every exchange then makes its round trip to PostgreSQL, as a first exchange or one bringing
new profile facts does. That ratio has no goal; it is printed so the cache's share is visible.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bench.report import Figure, emit
from bench.sidecar_stack import running_stack

CONNECTIONS = 32
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
USERS = 200
EXCHANGE = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
}
Request = Callable[[aiohttp.ClientSession], "asyncio.Future[int]"]


async def load(make_request: Callable[[aiohttp.ClientSession], object], seconds: float) -> tuple[float, list[float]]:
    """Closed loop: CONNECTIONS workers each send the next request when the last one answered."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                status = await make_request(session)  # type: ignore[misc]
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{errors} requests failed")
    return len(latencies) / elapsed, latencies


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000


@dataclass(frozen=True)
class Measurement:
    baseline_rps: float
    exchange_rps: float
    latencies: list[float]
    cpu_per_live_us: float | None
    cpu_per_exchange_us: float | None

    @property
    def ratio(self) -> float:
        return self.exchange_rps / self.baseline_rps


async def measure(*, profile_cache: bool) -> Measurement:
    async with running_stack(PROFILE_CACHE_SIZE="10000" if profile_cache else "0") as stack:
        tokens = [
            stack.idp.tokens_for(stack.idp.dev_user(f"user{i}"), scope="openid")["access_token"] for i in range(USERS)
        ]
        cycle = itertools.cycle(tokens)
        live_url, token_url = stack.sidecar_url + "/health/live", stack.sidecar_url + "/v1/auth/token"

        async def live(session: aiohttp.ClientSession) -> int:
            async with session.get(live_url) as response:
                await response.read()
                return response.status

        async def exchange(session: aiohttp.ClientSession) -> int:
            async with session.post(token_url, data={**EXCHANGE, "subject_token": next(cycle)}) as response:
                await response.read()
                return response.status

        await load(exchange, 2.0)  # warm-up: registers the users, fills the JWKS cache and the pool
        await load(live, 1.0)
        cpu_0 = stack.cpu_seconds()
        baseline_rps, baseline_latencies = await load(live, SECONDS)
        cpu_1 = stack.cpu_seconds()
        exchange_rps, latencies = await load(exchange, SECONDS)
        cpu_2 = stack.cpu_seconds()
    per_live = per_exchange = None
    if cpu_0 is not None and cpu_1 is not None and cpu_2 is not None:
        # CPU per request of the sidecar process: steadier than req/s on a machine shared with other work.
        per_live = (cpu_1 - cpu_0) / len(baseline_latencies) * 1e6
        per_exchange = (cpu_2 - cpu_1) / len(latencies) * 1e6
    return Measurement(baseline_rps, exchange_rps, latencies, per_live, per_exchange)


def figures(name: str, m: Measurement, *, goal: bool) -> list[Figure]:
    found = [
        Figure(
            "token_exchange",
            f"{name} throughput",
            m.exchange_rps,
            "req/s",
            baseline=m.baseline_rps,
            goal="ratio >= 0.4" if goal else "",
            met=m.ratio >= 0.4 if goal else None,
        ),
        Figure("token_exchange", f"{name} p99 latency", p99(m.latencies), "ms"),
        Figure("token_exchange", f"{name} median latency", statistics.median(m.latencies) * 1000, "ms"),
    ]
    if m.cpu_per_exchange_us is not None:
        found.append(
            Figure("token_exchange", f"{name} sidecar CPU", m.cpu_per_exchange_us, "us", baseline=m.cpu_per_live_us)
        )
    return found


async def main() -> None:
    cached = await measure(profile_cache=True)
    uncached = await measure(profile_cache=False)
    emit(
        f"token exchange vs GET /health/live, {CONNECTIONS} connections, {SECONDS:g} s each "
        "(returning users; then with the profile cache off)",
        figures("exchange", cached, goal=True) + figures("exchange, cache off", uncached, goal=False),
    )


if __name__ == "__main__":
    asyncio.run(main())
