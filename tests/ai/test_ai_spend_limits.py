"""Every path that spends AI money, driven 100 times by one learner: the calls that reach the (fake)
OpenAI never exceed that learner's limits (private.ai_rate_limits). Jobs run inline as the worker runs
them, right after each request, so nothing is left queued that could hide a call."""

from __future__ import annotations

from tests.ai.conftest import settings_for
from tests.ai.inline import pending_jobs, run_inline
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import plan_responder
from tests.ai.test_job_role_enrichment import proposal_for, seed_catalogue
from tests.ai.test_practice_scenario import SCENARIO, StartSidecar, give_plan, start_sidecar  # noqa: F401 (a fixture)
from tests.fakes.openai_server import FakeOpenAI
from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

CHAT = "/v1/chat/completions"
TIMES = 100
PLAN = "learning_plans__generate"
PAIRS = {"clients": ["negotiations"], "suppliers": ["meetings"]}


async def limit_of(db: TestDatabase, feature: str) -> int:
    async with db.owner() as conn:
        limit: int = await conn.fetchval("select max_requests from private.ai_rate_limits where feature = $1", feature)
    return limit


async def run_pending(db: TestDatabase, kind: str) -> None:
    for job in await pending_jobs(db, kind):
        await run_inline(db, int(job["job_id"]))


async def test_custom_role_submissions_enrich_no_more_roles_than_the_limit(
    db: TestDatabase, openai_env: FakeOpenAI
) -> None:
    await seed_catalogue(db, 20)
    openai_env.chat_responder = proposal_for
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    assert (await client.rpc("set_industry", {"industry": "banking_finance"})).status == 200
    limit = await limit_of(db, "custom_role_enrichment")
    answers = []
    for n in range(TIMES):
        response = await client.rpc(
            "submit_custom_job_role",
            {"title": f"Treasury Role {n}", "description": f"I look after treasury task number {n} every week."},
        )
        answers.append((response.status, response.code))
        await run_pending(db, "job_roles__enrich")

    assert len(openai_env.requests_to(CHAT)) == limit
    assert answers[:limit] == [(200, None)] * limit
    assert set(answers[limit:]) == {(429, "ai.rate_limited")}
    async with db.owner() as conn:
        filed = await conn.fetchval("select count(*) from app.job_roles where created_by = $1", alice)
        queued = await conn.fetchval("select count(*) from private.job_outbox where kind = 'job_roles__enrich'")
    assert filed == queued == limit  # a refused submission files nothing for reviewers and queues nothing


async def test_resubmitting_a_role_under_review_costs_nothing(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    body = {"title": "Treasury Role", "description": "I look after the treasury every week."}
    for _ in range(await limit_of(db, "custom_role_enrichment") + 3):
        assert (await client.rpc("submit_custom_job_role", body)).status == 200
    async with db.owner() as conn:
        counted = await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", alice)
    assert counted == 1


async def unfinished_plan_jobs(db: TestDatabase, profile_id: object) -> int:
    async with db.owner() as conn:
        count: int = await conn.fetchval(
            "select count(*) from private.job_outbox where kind = $1 and profile_id = $2 and status <> 'done'",
            PLAN,
            profile_id,
        )
    return count


async def test_plan_requests_generate_no_more_plans_than_the_limit(db: TestDatabase, openai_env: FakeOpenAI) -> None:
    openai_env.chat_responder = plan_responder
    alice = await create_user(db, "alice")
    await complete_onboarding(db, alice, PAIRS)  # queues the first plan: it counts too
    limit = await limit_of(db, "learning_plan_regeneration")
    answers = []
    for _ in range(TIMES):
        response = await db.as_user(alice).rpc("request_learning_plan")
        answers.append((response.status, response.code))
        await run_pending(db, PLAN)

    assert len(openai_env.requests_to(CHAT)) == limit
    assert answers[: limit - 1] == [(200, None)] * (limit - 1)
    assert set(answers[limit:]) == {(429, "ai.rate_limited")}
    async with db.owner() as conn:
        charged = await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", alice)
    assert charged == limit


async def test_partner_reorders_regenerate_no_more_plans_than_the_limit_and_queue_one_job(
    db: TestDatabase, openai_env: FakeOpenAI
) -> None:
    openai_env.chat_responder = plan_responder
    alice = await create_user(db, "alice")
    await complete_onboarding(db, alice, PAIRS)
    limit = await limit_of(db, "learning_plan_regeneration")
    partners = list(PAIRS)
    for n in range(TIMES):
        order = partners if n % 2 else partners[::-1]
        assert (await db.as_user(alice).rpc("set_communication_partners", {"partners": order})).status == 200
        assert await unfinished_plan_jobs(db, alice) == 1  # changes coalesce into one queued generation
        await run_pending(db, PLAN)  # now, as if the debounce delay had passed

    assert len(openai_env.requests_to(CHAT)) == limit
    (waiting,) = await pending_jobs(db, PLAN)  # the rest wait for the window, as one row
    async with db.owner() as conn:
        delay = await conn.fetchval("select extract(epoch from $1::timestamptz - now())", waiting["run_after"])
    assert 3600 < delay <= 86400
    mine = (await db.as_user(alice).rpc("my_learning_plan")).body
    assert (mine["status"], mine["failure_code"]) == ("failed", "ai.rate_limited")
    assert mine["plan"] is not None  # the last good plan stays readable
    events = [m for m in await sent_messages(db, f"user:{alice}") if m["event"].startswith("learning_plan")]
    assert [e["event"] for e in events] == ["learning_plan_ready"] * limit + ["learning_plan_failed"]


async def test_practice_scenarios_reach_openai_no_more_often_than_the_limit(
    start_sidecar: StartSidecar,  # noqa: F811 (the fixture imported above)
    fake_openai: FakeOpenAI,
    db: TestDatabase,
) -> None:
    fake_openai.chat_responder = lambda _body: SCENARIO
    sidecar = await start_sidecar(settings_for(fake_openai))
    alice = await create_user(db, "alice")
    await give_plan(db, alice)
    limit = await limit_of(db, "practice_scenario")
    statuses = [(await sidecar.ask(alice)).status_code for _ in range(TIMES)]
    assert statuses == [200] * limit + [429] * (TIMES - limit)
    assert len(fake_openai.requests_to(CHAT)) == limit
