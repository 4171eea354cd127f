"""Realtime: each onboarding change reaches the learner's private topic user:<uuid> with the new state,
completion is announced once, and only the owner may join that topic."""

from __future__ import annotations

import uuid

import pytest

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics
from tests.support.database import TestDatabase
from tests.support.realtime import channel_access, sent_messages


def claims(user: uuid.UUID) -> dict[str, str]:
    return {"sub": str(user), "role": "authenticated", "aud": "authenticated"}


POLICY_COUNT = "select count(*) from pg_policies where schemaname = 'realtime' and policyname = 'select_own_user_topic'"


async def test_the_migrations_create_the_topic_policy(db: TestDatabase) -> None:
    async with db.owner() as conn:
        assert await conn.fetchval(POLICY_COUNT) == 1


async def test_only_the_owner_may_read_their_topic(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    own = await channel_access(db, claims(alice), f"user:{alice}")
    assert (own.read, own.write) == (True, False)  # receive only; clients never send on it
    other = await channel_access(db, claims(bob), f"user:{alice}")
    assert (other.read, other.write) == (False, False)
    anon = await channel_access(db, None, f"user:{alice}")
    assert (anon.read, anon.write) == (False, False)
    unrelated = await channel_access(db, claims(alice), "room:lobby")
    assert unrelated.read is False


async def test_every_change_sends_the_new_state_once(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    returned = [
        (await client.rpc("set_native_language", {"native_language": "english"})).body,
        (await client.rpc("set_industry", {"industry": "technology"})).body,
        (await client.rpc("set_communication_partners", {"partners": ["colleagues"]})).body,
        (await client.rpc("set_partner_situations", {"partner": "colleagues", "situations": ["meetings"]})).body,
    ]
    messages = await sent_messages(db, f"user:{alice}")
    assert [m["event"] for m in messages] == ["onboarding_state"] * 4
    assert [m["payload"]["state"] for m in messages] == returned
    assert [m["payload"]["state"]["version"] for m in messages] == [1, 2, 3, 4]


async def test_completion_is_announced_with_the_completed_state(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    done = (await client.rpc("complete_onboarding")).body
    await client.rpc("complete_onboarding")  # idempotent: no second announcement
    messages = await sent_messages(db, f"user:{alice}")
    # one transaction's messages share inserted_at, so their order in the table is not theirs on the wire
    assert sorted(m["event"] for m in messages[-2:]) == ["onboarding_completed", "onboarding_state"]
    assert [m["event"] for m in messages].count("onboarding_completed") == 1
    assert [m["payload"]["state"] for m in messages[-2:]] == [done, done]
    assert done["is_complete"] is True


async def test_failed_steps_and_other_users_send_nothing_to_alice(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    await db.as_user(alice).rpc("set_industry", {"industry": "nowhere"})
    await db.as_user(bob).rpc("set_industry", {"industry": "technology"})
    assert await sent_messages(db, f"user:{alice}") == []
    assert len(await sent_messages(db, f"user:{bob}")) == 1


@pytest.mark.parametrize("by_admin", [False, True])
async def test_a_reset_sends_the_empty_state(db: TestDatabase, by_admin: bool) -> None:
    alice = await create_user(db, "alice")
    admin = await create_user(db, "admin", roles=["admin"])
    await db.as_user(alice).rpc("set_industry", {"industry": "technology"})
    caller = db.as_user(admin) if by_admin else db.as_user(alice)
    response = await caller.rpc("reset_onboarding", {"profile_id": str(alice)})
    assert response.status == 200
    last = (await sent_messages(db, f"user:{alice}"))[-1]
    assert last["event"] == "onboarding_state"
    assert last["payload"]["state"]["status"] == "not_started"
    assert last["payload"]["state"] == response.body
    assert await sent_messages(db, f"user:{admin}") == []
