"""Many learners at once: profiles (with their onboarding half done) generated in one statement, and
the latency of one onboarding step through the emulated PostgREST path."""

from __future__ import annotations

import random
import statistics
import time
import uuid

import asyncpg

from localapi.rest.emulator import PostgrestEmulator

# Profiles with their onboarding half done (language and industry chosen), in one statement. It runs
# with session_replication_role = replica (superuser), which skips triggers and foreign-key checks: the
# rows are consistent by construction, and per-row triggers a million times over would make the run
# minutes long without measuring anything it reports. (Roles and partners are left out for the same
# reason: set_industry never reads the first for its own rows and reads the second by index.)
GENERATE_SQL = """
with profiles as (
    insert into app.profiles (auth0_subject, email, full_name)
    select 'bench|' || g, 'bench' || g || '@example.com', 'Bench ' || g
    from generate_series($1::int, $2::int) as g
    returning profile_id
)
insert into app.onboardings (profile_id, native_language_id, industry_id, version)
select p.profile_id,
       (select native_language_id from app.native_languages where slug = 'english'),
       (select industry_id from app.industries where slug = 'technology'),
       2
from profiles as p
"""


async def grow(superuser: asyncpg.Connection, first: int, last: int) -> float:
    """Add bench learners first..last and refresh the planner's statistics; returns the seconds taken."""
    started = time.perf_counter()
    async with superuser.transaction():
        await superuser.execute("set local session_replication_role = replica")
        await superuser.execute(GENERATE_SQL, first, last)
    await superuser.execute("analyze app.profiles, app.onboardings")
    return time.perf_counter() - started


async def sample_users(conn: asyncpg.Connection, count: int, seed: int) -> list[uuid.UUID]:
    """Random bench learners, spread over the whole table."""
    total = await conn.fetchval("select count(*) from app.profiles where auth0_subject like 'bench|%'")
    rng = random.Random(seed)
    subjects = [f"bench|{rng.randint(1, total)}" for _ in range(count)]
    rows = await conn.fetch(
        "select profile_id from app.profiles where auth0_subject = any($1::text[])", list(set(subjects))
    )
    return [r["profile_id"] for r in rows]


async def step_latencies(api: PostgrestEmulator, users: list[uuid.UUID], calls: int) -> list[float]:
    """Milliseconds of api.set_industry per call, alternating industries so every call writes."""
    industries = ["insurance", "technology", "consulting"]
    timings: list[float] = []
    for i in range(calls):
        client = api.as_user(users[i % len(users)])
        started = time.perf_counter()
        response = await client.rpc("set_industry", {"industry": industries[i % 3]})
        timings.append((time.perf_counter() - started) * 1000)
        if not response.ok:
            raise RuntimeError(f"set_industry failed: {response.body}")
    return timings


def p50(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]
