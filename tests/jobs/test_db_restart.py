"""The relay and the worker across a restart of PostgreSQL (reliability catalogue R04).

The shared test server must not be restarted, so this module's `db` is a database on a private,
throwaway cluster (tests/support/private_postgres.py); the jobs fixtures (`effects_db`, `stack`)
build on it unchanged. The restart is `pg_ctl restart -m fast`: every session ends at once, whether
it sits idle, waits on LISTEN or is in the middle of a statement or a commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.database import TestDatabase
from tests.support.private_postgres import PrivatePostgres, private_database, private_postgres

from .rows import all_in, effects, enqueue_many, rows, status_counts
from .stack import JobStack, runs, wait_for

QUEUE_KEY = "rq:queue:fluentpro_jobs"


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as running:
        yield running


@pytest.fixture
async def db(cluster: PrivatePostgres) -> AsyncIterator[TestDatabase]:
    """Overrides the shared server's per-test clone: these tests restart their server."""
    async with private_database(cluster) as database:
        yield database


async def backends(db: TestDatabase, application: str) -> list[int]:
    async with db.owner() as conn:
        return [
            r["pid"]
            for r in await conn.fetch(
                "select pid from pg_stat_activity where datname = current_database() and application_name = $1",
                application,
            )
        ]


async def test_restart_with_rows_in_flight_loses_none_and_applies_each_once(
    effects_db: TestDatabase, stack: JobStack, cluster: PrivatePostgres
) -> None:
    relay = stack.start("relay")
    worker = stack.start("worker")
    job_ids = await enqueue_many(effects_db, "tests__record", 1000)
    await wait_for(lambda: _done_at_least(effects_db, 100), "the first 100 jobs done", stack)

    unfinished = len(job_ids) - (await status_counts(effects_db))["done"]
    cluster.restart()
    assert unfinished > 0, "every row was done before the restart: the scenario tested nothing"

    async def drained() -> bool:
        # Both must reconnect rather than exit (checked on every poll, so a death fails at once).
        assert relay.popen.poll() is None, f"the relay exited instead of reconnecting\n{stack.logs()}"
        assert worker.popen.poll() is None, f"the worker exited instead of reconnecting\n{stack.logs()}"
        # RQ job id = outbox id: a row is never on the queue twice, however often it was re-dispatched.
        queued = stack.redis.lrange(QUEUE_KEY, 0, -1)
        assert len(queued) == len(set(queued)), f"a job is queued twice in RQ: {sorted(queued)}"
        return not queued and await all_in(effects_db, job_ids, {"done"})

    await wait_for(drained, "all 1,000 jobs done and RQ's queue empty after the restart", stack)
    assert await backends(effects_db, "fluentpro_relay"), "the relay did not reconnect"

    # None lost, none applied twice: a job cut off by the restart rolled its effect back, and its
    # retry applied it. The function ran once per attempt at most: no second delivery of a row ran it.
    assert await effects(effects_db) == dict.fromkeys(job_ids, 1)
    attempts = {job_id: row["attempts"] for job_id, row in (await rows(effects_db, *job_ids)).items()}
    entered = runs(stack)
    assert {job_id for job_id, count in entered.items() if count > attempts[job_id]} == set()
    assert set(entered) == set(job_ids)


async def _done_at_least(db: TestDatabase, count: int) -> bool:
    return (await status_counts(db))["done"] >= count
