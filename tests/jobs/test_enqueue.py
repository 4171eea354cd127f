"""private.enqueue_job: atomic with the caller's transaction, NOTIFY carries only the id, dedupe, checks."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from jobs.relay import POLLING_LOCK
from tests.support.database import TestDatabase
from tests.support.users import create_user

from .rows import enqueue, rows


class Listener:
    """A LISTEN session on the outbox channel, as the relay holds one."""

    def __init__(self) -> None:
        self.payloads: asyncio.Queue[str] = asyncio.Queue()

    def __call__(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.payloads.put_nowait(payload)

    async def next(self) -> str:
        try:
            return await asyncio.wait_for(self.payloads.get(), timeout=30)
        except TimeoutError:
            raise AssertionError("no notification on job_outbox") from None


async def test_rolled_back_enqueue_leaves_no_row_and_no_notification(db: TestDatabase) -> None:
    listener = Listener()
    async with db.owner() as listen, db.owner() as conn:
        await listen.add_listener("job_outbox", listener)
        tx = conn.transaction()
        await tx.start()
        rolled_back = await conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        await tx.rollback()
        committed = await conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        # Notifications arrive in commit order: the first one is the committed job's, none came before.
        assert await listener.next() == str(committed)
        assert listener.payloads.empty()
    assert rolled_back not in await rows(db)
    assert list(await rows(db)) == [committed]


async def test_notification_is_sent_at_commit_and_carries_only_the_id(db: TestDatabase) -> None:
    listener = Listener()
    async with db.owner() as listen, db.owner() as conn:
        await listen.add_listener("job_outbox", listener)
        async with conn.transaction():
            job_id = await conn.fetchval(
                "select private.enqueue_job('tests__record', $1::jsonb)", json.dumps({"secret": "x" * 100})
            )
            await asyncio.sleep(0.2)
            assert listener.payloads.empty(), "notified before commit"
        assert await listener.next() == str(job_id)


async def test_new_row_is_pending_and_due(db: TestDatabase) -> None:
    job_id = await enqueue(db, "tests__record", {"plan_id": 7})
    row = (await rows(db, job_id))[job_id]
    assert row["status"] == "pending"
    assert row["attempts"] == 0
    assert json.loads(row["payload"]) == {"plan_id": 7}


async def test_dedupe_key_returns_the_unfinished_job_then_allows_a_new_one(db: TestDatabase) -> None:
    first = await enqueue(db, "tests__record", dedupe_key="plan-1")
    assert await enqueue(db, "tests__record", dedupe_key="plan-1") == first
    other_kind = await enqueue(db, "tests__strict", dedupe_key="plan-1")
    assert other_kind != first
    async with db.owner() as conn:
        await conn.execute("update private.job_outbox set status = 'done' where job_id = $1", first)
    assert await enqueue(db, "tests__record", dedupe_key="plan-1") not in (first, other_kind)


@pytest.mark.parametrize(
    ("kind", "payload"),
    [("NoArea", "{}"), ("area__", "{}"), ("area__verb; drop", "{}"), ("tests__record", "[1, 2]")],
)
async def test_bad_kind_or_payload_is_refused_with_a_check_violation(db: TestDatabase, kind: str, payload: str) -> None:
    async with db.owner() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.fetchval("select private.enqueue_job($1, $2::jsonb)", kind, payload)
    assert await rows(db) == {}


async def test_api_roles_cannot_enqueue_or_write_the_outbox(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    for client in (db.as_user(alice), db.as_service(), db.as_anon()):
        call = await client.sql("select private.enqueue_job('tests__record', '{}') as id")
        assert call.code == "42501", call
        write = await client.sql("insert into private.job_outbox (kind) values ('tests__record')")
        assert write.code == "42501", write
    assert await rows(db) == {}


async def test_run_after_delays_and_profile_is_kept(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    async with db.owner() as conn:
        job_id = await conn.fetchval(
            "select private.enqueue_job('tests__record', '{}', run_after => now() + interval '1 hour', "
            "profile_id => $1)",
            alice,
        )
        due = await conn.fetchval(
            "select count(*) from private.job_outbox where status = 'pending' and run_after <= now()"
        )
    assert due == 0
    assert (await rows(db, job_id))[job_id]["profile_id"] == alice


async def test_one_enqueueing_transaction_at_a_time_notifies(db: TestDatabase) -> None:
    """Concurrent NOTIFYs serialize commits; one wakes the relay, which then polls for the rest."""
    listener = Listener()
    async with db.owner() as listen, db.owner() as first_conn, db.owner() as second_conn:
        await listen.add_listener("job_outbox", listener)
        first_tx = first_conn.transaction()
        await first_tx.start()
        first = await first_conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        await second_conn.fetchval("select private.enqueue_job('tests__record', '{}')")  # while first is open
        await second_conn.fetchval(
            "select private.enqueue_job('tests__record', '{}', run_after => now() + interval '1 hour')"
        )  # delayed: the relay's sweep finds it when due
        await first_tx.commit()
        last = await second_conn.fetchval("select private.enqueue_job('tests__record', '{}')")  # alone again
        assert await listener.next() == str(first)
        assert await listener.next() == str(last)
        assert listener.payloads.empty()
    assert len(await rows(db)) == 4


async def test_no_notification_while_a_relay_holds_its_polling_lock(db: TestDatabase) -> None:
    """A busy relay polls every few ms and says so with advisory lock ('job_outbox', 2): NOTIFY would only cost."""
    listener = Listener()
    async with db.owner() as listen, db.owner() as relay, db.owner() as conn:
        await listen.add_listener("job_outbox", listener)
        assert await relay.fetchval(f"select pg_try_advisory_lock({POLLING_LOCK})")
        await conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        await relay.fetchval(f"select pg_advisory_unlock({POLLING_LOCK})")
        woken = await conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        assert await listener.next() == str(woken)
        assert listener.payloads.empty()
