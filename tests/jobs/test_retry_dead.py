"""api.retry_dead_job: an admin (jobs.manage) puts a dead job back in the queue and it runs again;
everyone else, and every row that is not dead, gets a coded error and changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from jobs.outbox import CHANNEL
from tests.support.database import TestDatabase
from tests.support.users import create_user

from .rows import all_in, effects, enqueue, rows
from .stack import JobStack, runs, wait_for

People = dict[str, uuid.UUID]


@pytest.fixture
async def people(db: TestDatabase) -> People:
    return {
        "alice": await create_user(db, "alice"),
        "admin": await create_user(db, "admin", roles=["admin"]),
    }


async def make_dead(db: TestDatabase, job_id: int, error: str = "TypeError: n must be an integer") -> None:
    """As the worker leaves a row out of attempts."""
    async with db.owner() as conn:
        await conn.execute(
            "update private.job_outbox set status = 'dead', attempts = 3, max_attempts = 3, dispatches = 3, "
            "last_error = $2, last_error_code = 'jobs.failed', started_at = now(), finished_at = now(), "
            "run_after = now() + interval '1 hour' "
            "where job_id = $1",
            job_id,
            error,
        )


async def snapshot(db: TestDatabase, job_id: int) -> dict[str, Any]:
    async with db.owner() as conn:
        row = await conn.fetchrow("select * from private.job_outbox where job_id = $1", job_id)
    assert row is not None
    return dict(row)


async def table(db: TestDatabase) -> list[dict[str, Any]]:
    """Every outbox row, with xmin: the same list again means nothing was written."""
    async with db.owner() as conn:
        return [dict(r) for r in await conn.fetch("select xmin::text, * from private.job_outbox order by job_id")]


class Heard:
    """Payloads of the NOTIFYs on the relay's channel."""

    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.arrived = asyncio.Event()

    def __call__(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self.payloads.append(payload)
        self.arrived.set()


@asynccontextmanager
async def notifications(db: TestDatabase) -> AsyncIterator[Heard]:
    heard = Heard()
    async with db.owner() as conn:
        await conn.add_listener(CHANNEL, heard)
        yield heard


async def settle(db: TestDatabase, heard: Heard) -> list[str]:
    """Everything notified so far: a marker sent last arrives after every earlier commit's NOTIFY."""
    marker = f"marker-{uuid.uuid4()}"
    async with db.owner() as conn:
        await conn.execute("select pg_notify($1, $2)", CHANNEL, marker)
    async with asyncio.timeout(10):
        while marker not in heard.payloads:
            heard.arrived.clear()
            await heard.arrived.wait()
    return [payload for payload in heard.payloads if payload != marker]


async def test_admin_retries_a_dead_job_it_becomes_due_and_the_relay_is_woken(db: TestDatabase, people: People) -> None:
    job_id = await enqueue(db, "tests__strict", {"n": "x"}, profile_id=people["alice"])
    await make_dead(db, job_id)
    before = await snapshot(db, job_id)

    async with notifications(db) as heard:
        response = await db.as_user(people["admin"]).rpc("retry_dead_job", {"job_id": job_id})
        assert response.status == 200, response
        assert await settle(db, heard) == [str(job_id)]

    assert response.body.keys() == {"job_id", "kind", "status", "run_after"}
    assert [response.body[k] for k in ("job_id", "kind", "status")] == [job_id, "tests__strict", "pending"]
    after = await snapshot(db, job_id)
    assert [after[k] for k in ("status", "attempts", "finished_at", "locked_until")] == ["pending", 0, None, None]
    async with db.owner() as conn:
        assert await conn.fetchval("select run_after <= now() from private.job_outbox where job_id = $1", job_id)
    # What admins and users need to see stays: the error (until an attempt fails again), the history.
    kept = ("last_error", "max_attempts", "dispatches", "started_at", "created_at", "payload", "profile_id")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    # The user sees their job waiting again.
    mine = await db.as_user(people["alice"]).select("my_jobs")
    assert [(r["job_id"], r["status"], r["finished_at"]) for r in mine.body] == [(job_id, "pending", None)]


async def test_a_retried_dead_job_runs_again_to_completion(effects_db: TestDatabase, stack: JobStack) -> None:
    admin = await create_user(effects_db, "admin", roles=["admin"])
    stack.start("relay")
    stack.start("worker")
    job_id = await enqueue(effects_db, "tests__strict", {"n": "not a number"})
    await wait_for(lambda: all_in(effects_db, [job_id], {"dead"}), "the poison job dead", stack)
    # What made it fail is fixed (here its payload; in real jobs, the rows its ids point to).
    async with effects_db.owner() as conn:
        await conn.execute("update private.job_outbox set payload = '{\"n\": 1}' where job_id = $1", job_id)

    response = await effects_db.as_user(admin).rpc("retry_dead_job", {"job_id": job_id})
    assert response.status == 200, response
    await wait_for(lambda: all_in(effects_db, [job_id], {"done"}), "the retried job done", stack)

    row = (await rows(effects_db, job_id))[job_id]
    assert (row["attempts"], row["dispatches"]) == (1, 4)  # a fresh first attempt; the fourth trip through RQ
    assert runs(stack) == {job_id: 4}
    assert await effects(effects_db) == {job_id: 1}


async def assert_refused(
    db: TestDatabase, caller: uuid.UUID | None, job_id: int | None, expected: tuple[int, str]
) -> dict[str, Any]:
    """Call as `caller` (None: anon); the answer is `expected`, and nothing was written or notified."""
    before = await table(db)
    client = db.as_user(caller) if caller is not None else db.as_anon()
    async with notifications(db) as heard:
        response = await client.rpc("retry_dead_job", {"job_id": job_id})
        assert await settle(db, heard) == []
    assert (response.status, response.code) == expected, response
    assert await table(db) == before
    body: dict[str, Any] = response.body
    return body


async def test_non_admins_are_forbidden(db: TestDatabase, people: People) -> None:
    job_id = await enqueue(db, "tests__record")
    await make_dead(db, job_id)
    await assert_refused(db, people["alice"], job_id, (403, "jobs.forbidden"))
    await assert_refused(db, None, job_id, (401, "42501"))
    # The private helper checks too, for any caller that reaches it another way.
    direct = await db.as_user(people["alice"]).sql("select private.retry_dead_job($1)", job_id)
    assert direct.code == "jobs.forbidden"
    assert (await snapshot(db, job_id))["status"] == "dead"


async def test_the_admin_role_holds_jobs_manage_and_learners_do_not(db: TestDatabase, people: People) -> None:
    check = "select private.has_permission('jobs.manage') as ok"
    assert (await db.as_user(people["admin"]).sql(check)).body == [{"ok": True}]
    assert (await db.as_user(people["alice"]).sql(check)).body == [{"ok": False}]


@pytest.mark.parametrize("job_id", [987654321, None])
async def test_unknown_job_is_not_found(db: TestDatabase, people: People, job_id: int | None) -> None:
    body = await assert_refused(db, people["admin"], job_id, (404, "jobs.not_found"))
    assert body["details"] == {"job_id": job_id}


@pytest.mark.parametrize("status", ["pending", "dispatched", "running", "failed", "done"])
async def test_a_job_that_is_not_dead_is_a_conflict(db: TestDatabase, people: People, status: str) -> None:
    job_id = await enqueue(db, "tests__record")
    async with db.owner() as conn:
        await conn.execute("update private.job_outbox set status = $2 where job_id = $1", job_id, status)
    body = await assert_refused(db, people["admin"], job_id, (409, "jobs.not_dead"))
    assert body["details"] == {"job_id": job_id, "status": status}


async def test_a_second_retry_of_the_same_job_is_a_conflict(db: TestDatabase, people: People) -> None:
    job_id = await enqueue(db, "tests__record")
    await make_dead(db, job_id)
    assert (await db.as_user(people["admin"]).rpc("retry_dead_job", {"job_id": job_id})).status == 200
    body = await assert_refused(db, people["admin"], job_id, (409, "jobs.not_dead"))
    assert body["details"] == {"job_id": job_id, "status": "pending"}


async def test_a_dead_job_whose_work_is_queued_again_is_a_conflict(db: TestDatabase, people: People) -> None:
    dead = await enqueue(db, "tests__record", dedupe_key="plan:1")
    await make_dead(db, dead)
    queued = await enqueue(db, "tests__record", dedupe_key="plan:1")  # enqueued again since it died
    assert queued != dead
    body = await assert_refused(db, people["admin"], dead, (409, "jobs.already_queued"))
    assert body["details"] == {"job_id": dead, "queued_job_id": queued}
    assert (await snapshot(db, queued))["status"] == "pending"


async def test_a_dead_job_with_a_dedupe_key_and_nothing_queued_is_retried(db: TestDatabase, people: People) -> None:
    job_id = await enqueue(db, "tests__record", dedupe_key="plan:2")
    await make_dead(db, job_id)
    response = await db.as_user(people["admin"]).rpc("retry_dead_job", {"job_id": job_id})
    assert response.status == 200, response
    # While it is unfinished again, enqueueing the same work returns it instead of a new row.
    assert await enqueue(db, "tests__record", dedupe_key="plan:2") == job_id
