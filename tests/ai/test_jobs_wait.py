"""AI jobs during an upstream outage: a failed call is a failed attempt (retried with backoff); once the
circuit is open, jobs wait for it (the same row, pending again after Retry-After, no attempt spent)
without calling upstream; a 429's Retry-After is waited out within the attempt."""

from __future__ import annotations

import json

import pytest

from jobs.registry import JobServices
from tests.ai import inline
from tests.ai.conftest import settings_for
from tests.ai.inline import pending_jobs, run_inline
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import plan_responder
from tests.fakes.openai_server import FakeOpenAI, Fault
from tests.support.database import TestDatabase
from tests.support.users import create_user

CHAT = "/v1/chat/completions"
KIND = "learning_plans__generate"


async def test_an_open_circuit_makes_jobs_wait_without_calling_upstream(
    db: TestDatabase, openai_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_to_open = settings_for(openai_env, max_attempts=1, breaker_failures=1, breaker_cooldown_seconds=600)
    monkeypatch.setattr(inline, "services", JobServices(openai=quick_to_open))
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    await complete_onboarding(db, alice, {"clients": ["meetings"]})
    await complete_onboarding(db, bob, {"clients": ["meetings"]})
    alices, bobs = await pending_jobs(db, KIND)
    openai_env.fail(Fault(status=500))

    with pytest.raises(Exception, match=r"ai\.upstream_error"):  # a failed attempt: the worker retries it later
        await run_inline(db, int(alices["job_id"]))
    assert await run_inline(db, int(bobs["job_id"])) == "deferred"  # circuit open: bob's job waits for it
    assert len(openai_env.requests_to(CHAT)) == 1
    waiting = [j for j in await pending_jobs(db, KIND) if j["profile_id"] == bob]
    assert [j["job_id"] for j in waiting] == [bobs["job_id"]]  # the same row, not a copy
    async with db.owner() as conn:
        delay = await conn.fetchval("select extract(epoch from $1::timestamptz - now())", waiting[0]["run_after"])
        attempts = await conn.fetchval("select attempts from private.job_outbox where job_id = $1", bobs["job_id"])
        plan = await conn.fetchrow("select status, failure_code from app.learning_plans where profile_id = $1", bob)
        charged = await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", bob)
    assert 500 < delay <= 600  # after the breaker's remaining cooldown
    assert attempts == 0 and charged == 0  # neither an attempt nor bob's quota is spent on waiting
    assert (plan["status"], plan["failure_code"]) == ("failed", "ai.circuit_open")  # says why it waits


async def test_a_429_retry_after_is_waited_out_within_the_job(db: TestDatabase, openai_env: FakeOpenAI) -> None:
    alice = await create_user(db, "alice")
    await complete_onboarding(db, alice, {"clients": ["meetings"]})
    (job,) = await pending_jobs(db, KIND)
    openai_env.chat_responder = plan_responder
    openai_env.fail(Fault(status=429, retry_after="1"))
    await run_inline(db, int(job["job_id"]))
    first, second = openai_env.requests_to(CHAT)
    assert second.at - first.at >= 1.0
    async with db.owner() as conn:
        plan = await conn.fetchval(
            "select plan from app.learning_plans where profile_id = $1 and status = 'ready'", alice
        )
    assert [m["partner"] for m in json.loads(plan)["modules"]] == ["clients"]
