"""The rules of the flow: lists replace, dropped partners take their situations along, kept partners
keep theirs, concurrent steps of one learner serialize, resets (own, admin) and custom roles."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics
from tests.support.database import TestDatabase

CONSISTENCY_SQL = """
select
  (select count(*) from app.onboarding_partner_situations s
   where not exists (select from app.onboarding_partners p
                     where p.profile_id = s.profile_id and p.communication_partner_id = s.communication_partner_id))
    as orphans,
  (select coalesce(bool_and(ok), true) from (
     select min(priority) = 1 and max(priority) = count(*) and count(distinct priority) = count(*) as ok
     from app.onboarding_partners where profile_id = $1) x) as partner_priorities_contiguous,
  (select coalesce(bool_and(ok), true) from (
     select min(priority) = 1 and max(priority) = count(*) and count(distinct priority) = count(*) as ok
     from app.onboarding_partner_situations where profile_id = $1 group by communication_partner_id) y)
    as situation_priorities_contiguous
"""


async def _situations(db: TestDatabase, user: uuid.UUID) -> dict[str, list[str]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select cp.slug as partner, s.slug as situation from app.onboarding_partner_situations ps "
            "join app.communication_partners cp using (communication_partner_id) "
            "join app.situations s using (situation_id) where ps.profile_id = $1 order by cp.slug, ps.priority",
            user,
        )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["partner"], []).append(row["situation"])
    return found


async def test_dropping_a_partner_drops_its_situations_and_keeps_the_others(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients", "suppliers", "colleagues"]})
    await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["negotiations", "meetings"]})
    await client.rpc("set_partner_situations", {"partner": "suppliers", "situations": ["phone_calls"]})
    await client.rpc("set_partner_situations", {"partner": "colleagues", "situations": ["informal_chats"]})

    state = (await client.rpc("set_communication_partners", {"partners": ["colleagues", "clients"]})).body

    assert await _situations(db, alice) == {"clients": ["negotiations", "meetings"], "colleagues": ["informal_chats"]}
    assert state["communication_partners"] == [
        {"slug": "colleagues", "priority": 1, "situations": ["informal_chats"]},
        {"slug": "clients", "priority": 2, "situations": ["negotiations", "meetings"]},
    ]
    readded = (await client.rpc("set_communication_partners", {"partners": ["suppliers"]})).body
    assert readded["communication_partners"] == [{"slug": "suppliers", "priority": 1, "situations": []}]
    assert await _situations(db, alice) == {}


async def test_situation_lists_replace_and_reorder(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients"]})
    await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings", "phone_calls"]})
    await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["phone_calls", "briefings"]})
    assert await _situations(db, alice) == {"clients": ["phone_calls", "briefings"]}


async def test_concurrent_steps_of_one_learner_serialize_and_end_consistent(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    slugs = ["clients", "senior_management", "suppliers", "customers", "colleagues", "stakeholders", "partners"]
    situations = ["meetings", "phone_calls", "negotiations", "briefings", "presentations"]
    rng = random.Random(7)
    calls: list[tuple[str, dict[str, Any]]] = []
    for _ in range(12):
        calls.append(("set_communication_partners", {"partners": rng.sample(slugs, rng.randint(1, 7))}))
        calls.append(("set_partner_situations", {"partner": "clients", "situations": rng.sample(situations, 3)}))
        calls.append(("set_industry", {"industry": rng.choice(["technology", "insurance"])}))
    calls.append(("complete_onboarding", {}))
    client = db.as_user(alice)
    responses = await asyncio.gather(*(client.rpc(name, args) for name, args in calls))

    # Each call either succeeded or met a state another call had just left (clients not chosen).
    for response in responses:
        assert response.status == 200 or response.code == "onboarding.partner_not_selected", response.body
    succeeded = sum(1 for r in responses if r.ok)
    async with db.owner() as conn:
        version = await conn.fetchval("select version from app.onboardings where profile_id = $1", alice)
        steps = await conn.fetchval("select count(*) from app.onboarding_steps where profile_id = $1", alice)
        check = await conn.fetchrow(CONSISTENCY_SQL, alice)
        partner_rows = [tuple(r) for r in await conn.fetch(
            "select cp.slug, p.priority from app.onboarding_partners p join app.communication_partners cp "
            "using (communication_partner_id) where p.profile_id = $1 order by p.priority", alice
        )]  # fmt: skip
    assert version == 3 + succeeded  # no lost update: every successful step bumped it exactly once
    assert steps == 3 + succeeded
    assert dict(check) == {
        "orphans": 0,
        "partner_priorities_contiguous": True,
        "situation_priorities_contiguous": True,
    }, partner_rows
    final = (await client.rpc("onboarding_state")).body
    assert final["is_complete"] is True
    assert [p["slug"] for p in final["communication_partners"]] in [
        args["partners"] for (name, args), r in zip(calls, responses, strict=True) if name.endswith("partners") and r.ok
    ]


async def test_concurrent_first_steps_create_one_onboarding(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    responses = await asyncio.gather(
        *(client.rpc("set_native_language", {"native_language": "english"}) for _ in range(8))
    )
    assert [r.status for r in responses] == [200] * 8
    assert sorted(r.body["version"] for r in responses) == list(range(1, 9))


async def test_own_reset_clears_choices_and_keeps_history(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients"]})
    await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"]})
    await client.rpc("complete_onboarding")
    state = (await client.rpc("reset_onboarding")).body
    assert (state["status"], state["is_complete"], state["communication_partners"]) == ("not_started", False, [])
    async with db.owner() as conn:
        left = await conn.fetchval(
            "select (select count(*) from app.onboardings) + (select count(*) from app.onboarding_partners)"
            " + (select count(*) from app.onboarding_partner_situations)"
        )
        history = await conn.fetch(
            "select step, recorded_by from app.onboarding_steps where profile_id = $1 order by onboarding_step_id",
            alice,
        )
    assert left == 0
    assert history[-1]["step"] == "reset" and history[-1]["recorded_by"] == alice
    assert len(history) == 7
    again = (await client.rpc("set_native_language", {"native_language": "english"})).body
    assert again["status"] == "in_progress"


async def test_admins_reset_anyone_and_others_cannot(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    admin = await create_user(db, "admin", roles=["admin"])
    await db.as_user(alice).rpc("set_industry", {"industry": "technology"})
    refused = await db.as_user(bob).rpc("reset_onboarding", {"profile_id": str(alice)})
    assert (refused.status, refused.code) == (403, "onboarding.reset_forbidden")
    assert (await db.as_user(alice).rpc("onboarding_state")).body["industry"] == "technology"
    missing = await db.as_user(admin).rpc("reset_onboarding", {"profile_id": str(uuid.uuid4())})
    assert (missing.status, missing.code) == (404, "onboarding.target_not_found")
    done = await db.as_user(admin).rpc("reset_onboarding", {"profile_id": str(alice)})
    assert done.status == 200
    assert (done.body["profile_id"], done.body["industry"]) == (str(alice), None)
    async with db.owner() as conn:
        recorded_by = await conn.fetchval(
            "select recorded_by from app.onboarding_steps where profile_id = $1 and step = 'reset'", alice
        )
    assert recorded_by == admin


async def test_a_custom_role_is_private_to_its_author_and_not_filed_twice(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    client = db.as_user(alice)
    await client.rpc("set_industry", {"industry": "shipping_logistics"})
    role = {"title": "  Ship Chandler ", "description": "Supplies ships in port with provisions."}
    first = (await client.rpc("submit_custom_job_role", role)).body["job_role"]
    second = (await client.rpc("submit_custom_job_role", role)).body["job_role"]
    assert first == second
    assert (first["title"], first["source"], first["status"]) == ("Ship Chandler", "custom", "pending_review")
    async with db.owner() as conn:
        row = await conn.fetchrow(
            "select created_by, industry_id is not null as has_industry from app.job_roles where source = 'custom'"
        )
    assert (row["created_by"], row["has_industry"]) == (alice, True)
    assert len((await client.sql("select job_role_id from app.job_roles where source = 'custom'")).body) == 1
    assert (await db.as_user(bob).sql("select job_role_id from app.job_roles where source = 'custom'")).body == []
    reselect = await client.rpc("select_job_role", {"job_role_id": first["job_role_id"]})
    assert reselect.status == 200
