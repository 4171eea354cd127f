"""The outbox's guarded state changes (jobs/outbox.py), statement by statement."""

from __future__ import annotations

from core.db.connect import assume_owner, connect
from jobs import outbox
from tests.support.database import TestDatabase

from .rows import enqueue, rows


async def test_an_attempt_starts_once_and_completes_durably(db: TestDatabase) -> None:
    job_id = await enqueue(db, "tests__record")
    conn = await connect(db.url, server_settings={"synchronous_commit": "off"})  # as the worker's session
    try:
        await assume_owner(conn)
        started = await outbox.start_attempt(conn, job_id, "tests__record", 3, 30)
        assert started is not None and started["attempts"] == 1
        assert await outbox.start_attempt(conn, job_id, "tests__record", 3, 30) is None  # second delivery
        async with conn.transaction():
            assert await outbox.complete_attempt(conn, job_id, 1)
            # The completion (and the job's writes) commit with a WAL flush, unlike the bookkeeping.
            assert await conn.fetchval("show synchronous_commit") == "on"
        assert await conn.fetchval("show synchronous_commit") == "off"
        async with conn.transaction():
            assert not await outbox.complete_attempt(conn, job_id, 1)  # not running any more
    finally:
        await conn.close()
    assert (await rows(db, job_id))[job_id]["status"] == "done"


async def test_a_stale_attempt_cannot_complete_or_fail(db: TestDatabase) -> None:
    job_id = await enqueue(db, "tests__record")
    async with db.owner() as conn:
        await outbox.start_attempt(conn, job_id, "tests__record", 3, 30)
        # The lease ran out and the reconciler failed attempt 1; a retry started attempt 2.
        assert (
            await outbox.fail_attempt(conn, job_id, 1, permanent=False, retry_in=0, error="lost", code="jobs.failed")
            == "failed"
        )
        assert (await outbox.start_attempt(conn, job_id, "tests__record", 3, 30))["attempts"] == 2
        async with conn.transaction():
            assert not await outbox.complete_attempt(conn, job_id, 1)
        assert (
            await outbox.fail_attempt(conn, job_id, 1, permanent=False, retry_in=0, error="late", code="jobs.failed")
            is None
        )
        assert (
            await outbox.fail_attempt(conn, job_id, 2, permanent=True, retry_in=0, error="bad", code="jobs.failed")
            == "dead"
        )
    row = (await rows(db, job_id))[job_id]
    assert (row["status"], row["attempts"], row["last_error"]) == ("dead", 2, "bad")


async def test_wrong_kind_never_starts(db: TestDatabase) -> None:
    job_id = await enqueue(db, "tests__record")
    async with db.owner() as conn:
        assert await outbox.start_attempt(conn, job_id, "tests__strict", 3, 30) is None
    assert (await rows(db, job_id))[job_id]["status"] == "pending"
