"""Fixtures of the jobs tests: an effects table in the test database, and a relay/worker stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.database import TestDatabase

from .stack import JobStack, claim_redis_db, release_redis_db


@pytest.fixture
async def effects_db(db: TestDatabase) -> TestDatabase:
    """The test database plus the table the test job kinds write their effects to."""
    async with db.owner() as conn:
        await conn.execute(
            "create table private.test_job_effects (job_id bigint not null, attempt integer not null, "
            "applied_at timestamptz not null default clock_timestamp())"
        )
    return db


@pytest.fixture
def redis_db() -> Iterator[int]:
    number = claim_redis_db()
    try:
        yield number
    finally:
        release_redis_db(number)


@pytest.fixture
async def stack(effects_db: TestDatabase, redis_db: int, tmp_path: Path) -> AsyncIterator[JobStack]:
    jobs = JobStack(database_url=effects_db.url, redis_db=redis_db, log_dir=tmp_path)
    try:
        yield jobs
    finally:
        jobs.stop_all()
