"""The global daily AI budget: admins set it (ai.manage); once today's tokens reach it every AI path
stops cleanly: requests answer ai.budget_exhausted (503), jobs wait as the same row (no attempt spent,
no copy, no job_done), and the plan says why. Raising the budget lets the waiting jobs run at once."""

from __future__ import annotations

from typing import Any

from tests.ai.conftest import settings_for
from tests.ai.inline import pending_jobs, run_inline
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import plan_responder
from tests.ai.test_job_role_enrichment import proposal_for, seed_catalogue, submit_custom_role
from tests.ai.test_practice_scenario import SCENARIO, StartSidecar, give_plan, start_sidecar  # noqa: F401 (a fixture)
from tests.fakes.openai_server import FakeOpenAI
from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

CHAT = "/v1/chat/completions"
PLAN = "learning_plans__generate"
ENRICH = "job_roles__enrich"
PAIRS = {"clients": ["negotiations"], "suppliers": ["meetings"]}


async def test_only_ai_managers_see_and_set_the_budget(db: TestDatabase) -> None:
    admin = await create_user(db, "admin", roles=["admin"])
    alice = await create_user(db, "alice")
    for name, args in [("ai_budget", {}), ("set_ai_budget", {"daily_tokens": 10})]:
        refused = await db.as_user(alice).rpc(name, args)
        assert (refused.status, refused.code) == (403, "ai.forbidden"), name
    invalid = await db.as_user(admin).rpc("set_ai_budget", {"daily_tokens": -1})
    assert (invalid.status, invalid.code) == (400, "ai.invalid_budget")
    assert (await db.as_user(admin).rpc("ai_budget")).body["daily_tokens"] is None  # no budget until set
    state = await db.as_user(admin).rpc("set_ai_budget", {"daily_tokens": 5000})
    assert state.status == 200
    assert (state.body["daily_tokens"], state.body["spent_tokens_today"], state.body["exhausted"]) == (5000, 0, False)
    async with db.owner() as conn:
        await conn.execute(
            "insert into app.ai_usage (profile_id, feature, model, prompt_tokens, completion_tokens) "
            "values ($1, 'practice_scenario', 'm', 4000, 1000)",
            alice,
        )
    spent = (await db.as_user(admin).rpc("ai_budget")).body
    assert (spent["spent_tokens_today"], spent["exhausted"]) == (5000, True)


def respond(body: dict[str, Any]) -> str:
    """The fake model's answer to each of our prompts: a scenario (streamed), an enrichment, or a plan."""
    if body.get("stream"):
        return SCENARIO
    schema = body["response_format"]["json_schema"]["name"]
    return proposal_for(body) if schema == "job_role_enrichment" else plan_responder(body)


async def job_row(db: TestDatabase, job_id: object) -> dict[str, object]:
    async with db.owner() as conn:
        row = await conn.fetchrow(
            "select status, attempts, last_error, run_after > now() + interval '1 second' as later, "
            "run_after <= date_trunc('day', now(), 'UTC') + interval '1 day 1 second' as by_midnight "
            "from private.job_outbox where job_id = $1",
            job_id,
        )
    return dict(row)


async def test_a_spent_budget_stops_every_ai_path_until_an_admin_raises_it(
    db: TestDatabase,
    openai_env: FakeOpenAI,
    start_sidecar: StartSidecar,  # noqa: F811 (the fixture imported above)
) -> None:
    await seed_catalogue(db, 20)
    admin = await create_user(db, "admin", roles=["admin"])
    alice, bob, carol = [await create_user(db, name) for name in ("alice", "bob", "carol")]
    openai_env.chat_responder = respond
    assert (await db.as_user(admin).rpc("set_ai_budget", {"daily_tokens": 1})).status == 200
    await complete_onboarding(db, alice, PAIRS)
    (first,) = await pending_jobs(db, PLAN)
    assert await run_inline(db, int(first["job_id"])) == "done"  # spends more than the whole budget
    assert (await db.as_user(admin).rpc("ai_budget")).body["exhausted"] is True
    calls = len(openai_env.requests_to(CHAT))

    # Alice's automatic regeneration waits, as the same row, and her plan says why.
    reorder = {"partners": list(reversed(PAIRS))}
    assert (await db.as_user(alice).rpc("set_communication_partners", reorder)).status == 200
    (regeneration,) = await pending_jobs(db, PLAN)
    assert await run_inline(db, int(regeneration["job_id"])) == "deferred"
    waiting = await job_row(db, regeneration["job_id"])
    assert (waiting["status"], waiting["attempts"], waiting["later"], waiting["by_midnight"]) == (
        "pending",
        0,
        True,
        True,
    )
    assert str(waiting["last_error"]).startswith("ai.budget_exhausted")
    mine = (await db.as_user(alice).rpc("my_learning_plan")).body
    assert (mine["status"], mine["failure_code"]) == ("failed", "ai.budget_exhausted") and mine["plan"]
    asked = await db.as_user(alice).rpc("request_learning_plan")
    assert (asked.status, asked.code) == (503, "ai.budget_exhausted")
    assert 0 < asked.body["details"]["retry_after_seconds"] <= 86400

    # Carol's custom role is filed; its enrichment waits.
    await submit_custom_role(db, carol)
    (enrichment,) = await pending_jobs(db, ENRICH)
    assert await run_inline(db, int(enrichment["job_id"])) == "deferred"
    assert str((await job_row(db, enrichment["job_id"]))["last_error"]).startswith("ai.budget_exhausted")

    # Bob's practice scenario is refused by the sidecar.
    await give_plan(db, bob)
    sidecar = await start_sidecar(settings_for(openai_env))
    refused = await sidecar.ask(bob, name="bob")
    assert (refused.status_code, refused.json()["code"]) == (503, "ai.budget_exhausted")

    assert len(openai_env.requests_to(CHAT)) == calls  # nothing reached OpenAI after the budget was spent
    async with db.owner() as conn:
        charged = await conn.fetchval(
            "select count(*) from private.ai_requests where feature <> 'custom_role_enrichment'"
        )
    assert charged == 1  # only the plan that ran: waiting and refusals cost no quota
    events = [(m["event"], (m["payload"] or {}).get("failure_code")) for m in await sent_messages(db, f"user:{alice}")]
    assert ("learning_plan_failed", "ai.budget_exhausted") in events
    assert [e for e, _ in events].count("job_done") == 1  # the first plan's job only: a waiting job never "ends"

    # An admin lifts the budget: the waiting jobs are due at once and run.
    assert (await db.as_user(admin).rpc("set_ai_budget", {"daily_tokens": None})).status == 200
    assert not (await job_row(db, regeneration["job_id"]))["later"]
    assert await run_inline(db, int(regeneration["job_id"])) == "done"
    assert await run_inline(db, int(enrichment["job_id"])) == "done"
    assert (await db.as_user(alice).rpc("my_learning_plan")).body["status"] == "ready"
    assert len(openai_env.requests_to(CHAT)) == calls + 2
    assert (await sidecar.ask(bob, name="bob")).status_code == 200
