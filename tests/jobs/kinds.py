"""Test-only job kinds, registered through the same registry as the product's (JOBS_MODULES=tests.jobs.kinds).

Each records two things: a run counter in Redis, outside any transaction (how often the function was
entered), and an effect row in Postgres in the attempt's completion transaction (`job.completing()`),
deliberately not idempotent (an insert), so a test can tell "ran twice" from "applied twice". The slow
kinds sleep inside that transaction, to stand for a write that is still uncommitted when things break.
"""

from __future__ import annotations

import asyncio
import os

from redis import Redis

from jobs.registry import Backoff, JobContext, job_kind

FAST_RETRY = Backoff(base=0.2, cap=0.5)
RUNS_KEY = "test:runs"


def count_run(job: JobContext) -> None:
    Redis.from_url(os.environ["REDIS_URL"]).hincrby(RUNS_KEY, str(job.job_id), 1)


async def record_effect(job: JobContext, then_sleep: float = 0.0) -> None:
    async with job.completing() as conn:
        await conn.execute(
            "insert into private.test_job_effects (job_id, attempt) values ($1, $2)", job.job_id, job.attempt
        )
        await asyncio.sleep(then_sleep)


@job_kind("tests__record", timeout=10, max_attempts=3, backoff=FAST_RETRY)
async def record(job: JobContext) -> None:
    count_run(job)
    await record_effect(job)


@job_kind("tests__slow_first", timeout=4, max_attempts=3, backoff=FAST_RETRY)
async def slow_first(job: JobContext) -> None:
    """Writes its effect, then sleeps on the first attempt only: a worker killed there must not apply it."""
    count_run(job)
    await record_effect(job, float(job.payload.get("seconds", 6)) if job.attempt == 1 else 0.0)


@job_kind("tests__strict", timeout=10, max_attempts=3, backoff=FAST_RETRY)
async def strict(job: JobContext) -> None:
    """Needs an integer `n`: any other payload is poison."""
    count_run(job)
    n = job.payload["n"]
    if not isinstance(n, int):
        raise TypeError(f"n must be an integer, got {n!r}")
    await record_effect(job)


@job_kind("tests__hang", timeout=1, max_attempts=2, backoff=FAST_RETRY)
async def hang(job: JobContext) -> None:
    count_run(job)
    await record_effect(job, 3600)
