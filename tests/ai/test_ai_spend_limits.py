"""Every path that spends AI money, driven 100 times by one learner: the calls that reach the (fake)
OpenAI never exceed that learner's limits (private.ai_rate_limits). Jobs run inline as the worker runs
them, right after each request, so nothing is left queued that could hide a call."""

from __future__ import annotations

from tests.ai.inline import pending_jobs, run_inline
from tests.ai.test_job_role_enrichment import proposal_for, seed_catalogue
from tests.fakes.openai_server import FakeOpenAI
from tests.support.database import TestDatabase
from tests.support.users import create_user

CHAT = "/v1/chat/completions"
TIMES = 100


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
