"""`python -m bench.role_matching`: top-1/top-5 accuracy and latency of the fused ranking (the
fine-tuned encoder's vectors with api.search_job_roles, core/search/semantic.py) and of
api.search_job_roles alone, on job titles the catalogue has never seen, against a TF-IDF
nearest-neighbour baseline in the same run.

The encoder measured is bench/role_matching/model: trained by `make train-matcher TRAIN_WITHHOLD=test`,
so it has never seen a test title either (the shipped model, models/role_encoder, trained on all).

It builds a scratch database with the real migrator, seeds the catalogue WITHOUT the measured
alternate titles (see split.py), and asks api.search_job_roles for each of them as a signed-in
user. A hit is any code listed for that title. Options: --split dev (tuning) or test (reported),
--csv FILE to bring other (code, title) pairs. Only the titles measured are left out of the seed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.database import create_migrated_database, drop_database, scratch_name
from bench.report import Figure, emit
from bench.role_matching.baseline import TfidfNearestNeighbour
from bench.role_matching.split import read_queries, write_split
from core.catalogue.seed import ALTERNATE_TITLES, OCCUPATIONS, load_catalogue, read_csv
from core.db.connect import connect, connect_as_owner, with_database
from core.db.migrator import PROJECT_ROOT
from core.search.encoder import TitleEncoder
from core.search.semantic import CANDIDATES, TitleIndex, fuse
from core.settings import DatabaseSettings

GOALS = {"top1": 0.60, "top5": 0.85, "p95": 20.0, "fused_p95": 25.0}
BENCH_MODEL = Path(__file__).resolve().parent / "model"
Lexical = dict[str, tuple[float, str | None]]
DATABASE = scratch_name("role_matching")


async def build_database(url: str, excluded: set[str]) -> uuid.UUID:
    """The scratch catalogue, and the profile whose searches are measured (the search is for signed-in users)."""
    conn = await connect_as_owner(await create_migrated_database(url, DATABASE))
    try:
        async with conn.transaction():
            await load_catalogue(conn, PROJECT_ROOT, print, keep=lambda _code, title: title not in excluded)
            searcher: uuid.UUID = await conn.fetchval(
                "insert into app.profiles (auth0_subject) values ('bench|role_matching') returning profile_id"
            )
        return searcher
    finally:
        await conn.close()


async def run_search(url: str, searcher: uuid.UUID, gold: dict[str, set[str]]) -> tuple[list[Lexical], list[float]]:
    conn = await connect(with_database(url, DATABASE))
    try:
        await conn.execute("set role authenticated")
        claims = json.dumps({"sub": str(searcher), "role": "authenticated"})
        await conn.execute("select set_config('request.jwt.claims', $1, false)", claims)
        # The fused ranking's lexical side takes the top CANDIDATES; the first 5 are the lexical answer.
        statement = await conn.prepare(
            f"select onet_code, score, matched_title from api.search_job_roles($1, null, {CANDIDATES})"
        )
        results: list[Lexical] = []
        latencies = []
        for title in gold:
            started = time.perf_counter()
            rows = await statement.fetch(title)
            latencies.append((time.perf_counter() - started) * 1000)
            results.append({row["onet_code"]: (float(row["score"]), row["matched_title"]) for row in rows})
        return results, latencies
    finally:
        await conn.close()


def run_fused(
    encoder: TitleEncoder, index: TitleIndex, gold: dict[str, set[str]], lexical: list[Lexical]
) -> tuple[list[list[str]], list[float]]:
    """The fused top 5 per title, and the time the semantic side adds (encoding and similarities)."""
    results, latencies = [], []
    for title, candidates in zip(gold, lexical, strict=True):
        started = time.perf_counter()
        [vector] = encoder.encode([title])
        matches = fuse(index.similarities(vector), candidates, 5)
        latencies.append((time.perf_counter() - started) * 1000)
        results.append([m.key for m in matches])
    return results, latencies


def accuracy(gold: dict[str, set[str]], results: list[list[str]]) -> tuple[float, float]:
    top1 = sum(bool(found) and found[0] in codes for codes, found in zip(gold.values(), results, strict=True))
    top5 = sum(bool(codes & set(found[:5])) for codes, found in zip(gold.values(), results, strict=True))
    return top1 / len(gold), top5 / len(gold)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.role_matching", description=__doc__)
    parser.add_argument("--split", choices=["test", "dev"], default="test")
    parser.add_argument("--csv", type=Path, help="(code, title) pairs to evaluate instead of the split")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        queries = args.csv or Path(scratch) / f"{args.split}.csv"
        if args.csv is None:
            write_split(PROJECT_ROOT / ALTERNATE_TITLES, args.split, queries)
        gold = read_queries(queries)
    # Only the measured titles are withheld: seeding the other split too would measure a catalogue
    # smaller than the one users search.
    excluded = set(gold)
    url = DatabaseSettings.from_env().url
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    print(f"machine load per CPU at start: {load:.2f} (latency is wall time; above ~1 the figures are inflated)")
    print(f"role matching: {len(gold)} unseen titles ({args.csv or args.split + ' split'}), seeding without them")
    searcher = asyncio.run(build_database(url, excluded))
    try:
        lexical, latencies = asyncio.run(run_search(url, searcher, gold))
    finally:
        asyncio.run(drop_database(url, DATABASE))
    results = [list(found)[:5] for found in lexical]
    seeded = [(r["code"], r["title"]) for r in read_csv(PROJECT_ROOT / OCCUPATIONS)] + [
        (r["code"], r["alternate_title"])
        for r in read_csv(PROJECT_ROOT / ALTERNATE_TITLES)
        if r["alternate_title"] not in excluded
    ]
    baseline = TfidfNearestNeighbour(seeded)
    base_results, base_latencies = [], []
    for title in gold:
        started = time.perf_counter()
        base_results.append(baseline.search(title))
        base_latencies.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    encoder = TitleEncoder.load(BENCH_MODEL)
    index = TitleIndex([code for code, _ in seeded], [t for _, t in seeded], encoder.encode([t for _, t in seeded]))
    print(f"encoded {len(index)} seeded titles in {time.perf_counter() - started:.1f} s (model {encoder.version})")
    fused, semantic_ms = run_fused(encoder, index, gold, lexical)
    fused_ms = [a + b for a, b in zip(latencies, semantic_ms, strict=True)]  # one after the other: an upper bound
    top1, top5 = accuracy(gold, results)
    fused1, fused5 = accuracy(gold, fused)
    base1, base5 = accuracy(gold, base_results)
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    name = f"role_matching ({args.split if args.csv is None else 'csv'})"
    emit(
        f"{name}: fused ranking vs TF-IDF nearest neighbour (baseline), {len(gold)} unseen titles",
        [
            Figure(name, "fused top-1", fused1 * 100, "%", base1 * 100, ">= 60 %", fused1 >= GOALS["top1"]),
            Figure(name, "fused top-5", fused5 * 100, "%", base5 * 100, ">= 85 %", fused5 >= GOALS["top5"]),
            Figure(name, "fused p50 (baseline: sql alone)", percentile(fused_ms, 50), "ms", p50),
            Figure(
                name,
                "fused p95 (baseline: sql alone)",
                percentile(fused_ms, 95),
                "ms",
                p95,
                "<= 25 ms",
                percentile(fused_ms, 95) <= GOALS["fused_p95"],
            ),
        ],
    )
    emit(
        f"{name}: api.search_job_roles vs TF-IDF nearest neighbour (baseline), {len(gold)} unseen titles",
        [
            Figure(name, "top-1 accuracy", top1 * 100, "%", base1 * 100, ">= 60 %", top1 >= GOALS["top1"]),
            Figure(name, "top-5 accuracy", top5 * 100, "%", base5 * 100, ">= 85 %", top5 >= GOALS["top5"]),
            Figure(name, "latency p50", p50, "ms", percentile(base_latencies, 50)),
            Figure(name, "latency p95", p95, "ms", percentile(base_latencies, 95), "<= 20 ms", p95 <= GOALS["p95"]),
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
