"""Reviewers approve, merge or reject custom job roles; the author hears it; approved roles are public."""

from __future__ import annotations

import uuid

import pytest

from tests.support.database import TestDatabase
from tests.support.job_roles import submit_custom_role
from tests.support.realtime import sent_messages
from tests.support.users import create_user

TITLE, DESCRIPTION = "Zeppelin Mooring Coordinator", "Coordinates the mooring of zeppelins."


async def submit(db: TestDatabase, author: uuid.UUID, title: str = TITLE) -> str:
    return await submit_custom_role(db, author, title, DESCRIPTION)


async def found_by(db: TestDatabase, user: uuid.UUID, title: str) -> list[str]:
    response = await db.as_user(user).rpc("search_job_roles", {"title": title, "max_results": 10})
    assert response.ok, response.body
    return [row["job_role_id"] for row in response.body]


async def test_an_approved_role_becomes_searchable_for_everyone_and_the_author_is_told(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    rita = await create_user(db, "rita", roles=["job_role_reviewer"])
    role_id = await submit(db, alice)
    assert role_id not in await found_by(db, bob, "zeppelin mooring coordinator")
    pending = await db.as_user(rita).rpc("custom_job_roles_pending_review")
    assert [r["job_role_id"] for r in pending.body] == [role_id]

    response = await db.as_user(rita).rpc("approve_custom_job_role", {"job_role_id": role_id, "note": "Welcome"})
    assert response.status == 200, response.body
    assert response.body["status"] == "approved"
    assert (await found_by(db, bob, "zeppelin mooring coordinator"))[0] == role_id
    messages = await sent_messages(db, f"user:{alice}")
    assert [(m["event"], m["payload"]["status"]) for m in messages] == [("job_role_reviewed", "approved")]
    async with db.owner() as conn:
        jobs = await conn.fetch("select kind, payload from private.job_outbox where kind = 'job_roles__index'")
    assert [j["kind"] for j in jobs] == ["job_roles__index"]
    again = await db.as_user(rita).rpc("reject_custom_job_role", {"job_role_id": role_id})
    assert (again.status, again.code) == (409, "job_roles.already_reviewed")


async def test_a_merged_role_teaches_the_occupation_its_title(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    rita = await create_user(db, "rita", roles=["job_role_reviewer"])
    role_id = await submit(db, alice, "Code Wrangler Extraordinaire")
    async with db.owner() as conn:
        developers = str(await conn.fetchval("select job_role_id from app.job_roles where onet_code = '15-1252.00'"))
    response = await db.as_user(rita).rpc(
        "merge_custom_job_role", {"job_role_id": role_id, "into_job_role_id": developers}
    )
    assert response.status == 200, response.body
    rows = (await db.as_user(bob).rpc("search_job_roles", {"title": "Code Wrangler Extraordinaire"})).body
    assert (rows[0]["job_role_id"], rows[0]["matched_title"]) == (developers, "Code Wrangler Extraordinaire")
    assert role_id not in [r["job_role_id"] for r in rows]
    messages = await sent_messages(db, f"user:{alice}")
    assert messages[-1]["payload"]["merged_into_job_role_id"] == developers


async def test_a_rejected_role_stays_private_to_its_author(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    rita = await create_user(db, "rita", roles=["job_role_reviewer"])
    role_id = await submit(db, alice)
    response = await db.as_user(rita).rpc("reject_custom_job_role", {"job_role_id": role_id})
    assert (response.status, response.body["status"]) == (200, "rejected")
    assert role_id not in await found_by(db, bob, "zeppelin mooring coordinator")
    visible = await db.as_user(alice).sql(f"select status from app.job_roles where job_role_id = '{role_id}'")
    assert visible.body == [{"status": "rejected"}]
    assert (await db.as_user(bob).sql(f"select 1 from app.job_roles where job_role_id = '{role_id}'")).body == []


@pytest.mark.parametrize("rpc", ["approve_custom_job_role", "reject_custom_job_role"])
async def test_only_reviewers_decide(db: TestDatabase, rpc: str) -> None:
    alice = await create_user(db, "alice")
    role_id = await submit(db, alice)
    response = await db.as_user(alice).rpc(rpc, {"job_role_id": role_id})
    assert (response.status, response.code) == (403, "job_roles.review_forbidden")
    listing = await db.as_user(alice).rpc("custom_job_roles_pending_review")
    assert (listing.status, listing.code) == (403, "job_roles.review_forbidden")
    async with db.owner() as conn:
        assert await conn.fetchval("select status from app.job_roles where job_role_id = $1", uuid.UUID(role_id)) == (
            "pending_review"
        )


async def test_review_input_errors(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    rita = await create_user(db, "rita", roles=["job_role_reviewer"])
    role_id = await submit(db, alice)
    client = db.as_user(rita)
    missing = await client.rpc("approve_custom_job_role", {"job_role_id": str(uuid.uuid4())})
    assert (missing.status, missing.code) == (404, "job_roles.not_found")
    into_itself = await client.rpc("merge_custom_job_role", {"job_role_id": role_id, "into_job_role_id": role_id})
    assert (into_itself.status, into_itself.code) == (422, "job_roles.invalid_merge_target")
    long_note = await client.rpc("reject_custom_job_role", {"job_role_id": role_id, "note": "n" * 1001})
    assert (long_note.status, long_note.code) == (400, "job_roles.note_too_long")
    async with db.owner() as conn:
        assert await conn.fetchval("select status from app.job_roles where job_role_id = $1", uuid.UUID(role_id)) == (
            "pending_review"
        )
