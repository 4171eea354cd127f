"""`python -m bench.onboarding`: what the PostgREST path and RLS cost an onboarding, and whether one
step slows down as learners pile up. Baselines are measured in the same run, interleaved with the
measurement in short alternating batches, so drift on a shared machine hits both alike.

1. Journey throughput: a learner's whole onboarding (8 requests) through the emulated PostgREST path,
   against the same api calls as the owner with no role switch (so no RLS); goal: ratio >= 0.8.
2. Step latency: api.set_industry through the PostgREST path in a database of 1,000,000 learners
   against one of 10,000; goal: p50 ratio <= 1.2.
Options: --rounds N (journey rounds of 10 journeys a path, default 10), --large N (default 1,000,000),
--calls N (step calls per database, default 600).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from bench.onboarding import journey, scale
from bench.report import Figure, emit
from core.db.connect import assume_owner, connect, with_database
from core.db.migrator import Migrator
from core.settings import DatabaseSettings
from localapi.rest.emulator import PostgrestEmulator

SMALL = 10_000
JOURNEYS_PER_BATCH = 10
CALLS_PER_BATCH = 25


@dataclass
class Database:
    superuser: asyncpg.Connection  # bulk generation only
    owner: asyncpg.Connection
    api: PostgrestEmulator


@asynccontextmanager
async def scratch_databases(url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two migrated databases: one built by the migrator, the other copied from it as a template
    (migrating twice would double the run time)."""
    names = [f"fp_bench_onboarding_{label}_{os.getpid()}" for label in ("small", "large")]
    admin = await connect(with_database(url, "postgres"))
    opened: list[asyncpg.Connection] = []
    apis: list[PostgrestEmulator] = []
    try:
        for name in names:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{names[0]}"')
        conn = await connect(with_database(url, names[0]))
        await Migrator(conn, log=lambda _line: None).migrate()
        await conn.close()
        await admin.execute(f'create database "{names[1]}" template "{names[0]}"')
        databases: list[Database] = []
        for name in names:
            superuser = await connect(with_database(url, name))
            owner = await connect(with_database(url, name))
            opened += [superuser, owner]
            await assume_owner(owner)
            apis.append(await PostgrestEmulator(with_database(url, name)).start())
            databases.append(Database(superuser, owner, apis[-1]))
        yield databases[0], databases[1]
    finally:
        for api in apis:
            await api.close()
        for conn in opened:
            await conn.close()
        for name in names:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()


async def measure_journeys(db: Database, rounds: int) -> list[Figure]:
    role_id: uuid.UUID = await db.owner.fetchval(
        "insert into app.job_roles (onet_code, title, description, source, status) "
        "values ('99-9999.00', 'Bench Analyst', 'Analyses benches.', 'onet', 'active') returning job_role_id"
    )
    rows = await db.owner.fetch(
        "insert into app.profiles (auth0_subject) select 'journey|' || g from generate_series(1, $1) as g "
        "returning profile_id",
        4 + rounds * JOURNEYS_PER_BATCH * 2,
    )
    fresh: list[uuid.UUID] = [r["profile_id"] for r in rows]
    await journey.through_postgrest(db.api, fresh[:2], role_id)  # warm both paths' plan caches
    await journey.as_owner(db.owner, fresh[2:4], role_id)
    api_seconds = owner_seconds = 0.0
    for i in range(rounds):
        start = 4 + i * 2 * JOURNEYS_PER_BATCH
        ours = fresh[start : start + JOURNEYS_PER_BATCH]
        theirs = fresh[start + JOURNEYS_PER_BATCH : start + 2 * JOURNEYS_PER_BATCH]
        if i % 2:  # alternate which path goes first
            owner_seconds += await journey.as_owner(db.owner, theirs, role_id)
            api_seconds += await journey.through_postgrest(db.api, ours, role_id)
        else:
            api_seconds += await journey.through_postgrest(db.api, ours, role_id)
            owner_seconds += await journey.as_owner(db.owner, theirs, role_id)
    transactions = rounds * JOURNEYS_PER_BATCH * len(journey.journey(role_id))
    api_tps, owner_tps = transactions / api_seconds, transactions / owner_seconds
    return [
        Figure("onboarding", "journey tx/s via PostgREST (vs owner, no role switch)", round(api_tps, 1), "tx/s",
               round(owner_tps, 1), ">= 0.8", api_tps / owner_tps >= 0.8),
    ]  # fmt: skip


async def measure_scale(small: Database, large: Database, size: int, calls: int) -> list[Figure]:
    for db, count in ((small, SMALL), (large, size)):
        print(f"generating {count:,} learners ...", flush=True)
        print(f"  took {await scale.grow(db.superuser, 1, count):.1f} s", flush=True)
    small_users = await scale.sample_users(small.owner, 200, seed=1)
    large_users = await scale.sample_users(large.owner, 200, seed=2)
    await scale.step_latencies(small.api, small_users, 50)  # warm-up
    await scale.step_latencies(large.api, large_users, 50)
    timings: dict[str, list[float]] = {"small": [], "large": []}
    for i in range(0, calls, CALLS_PER_BATCH):
        timings["small"] += await scale.step_latencies(small.api, small_users[i % 200 :], CALLS_PER_BATCH)
        timings["large"] += await scale.step_latencies(large.api, large_users[i % 200 :], CALLS_PER_BATCH)
    few, many = timings["small"], timings["large"]
    ratio = scale.p50(many) / scale.p50(few)
    return [
        Figure("onboarding", f"set_industry p50, {size:,} vs {SMALL:,} learners", round(scale.p50(many), 2), "ms",
               round(scale.p50(few), 2), "<= 1.2", ratio <= 1.2),
        Figure("onboarding", f"set_industry p95, {size:,} vs {SMALL:,} learners", round(scale.p95(many), 2), "ms",
               round(scale.p95(few), 2)),
    ]  # fmt: skip


async def run(url: str, rounds: int, size: int, calls: int) -> list[Figure]:
    async with scratch_databases(url) as (small, large):
        figures = await measure_journeys(small, rounds)
        return figures + await measure_scale(small, large, size, calls)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.onboarding", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=600)
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(run(DatabaseSettings.from_env().url, args.rounds, args.large, args.calls))
    emit(f"bench.onboarding ({time.perf_counter() - started:.0f} s)", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
