"""learning_plans__generate end to end: onboarding completed through the RPCs, the real relay and worker
processes, the real `openai` SDK against the fake server; then what the owner (and nobody else) reads."""

from __future__ import annotations

import json
from typing import Any

from core.ai.plan import PlanContext, validate_plan
from core.ai.prompts import input_of
from tests.ai.conftest import ai_env
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import plan_responder
from tests.fakes.openai_server import FakeOpenAI
from tests.jobs.stack import JobStack, wait_for
from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

KIND = "learning_plans__generate"
CHAT = "/v1/chat/completions"
PAIRS = {"senior_management": ["meetings", "briefings"], "clients": ["negotiations"]}
EXPECTED = [("senior_management", "meetings"), ("senior_management", "briefings"), ("clients", "negotiations")]


async def plan_row(db: TestDatabase, profile_id: Any) -> dict[str, Any] | None:
    async with db.owner() as conn:
        row = await conn.fetchrow("select * from app.learning_plans where profile_id = $1", profile_id)
    return dict(row) if row else None


async def jobs_of(db: TestDatabase, profile_id: Any) -> list[dict[str, Any]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select * from private.job_outbox where kind = $1 and profile_id = $2 order by job_id", KIND, profile_id
        )
    return [dict(r) for r in rows]


def start(stack: JobStack, fake: FakeOpenAI | None) -> None:
    stack.overrides = ai_env(fake)
    stack.start("relay")
    stack.start("worker")


async def test_completed_onboarding_yields_a_plan_fitted_to_the_choices_for_the_owner_only(
    db: TestDatabase, ai_stack: JobStack, fake_openai: FakeOpenAI
) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    fake_openai.chat_responder = plan_responder
    await complete_onboarding(db, alice, PAIRS)
    assert (await plan_row(db, alice) or {}).get("status") == "pending"  # visible as soon as it is asked for

    start(ai_stack, fake_openai)

    async def ready() -> Any:
        row = await plan_row(db, alice)
        return row if row and row["status"] == "ready" else None

    row = await wait_for(ready, "alice's plan to be ready", ai_stack)
    plan = json.loads(row["plan"])
    assert [(m["partner"], m["situation"]) for m in plan["modules"]] == EXPECTED
    assert row["schema_version"] == 1 and row["model"] == "fake-chat"

    # The model was asked with alice's choices, pairs in her priority order, and the plan schema.
    request = fake_openai.requests_to(CHAT)[0].body
    sent = input_of(request["messages"])
    assert sent["native_language"] == "Traditional Chinese"
    assert sent["industry"] == "Banking & Finance"
    assert [(p["partner"], p["situation"]) for p in sent["pairs_in_priority_order"]] == EXPECTED
    assert request["response_format"]["json_schema"]["name"] == "learning_plan"
    assert validate_plan(plan, _context_from(sent)).title == plan["title"]  # stored plan passes the schema

    mine = await db.as_user(alice).rpc("my_learning_plan")
    assert mine.status == 200
    assert (mine.body["status"], mine.body["plan"]) == ("ready", plan)
    theirs = await db.as_user(bob).rpc("my_learning_plan")
    assert (theirs.status, theirs.body["status"], theirs.body["plan"]) == (200, "none", None)
    peek = await db.as_user(bob).sql("select plan from app.learning_plans")
    assert peek.status == 200 and peek.body == []
    assert (await db.as_anon().rpc("my_learning_plan")).status == 401

    events = [m["event"] for m in await sent_messages(db, f"user:{alice}")]
    assert "learning_plan_ready" in events
    assert all(not e.startswith("learning_plan") for e in [m["event"] for m in await sent_messages(db, f"user:{bob}")])
    async with db.owner() as conn:
        usage = await conn.fetch("select feature, model, total_tokens from app.ai_usage where profile_id = $1", alice)
    assert [(u["feature"], u["model"]) for u in usage] == [("learning_plan", "fake-chat")]
    assert usage[0]["total_tokens"] > 0


def _context_from(sent: dict[str, Any]) -> PlanContext:
    from core.ai.plan import Pair

    return PlanContext(
        native_language=sent["native_language"],
        industry=sent["industry"],
        job_role_title=sent["job_role"]["title"],
        job_role_description=sent["job_role"]["description"],
        pairs=tuple(Pair(**p) for p in sent["pairs_in_priority_order"]),
        catalogue_partners=tuple(sent["catalogue_partners"]),
        catalogue_situations=tuple(sent["catalogue_situations"]),
    )


async def test_schema_breaking_output_is_retried_then_the_job_fails_and_nothing_is_stored(
    db: TestDatabase, ai_stack: JobStack, fake_openai: FakeOpenAI
) -> None:
    alice = await create_user(db, "alice")
    fake_openai.chat_responder = lambda _body: json.dumps({"title": "Half a plan", "modules": []})
    await complete_onboarding(db, alice, PAIRS)
    start(ai_stack, fake_openai)

    async def failed() -> Any:
        row = await plan_row(db, alice)
        return row if row and row["status"] == "failed" else None

    row = await wait_for(failed, "alice's plan to fail", ai_stack)
    assert row["failure_code"] == "ai.invalid_output"
    assert row["plan"] is None and row["inputs"] is None  # nothing partial
    (job,) = await jobs_of(db, alice)
    assert job["status"] == "dead"
    assert job["attempts"] == 1  # no point in new attempts: the model was already asked three times
    assert "ai.invalid_output" in job["last_error"]
    assert len(fake_openai.requests_to(CHAT)) == 3
    mine = await db.as_user(alice).rpc("my_learning_plan")
    assert (mine.body["status"], mine.body["failure_code"], mine.body["plan"]) == ("failed", "ai.invalid_output", None)
    assert "learning_plan_failed" in [m["event"] for m in await sent_messages(db, f"user:{alice}")]


async def test_without_openai_configured_the_plan_says_so_and_its_one_job_waits(
    db: TestDatabase, ai_stack: JobStack
) -> None:
    alice = await create_user(db, "alice")
    await complete_onboarding(db, alice, PAIRS)
    start(ai_stack, None)

    async def told() -> Any:
        row = await plan_row(db, alice)
        return row if row and row["status"] == "failed" else None

    row = await wait_for(told, "alice's plan to say why it waits", ai_stack)
    assert row["failure_code"] == "ai.not_configured" and row["plan"] is None
    mine = (await db.as_user(alice).rpc("my_learning_plan")).body
    assert (mine["status"], mine["failure_code"]) == ("failed", "ai.not_configured")

    # Changing a choice, then asking again, joins the one waiting job (the request brings it forward, to
    # now): no copies, nothing charged.
    reorder = {"partners": list(reversed(PAIRS))}
    assert (await db.as_user(alice).rpc("set_communication_partners", reorder)).status == 200
    assert (await db.as_user(alice).rpc("request_learning_plan")).status == 200

    async def waits_again() -> Any:
        rows = await jobs_of(db, alice)
        waiting = len(rows) == 1 and rows[0]["status"] == "pending" and rows[0]["last_error"] is not None
        return rows if waiting and rows[0]["dispatches"] >= 2 else None

    (job,) = await wait_for(waits_again, "the same job to be tried again and wait again", ai_stack)
    assert job["attempts"] == 0 and job["last_error"].startswith("ai.not_configured")
    async with db.owner() as conn:
        assert await conn.fetchval("select $1::timestamptz > now()", job["run_after"])
        assert await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", alice) == 0
    events = [(m["event"], (m["payload"] or {}).get("failure_code")) for m in await sent_messages(db, f"user:{alice}")]
    assert ("learning_plan_failed", "ai.not_configured") in events
    assert not any(e.startswith("job_") for e, _ in events)  # the job never ended: no job_done, no job_dead
    assert (await plan_row(db, alice) or {})["failure_code"] == "ai.not_configured"
