"""A learner's whole onboarding through the PostgREST emulation: every step, the state it returns,
revisiting steps after completion, the summary, the outbox event and the step history."""

from __future__ import annotations

import json

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics
from tests.support.database import TestDatabase


async def test_a_full_onboarding_walked_as_a_user(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    role_id = await catalogue_role(db)
    client = db.as_user(alice)

    start = await client.rpc("onboarding_state")
    assert start.status == 200
    assert start.body["status"] == "not_started"
    assert start.body["next_step"] == "native_language"
    assert start.body["missing"] == ["native_language", "industry", "job_role"]

    state = (await client.rpc("set_native_language", {"native_language": "chinese_traditional"})).body
    assert (state["native_language"], state["status"], state["next_step"]) == (
        "chinese_traditional",
        "in_progress",
        "industry",
    )
    state = (await client.rpc("set_industry", {"industry": "banking_finance"})).body
    assert (state["industry"], state["next_step"]) == ("banking_finance", "job_role")
    state = (await client.rpc("select_job_role", {"job_role_id": str(role_id)})).body
    assert state["job_role"]["job_role_id"] == str(role_id)
    assert state["job_role"]["title"] == "Financial Analyst"
    assert (state["missing"], state["can_complete"], state["next_step"]) == ([], True, "communication_partners")

    partners = await client.rpc("set_communication_partners", {"partners": ["senior_management", "clients"]})
    assert partners.status == 200
    assert [p["slug"] for p in partners.body["communication_partners"]] == ["senior_management", "clients"]
    assert partners.body["next_step"] == "situations"
    assert partners.body["partners_without_situations"] == ["senior_management", "clients"]

    await client.rpc(
        "set_partner_situations", {"partner": "senior_management", "situations": ["meetings", "briefings"]}
    )
    state = (await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["negotiations"]})).body
    assert state["communication_partners"] == [
        {"slug": "senior_management", "priority": 1, "situations": ["meetings", "briefings"]},
        {"slug": "clients", "priority": 2, "situations": ["negotiations"]},
    ]
    assert (state["next_step"], state["steps"]["situations"]) == ("summary", True)

    summary = await client.rpc("onboarding_summary")
    assert summary.status == 200
    assert summary.body["native_language"] == {"slug": "chinese_traditional", "name": "Traditional Chinese"}
    assert summary.body["industry"]["name"] == "Banking & Finance"
    assert summary.body["job_role"]["is_custom"] is False
    assert [p["name"] for p in summary.body["communication_partners"]] == ["Senior Management", "Clients"]
    assert summary.body["communication_partners"][0]["situations"][1] == {
        "slug": "briefings",
        "name": "Briefings",
        "description": "Short, focused information sessions",
        "priority": 2,
    }
    assert (summary.body["total_partners"], summary.body["total_situations"]) == (2, 3)

    done = await client.rpc("complete_onboarding")
    assert done.status == 200
    assert (done.body["status"], done.body["is_complete"], done.body["next_step"]) == ("completed", True, None)
    assert done.body["completed_at"] is not None
    assert (await client.rpc("onboarding_summary")).body["state"]["is_complete"] is True

    async with db.owner() as conn:
        steps = [
            r["step"]
            for r in await conn.fetch(
                "select step from app.onboarding_steps where profile_id = $1 order by onboarding_step_id", alice
            )
        ]
    assert steps == [
        "native_language",
        "industry",
        "job_role",
        "communication_partners",
        "situations",
        "situations",
        "completed",
    ]


async def test_completion_survives_revisiting_every_step(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    role_id = await catalogue_role(db)
    other_role = await catalogue_role(db, "Hotel Manager")
    client = db.as_user(alice)
    await onboard_basics(db, alice, role_id)
    completed_at = (await client.rpc("complete_onboarding")).body["completed_at"]

    calls = [
        ("set_native_language", {"native_language": "chinese_simplified"}),
        ("set_industry", {"industry": "hotels_hospitality"}),
        ("select_job_role", {"job_role_id": str(other_role)}),
        ("submit_custom_job_role", {"title": "Night Auditor", "description": "Balances the hotel's books at night."}),
        ("set_communication_partners", {"partners": ["colleagues"]}),
        ("set_partner_situations", {"partner": "colleagues", "situations": ["informal_chats"]}),
        ("complete_onboarding", {}),
    ]
    for name, args in calls:
        response = await client.rpc(name, args)
        assert response.status == 200, (name, response.body)
        assert (response.body["is_complete"], response.body["completed_at"]) == (True, completed_at), name
    final = (await client.rpc("onboarding_state")).body
    assert (final["native_language"], final["industry"]) == ("chinese_simplified", "hotels_hospitality")
    assert final["job_role"]["source"] == "custom"


async def test_a_stray_update_cannot_clear_completion(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    await db.as_user(alice).rpc("complete_onboarding")
    cleared = await db.as_user(alice).sql("update app.onboardings set completed_at = null")
    assert cleared.status == 204
    async with db.owner() as conn:
        assert await conn.fetchval("select completed_at is not null from app.onboardings where profile_id = $1", alice)


async def test_completion_enqueues_one_learning_plan_job(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    await client.rpc("complete_onboarding")
    await client.rpc("complete_onboarding")
    await client.rpc("set_industry", {"industry": "real_estate"})
    async with db.owner() as conn:
        jobs = await conn.fetch("select kind, payload, dedupe_key, profile_id, status from private.job_outbox")
    assert len(jobs) == 1
    assert jobs[0]["kind"] == "learning_plans__generate"
    assert json.loads(jobs[0]["payload"]) == {"profile_id": str(alice)}
    assert (jobs[0]["dedupe_key"], jobs[0]["profile_id"]) == (f"learning_plans__generate:{alice}", alice)


async def test_a_failed_completion_writes_no_job(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_native_language", {"native_language": "english"})
    response = await client.rpc("complete_onboarding")
    assert (response.status, response.code) == (409, "onboarding.incomplete")
    assert response.body["details"] == {"missing": ["industry", "job_role"]}
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.job_outbox") == 0
        assert await conn.fetchval("select completed_at from app.onboardings") is None


async def test_summary_and_state_of_a_new_learner_do_not_fail(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    summary = await db.as_user(alice).rpc("onboarding_summary")
    assert summary.status == 200
    assert (summary.body["native_language"], summary.body["industry"], summary.body["job_role"]) == (None, None, None)
    assert (summary.body["communication_partners"], summary.body["total_partners"]) == ([], 0)
    assert summary.body["state"]["status"] == "not_started"
