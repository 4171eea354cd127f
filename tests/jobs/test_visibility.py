"""Who sees which jobs: users their own (RLS), admins the queue's health and dead rows; Realtime on end."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

from .rows import enqueue

People = dict[str, uuid.UUID]


@pytest.fixture
async def people(db: TestDatabase) -> People:
    return {
        "alice": await create_user(db, "alice"),
        "bob": await create_user(db, "bob"),
        "admin": await create_user(db, "admin", roles=["admin"]),
    }


async def set_status(db: TestDatabase, job_id: int, status: str, **extra: object) -> None:
    async with db.owner() as conn:
        await conn.execute(
            "update private.job_outbox set status = $2, last_error = $3, "
            "last_error_code = case when $3::text is not null then 'jobs.failed' end, "
            "run_after = now() - make_interval(secs => $4) where job_id = $1",
            job_id,
            status,
            extra.get("last_error"),
            float(str(extra.get("waited", 0))),
        )


async def test_users_see_their_own_jobs_and_not_others(db: TestDatabase, people: People) -> None:
    alices = await enqueue(db, "tests__record", {"plan": 1}, profile_id=people["alice"])
    bobs = await enqueue(db, "tests__record", profile_id=people["bob"])
    await enqueue(db, "tests__record")  # nobody's

    mine = await db.as_user(people["alice"]).select("my_jobs")
    assert mine.status == 200
    assert [r["job_id"] for r in mine.body] == [alices]
    assert mine.body[0]["status"] == "pending"
    assert "payload" not in mine.body[0] and "last_error" not in mine.body[0]

    theirs = await db.as_user(people["bob"]).select("my_jobs")
    assert [r["job_id"] for r in theirs.body] == [bobs]


async def test_users_cannot_read_payloads_or_errors_even_of_their_own_jobs(db: TestDatabase, people: People) -> None:
    await enqueue(db, "tests__record", profile_id=people["alice"])
    response = await db.as_user(people["alice"]).sql("select payload from private.job_outbox")
    assert response.code == "42501"


async def test_anon_sees_no_jobs(db: TestDatabase, people: People) -> None:
    await enqueue(db, "tests__record", profile_id=people["alice"])
    response = await db.as_anon().select("my_jobs")
    assert response.code == "42501"
    assert response.status == 401


async def test_admin_sees_queue_health(db: TestDatabase, people: People) -> None:
    pending = await enqueue(db, "tests__record")
    await enqueue(db, "tests__record", run_after=datetime.now(UTC) + timedelta(days=1))  # not due: no lag
    dead = await enqueue(db, "tests__strict")
    await set_status(db, pending, "pending", waited=120)
    await set_status(db, dead, "dead", last_error="TypeError: n must be an integer")

    response = await db.as_user(people["admin"]).rpc("job_queue_health")
    assert response.status == 200, response
    by_kind = {r["kind"]: r for r in response.body}
    assert by_kind["tests__record"]["pending"] == 2
    assert by_kind["tests__record"]["dead"] == 0
    assert 120 <= by_kind["tests__record"]["oldest_pending_age_seconds"] < 3600
    assert by_kind["tests__strict"]["dead"] == 1
    assert by_kind["tests__strict"]["oldest_pending_age_seconds"] == 0


async def test_admin_lists_dead_jobs_with_their_error(db: TestDatabase, people: People) -> None:
    dead = await enqueue(db, "tests__strict", profile_id=people["alice"])
    await enqueue(db, "tests__record")
    await set_status(db, dead, "dead", last_error="TypeError: n must be an integer")

    response = await db.as_user(people["admin"]).rpc("list_dead_jobs", {"max_rows": 10})
    assert response.status == 200, response
    assert [(r["job_id"], r["last_error"]) for r in response.body] == [(dead, "TypeError: n must be an integer")]


@pytest.mark.parametrize("max_rows", [0, 501, None])
async def test_dead_jobs_limit_is_checked(db: TestDatabase, people: People, max_rows: int | None) -> None:
    response = await db.as_user(people["admin"]).rpc("list_dead_jobs", {"max_rows": max_rows})
    assert (response.status, response.code) == (400, "jobs.invalid_limit")


PRIVATE_HELPERS = {"job_queue_health": "private.job_queue_health()", "list_dead_jobs": "private.dead_jobs(5)"}


@pytest.mark.parametrize(("function", "args"), [("job_queue_health", {}), ("list_dead_jobs", {"max_rows": 5})])
async def test_non_admins_get_forbidden(db: TestDatabase, people: People, function: str, args: dict) -> None:
    response = await db.as_user(people["alice"]).rpc(function, args)
    assert (response.status, response.code) == (403, "jobs.forbidden")
    # The private helpers behind them check too, for any caller that reaches them another way.
    helper = PRIVATE_HELPERS[function]
    direct = await db.as_user(people["alice"]).sql(f"select * from {helper}")
    assert direct.code == "jobs.forbidden"
    anon = await db.as_anon().rpc(function, args)
    assert anon.code == "42501"


async def test_realtime_message_when_a_users_job_finishes_or_dies(db: TestDatabase, people: People) -> None:
    topic = f"user:{people['alice']}"
    done = await enqueue(db, "tests__record", profile_id=people["alice"])
    dead = await enqueue(db, "tests__strict", profile_id=people["alice"])
    retried = await enqueue(db, "tests__record", profile_id=people["alice"])
    await set_status(db, done, "running")
    await set_status(db, retried, "failed")  # an attempt failed: not the end, no message
    assert await sent_messages(db, topic) == []

    await set_status(db, done, "done")
    await set_status(db, dead, "dead", last_error="boom")
    messages = await sent_messages(db, topic)
    assert [(m["event"], m["payload"]["job_id"], m["payload"]["status"]) for m in messages] == [
        ("job_done", done, "done"),
        ("job_dead", dead, "dead"),
    ]
    assert "boom" not in str(messages)
    assert await sent_messages(db, f"user:{people['bob']}") == []


async def test_no_message_for_jobs_without_a_user(db: TestDatabase, people: People) -> None:
    job_id = await enqueue(db, "tests__record")
    await set_status(db, job_id, "done")
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from realtime.messages") == 0
