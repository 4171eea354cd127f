"""`python -m bench.job_role_search`: the sidecar's POST /v1/job-roles/search end to end, with the
job-title encoder (the fused ranking) against the same sidecar with it off (lexical), same run.

One seeded scratch database (the whole catalogue), two sidecar processes served as in production:
- with JOB_ROLE_ENCODER=off: the baseline of every figure;
- with the shipped encoder: started first over a catalogue that has no vectors yet (it encodes and
  stores them all), then restarted, as every later start is, reading them back.

Figures: time from spawning the process to /health/live and to its first fused answer; resident
memory after the run; latency p50 and p95 of sequential searches over one keep-alive connection, for
the test split's titles (unseen by the catalogue, so nothing is an exact match), the two sidecars
asked in turn so that both see the same machine. Accuracy is bench/role_matching's part.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.report import Figure, emit
from bench.role_matching.split import read_queries, write_split
from bench.sidecar_stack import Sidecar, running_database, running_idp, running_sidecar
from core.catalogue.seed import ALTERNATE_TITLES
from core.db.migrator import PROJECT_ROOT
from sidecar.devidp.core import IdentityProvider

NAME = "job_role_search"
QUERIES = int(os.environ.get("BENCH_QUERIES", "1000"))
GOAL_P95_MS = 25.0
EXCHANGE = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
}


def queries() -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "test.csv"
        write_split(PROJECT_ROOT / ALTERNATE_TITLES, "test", path)
        return sorted(read_queries(path))[:QUERIES]


async def sign_in(client: httpx.AsyncClient, sidecar: Sidecar, idp: IdentityProvider) -> dict[str, str]:
    subject = idp.tokens_for(idp.dev_user("searcher"), scope="openid")["access_token"]
    response = await client.post(sidecar.url + "/v1/auth/token", data={**EXCHANGE, "subject_token": subject})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def search(client: httpx.AsyncClient, sidecar: Sidecar, headers: dict[str, str], title: str) -> str:
    response = await client.post(sidecar.url + "/v1/job-roles/search", json={"title": title}, headers=headers)
    response.raise_for_status()
    return str(response.json()["engine"])


async def first_fused_answer(client: httpx.AsyncClient, sidecar: Sidecar, headers: dict[str, str]) -> float:
    """Seconds from the sidecar's spawn to its first fused answer (the index built)."""
    waited = time.perf_counter()
    while await search(client, sidecar, headers, "nurse") != "fused":
        if time.perf_counter() - waited > 600:
            raise RuntimeError("the semantic index was not built within 10 minutes")
        await asyncio.sleep(0.1)
    return sidecar.started_in + time.perf_counter() - waited


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def latencies(
    client: httpx.AsyncClient, sidecars: list[tuple[Sidecar, dict[str, str]]], titles: list[str]
) -> list[list[float]]:
    """Milliseconds per search of each title on each sidecar, in turn (warm-up first, not counted)."""
    for title in titles[:50]:
        for sidecar, headers in sidecars:
            await search(client, sidecar, headers, title)
    measured: list[list[float]] = [[] for _ in sidecars]
    for title in titles:
        for times, (sidecar, headers) in zip(measured, sidecars, strict=True):
            started = time.perf_counter()
            await search(client, sidecar, headers, title)
            times.append((time.perf_counter() - started) * 1000)
    return measured


async def main() -> None:
    titles = queries()
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    print(f"machine load per CPU at start: {load:.2f} (latency is wall time; above ~1 the figures are inflated)")
    async with (
        running_database(NAME) as database,
        running_idp() as (idp, idp_url),
        httpx.AsyncClient(timeout=30) as client,
        running_sidecar(database, idp_url, JOB_ROLE_ENCODER="off") as lexical,
    ):
        lexical_headers = await sign_in(client, lexical, idp)
        async with running_sidecar(database, idp_url, JOB_ROLE_ENCODER="") as first:
            first_headers = await sign_in(client, first, idp)
            first_ready = await first_fused_answer(client, first, first_headers)
        print(f"first start (every title encoded and stored): fused answers after {first_ready:.1f} s")
        async with running_sidecar(database, idp_url, JOB_ROLE_ENCODER="") as fused:
            fused_headers = await sign_in(client, fused, idp)
            fused_ready = await first_fused_answer(client, fused, fused_headers)
            fused_ms, lexical_ms = await latencies(client, [(fused, fused_headers), (lexical, lexical_headers)], titles)
            memory = fused.resident_mib(), lexical.resident_mib()
    p95 = percentile(fused_ms, 95)
    figures = [
        Figure(NAME, "search p50 (baseline: encoder off)", percentile(fused_ms, 50), "ms", percentile(lexical_ms, 50)),
        Figure(
            NAME,
            "search p95 (baseline: encoder off)",
            p95,
            "ms",
            percentile(lexical_ms, 95),
            f"<= {GOAL_P95_MS:g} ms",
            p95 <= GOAL_P95_MS,
        ),
        Figure(NAME, "start to /health/live (baseline: encoder off)", fused.started_in, "s", lexical.started_in),
        Figure(NAME, "start to first fused answer, vectors stored", fused_ready, "s", lexical.started_in),
        Figure(NAME, "first start to fused answer, encoding every title", first_ready, "s", lexical.started_in),
    ]
    if memory[0] is not None and memory[1] is not None:
        figures.append(Figure(NAME, "resident memory (baseline: encoder off)", memory[0], "MiB", memory[1]))
    emit(f"job-role search through the sidecar, fused vs lexical, {len(titles)} unseen titles each", figures)


if __name__ == "__main__":
    asyncio.run(main())
