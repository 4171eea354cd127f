"""The learning-plan RPCs and triggers in Postgres (PostgREST emulation): asking for a plan with its
per-learner limit, debounced regeneration on choice changes, the plan row following its job, RLS."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.ai.inline import run_inline
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import module, plan_responder
from tests.fakes.openai_server import FakeOpenAI
from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

KIND = "learning_plans__generate"
PAIRS = {"clients": ["negotiations"]}


async def plan_jobs(db: TestDatabase, profile_id: uuid.UUID) -> list[dict[str, Any]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select job_id, status, dedupe_key, run_after - now() as delay from private.job_outbox "
            "where kind = $1 and profile_id = $2 order by job_id",
            KIND,
            profile_id,
        )
    return [dict(r) for r in rows]


async def finish_jobs(
    db: TestDatabase, profile_id: uuid.UUID, status: str = "done", code: str | None = None, error: str = "failed"
) -> None:
    """As the worker leaves the learner's jobs: done, or dead with the failure's code and text."""
    async with db.owner() as conn:
        await conn.execute(
            "update private.job_outbox set status = $3, last_error_code = $4, "
            "last_error = case when $4::text is not null then $5 end, finished_at = now() "
            "where kind = $1 and profile_id = $2 and status <> 'done'",
            KIND,
            profile_id,
            status,
            code,
            error,
        )


async def store_plan(db: TestDatabase, profile_id: uuid.UUID) -> dict[str, Any]:
    plan = {"title": "Plan", "summary": "Practice for work.", "modules": [module("clients", "negotiations")]}
    async with db.owner() as conn:
        await conn.execute(
            "update app.learning_plans set status = 'ready', plan = $2::jsonb, inputs = '{}', schema_version = 1, "
            "model = 'fake-chat', generated_at = now() where profile_id = $1",
            profile_id,
            json.dumps(plan),
        )
    return plan


@pytest.fixture
async def alice(db: TestDatabase) -> uuid.UUID:
    return await create_user(db, "alice")


async def test_asking_for_a_plan_needs_a_signed_in_learner_with_completed_onboarding(
    db: TestDatabase, alice: uuid.UUID
) -> None:
    anon = await db.as_anon().rpc("request_learning_plan")
    assert anon.status == 401
    early = await db.as_user(alice).rpc("request_learning_plan")
    assert (early.status, early.code) == (409, "ai.onboarding_incomplete")
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.ai_requests") == 0  # nothing counted or written
    assert await plan_jobs(db, alice) == []
    none = await db.as_user(alice).rpc("my_learning_plan")
    assert (none.status, none.body) == (200, {"status": "none", "plan": None})


async def test_asking_again_joins_the_queued_generation_and_keeps_the_current_plan_readable(
    db: TestDatabase, alice: uuid.UUID
) -> None:
    await complete_onboarding(db, alice, PAIRS)
    (first,) = await plan_jobs(db, alice)
    again = await db.as_user(alice).rpc("request_learning_plan")
    assert (again.status, again.body["status"]) == (200, "pending")
    assert [j["job_id"] for j in await plan_jobs(db, alice)] == [first["job_id"]]  # joined, not duplicated

    await finish_jobs(db, alice)
    plan = await store_plan(db, alice)
    renewed = await db.as_user(alice).rpc("request_learning_plan")
    assert renewed.status == 200
    assert (renewed.body["status"], renewed.body["plan"]) == ("pending", plan)  # the old plan stays readable
    jobs = await plan_jobs(db, alice)
    assert len(jobs) == 2 and jobs[1]["status"] == "pending" and jobs[1]["delay"].total_seconds() <= 0


async def test_the_per_learner_limit_counts_generations_that_ran_and_answers_429(
    db: TestDatabase, alice: uuid.UUID, openai_env: FakeOpenAI
) -> None:
    openai_env.chat_responder = plan_responder
    bob = await create_user(db, "bob")
    await complete_onboarding(db, alice, PAIRS)
    await complete_onboarding(db, bob, PAIRS)
    async with db.owner() as conn:
        await conn.execute(
            "update private.ai_rate_limits set max_requests = 2 where feature = 'learning_plan_regeneration'"
        )
    for _ in range(3):  # asking while onboarding's plan is queued joins it, and costs nothing
        assert (await db.as_user(alice).rpc("request_learning_plan")).status == 200
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", alice) == 0
    await run_plan_jobs(db, alice)  # the first generation: charged when it runs
    assert (await db.as_user(alice).rpc("request_learning_plan")).status == 200
    await run_plan_jobs(db, alice)
    jobs_before = len(await plan_jobs(db, alice))
    limited = await db.as_user(alice).rpc("request_learning_plan")
    assert (limited.status, limited.code) == (429, "ai.rate_limited")
    assert 0 < limited.body["details"]["retry_after_seconds"] <= 86400
    assert len(await plan_jobs(db, alice)) == jobs_before
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", alice) == 2
    assert len(openai_env.requests_to("/v1/chat/completions")) == 2
    assert (await db.as_user(bob).rpc("request_learning_plan")).status == 200  # bob's quota is his own


async def run_plan_jobs(db: TestDatabase, profile_id: uuid.UUID) -> None:
    for job in await plan_jobs(db, profile_id):
        if job["status"] == "pending":
            await run_inline(db, int(job["job_id"]))


async def test_choice_changes_after_completion_ask_for_one_debounced_plan(db: TestDatabase, alice: uuid.UUID) -> None:
    client = db.as_user(alice)
    await client.rpc("set_native_language", {"native_language": "english"})
    await client.rpc("set_industry", {"industry": "banking_finance"})
    assert await plan_jobs(db, alice) == []  # changes before completion ask for nothing
    await complete_onboarding(db, alice, PAIRS)
    await finish_jobs(db, alice)

    assert (await client.rpc("set_communication_partners", {"partners": ["clients", "suppliers"]})).status == 200
    assert (
        await client.rpc("set_partner_situations", {"partner": "suppliers", "situations": ["meetings"]})
    ).status == 200
    assert (await client.rpc("set_industry", {"industry": "real_estate"})).status == 200
    jobs = await plan_jobs(db, alice)
    pending = [j for j in jobs if j["status"] == "pending"]
    assert len(pending) == 1  # three changes, one generation
    assert pending[0]["dedupe_key"] == f"{KIND}:{alice}"
    assert 60 < pending[0]["delay"].total_seconds() <= 120  # runs after the debounce delay


async def test_each_change_pushes_the_queued_generation_back_and_a_request_brings_it_forward(
    db: TestDatabase, alice: uuid.UUID
) -> None:
    await complete_onboarding(db, alice, PAIRS)
    await finish_jobs(db, alice)
    client = db.as_user(alice)
    assert (await client.rpc("set_industry", {"industry": "real_estate"})).status == 200
    async with db.owner() as conn:  # most of the debounce delay passes
        await conn.execute(
            "update private.job_outbox set run_after = now() + interval '10 seconds' "
            "where kind = $1 and profile_id = $2 and status = 'pending'",
            KIND,
            alice,
        )
    assert (await client.rpc("set_industry", {"industry": "banking_finance"})).status == 200
    (pending,) = [j for j in await plan_jobs(db, alice) if j["status"] == "pending"]
    assert 60 < pending["delay"].total_seconds() <= 120  # counted again from the latest change
    assert (await client.rpc("request_learning_plan")).status == 200
    (asked,) = [j for j in await plan_jobs(db, alice) if j["status"] == "pending"]
    assert asked["job_id"] == pending["job_id"] and asked["delay"].total_seconds() <= 0  # the same job, now


async def test_a_dead_job_marks_the_plan_failed_with_its_code_and_keeps_the_last_good_plan(
    db: TestDatabase, alice: uuid.UUID
) -> None:
    await complete_onboarding(db, alice, PAIRS)
    await finish_jobs(db, alice)
    plan = await store_plan(db, alice)
    await db.as_user(alice).rpc("request_learning_plan")
    await finish_jobs(db, alice, "dead", "jobs.failed", "ConnectionResetError: something the worker wrote")
    mine = (await db.as_user(alice).rpc("my_learning_plan")).body
    assert (mine["status"], mine["failure_code"], mine["plan"]) == ("failed", "ai.upstream_error", plan)
    events = [m for m in await sent_messages(db, f"user:{alice}") if m["event"].startswith("learning_plan")]
    assert [e["event"] for e in events] == ["learning_plan_ready", "learning_plan_failed"]
    assert events[-1]["payload"]["failure_code"] == "ai.upstream_error"


async def test_learners_cannot_write_plans_or_usage_and_read_only_their_own(db: TestDatabase, alice: uuid.UUID) -> None:
    bob = await create_user(db, "bob")
    await complete_onboarding(db, alice, PAIRS)
    async with db.owner() as conn:
        await conn.execute(
            "insert into app.ai_usage (profile_id, feature, model, prompt_tokens, completion_tokens) "
            "values ($1, 'learning_plan', 'm', 10, 5), ($2, 'learning_plan', 'm', 1, 1)",
            alice,
            bob,
        )
    mine = await db.as_user(alice).sql("select profile_id::text, total_tokens from app.ai_usage")
    assert mine.body == [{"profile_id": str(alice), "total_tokens": 15}]
    forged = await db.as_user(bob).sql(
        f"insert into app.learning_plans (profile_id, status) values ('{bob}', 'pending')"
    )
    assert forged.code == "42501"
    tampered = await db.as_user(alice).sql("update app.learning_plans set status = 'ready'")
    assert tampered.code == "42501"
    assert (await db.as_user(bob).sql("select * from app.learning_plans")).body == []
    assert (await db.as_anon().sql("select private.ai_take_quota('practice_scenario')")).code == "42501"


async def test_a_job_cut_by_the_worker_timeout_reads_as_an_upstream_timeout(db: TestDatabase, alice: uuid.UUID) -> None:
    await complete_onboarding(db, alice, PAIRS)
    await finish_jobs(db, alice, "dead", "jobs.timeout", "timed out after 600 s")
    mine = (await db.as_user(alice).rpc("my_learning_plan")).body
    assert (mine["status"], mine["failure_code"], mine["plan"]) == ("failed", "ai.upstream_timeout", None)
