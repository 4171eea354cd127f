"""Every way a learning-plan generation can fail, and the code each leaves: in the outbox row
(`last_error_code`, set by the runner from the exception's own code) and in the plan the learner reads
(`failure_code`). The attempts run through the worker's own code (tests/ai/inline.py); the last test
runs the real worker process. Failures with no code of their own (jobs.failed), and lost attempts
(jobs.attempt_lost), are in tests/jobs/test_worker.py.

Before the code had its own column, the plan's code was cut out of the error's text, and an upstream
error (`core.ai.errors.AIUpstreamError: ai.upstream_error: ...`) read as `ai.errors`, a code in no catalogue.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.ai.errors import AIError
from core.db.connect import connect
from jobs import registry
from jobs.registry import JobServices
from tests.ai import inline
from tests.ai.conftest import ai_env, settings_for
from tests.ai.inline import AI_JOB_MODULES, pending_jobs, run_inline
from tests.ai.onboarding import complete_onboarding
from tests.ai.plans import plan_responder
from tests.fakes.openai_server import FakeOpenAI, Fault
from tests.jobs.stack import JobStack, wait_for
from tests.support.database import TestDatabase
from tests.support.users import create_user

KIND = "learning_plans__generate"
CHAT = "/v1/chat/completions"
PAIRS = {"clients": ["negotiations"]}


async def outbox_row(db: TestDatabase, job_id: int) -> dict[str, Any]:
    async with db.owner() as conn:
        row = await conn.fetchrow(
            "select status, attempts, last_error, last_error_code from private.job_outbox where job_id = $1", job_id
        )
    assert row is not None
    return dict(row)


async def plan_of(db: TestDatabase, learner: uuid.UUID) -> tuple[str, str | None]:
    mine = (await db.as_user(learner).rpc("my_learning_plan")).body
    return mine["status"], mine["failure_code"]


async def queued_plan(db: TestDatabase) -> tuple[uuid.UUID, int]:
    learner = await create_user(db, "alice")
    await complete_onboarding(db, learner, PAIRS)
    (job,) = await pending_jobs(db, KIND)
    return learner, int(job["job_id"])


async def run_until_dead(db: TestDatabase, job_id: int, **options: Any) -> list[str]:
    """Run every attempt the kind allows; the codes each failed attempt left, in order."""
    registry.load(AI_JOB_MODULES)
    kind = registry.lookup(KIND)
    assert kind is not None
    codes = []
    for _ in range(kind.max_attempts):
        with pytest.raises((AIError, TimeoutError)):
            await run_inline(db, job_id, **options)
        codes.append((await outbox_row(db, job_id))["last_error_code"])
    return codes


async def test_an_upstream_error_is_recorded_as_ai_upstream_error(
    db: TestDatabase, openai_env: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner, job_id = await queued_plan(db)
    openai_env.fail(Fault(status=500), times=100)  # every call of every attempt...
    never_open = settings_for(openai_env, breaker_failures=100)  # ...with no circuit breaker to make it wait
    monkeypatch.setattr(inline, "services", JobServices(openai=never_open))

    codes = await run_until_dead(db, job_id)

    assert codes == ["ai.upstream_error"] * len(codes)
    row = await outbox_row(db, job_id)
    assert row["status"] == "dead" and "AIUpstreamError" in row["last_error"]
    assert await plan_of(db, learner) == ("failed", "ai.upstream_error")


async def test_a_job_past_its_time_limit_is_recorded_as_a_timeout(db: TestDatabase, openai_env: FakeOpenAI) -> None:
    learner, job_id = await queued_plan(db)
    openai_env.fail(Fault(hang=True), times=100)  # the model never answers within the job's time

    codes = await run_until_dead(db, job_id, time_limit=0.3)

    assert codes == ["jobs.timeout"] * len(codes)
    assert (await outbox_row(db, job_id))["last_error"] == "timed out after 0.3 s"
    assert await plan_of(db, learner) == ("failed", "ai.upstream_timeout")  # the plan reads as an AI outcome


async def test_output_broken_on_every_try_is_recorded_as_invalid_output(
    db: TestDatabase, openai_env: FakeOpenAI
) -> None:
    learner, job_id = await queued_plan(db)
    openai_env.chat_responder = lambda _body: '{"title": "Half a plan"}'

    with pytest.raises(Exception, match=r"ai\.invalid_output"):
        await run_inline(db, job_id)

    row = await outbox_row(db, job_id)
    assert (row["status"], row["attempts"], row["last_error_code"]) == ("dead", 1, "ai.invalid_output")
    assert await plan_of(db, learner) == ("failed", "ai.invalid_output")


async def test_without_openai_the_job_waits_with_not_configured(db: TestDatabase) -> None:
    learner, job_id = await queued_plan(db)

    assert await run_inline(db, job_id) == "deferred"

    row = await outbox_row(db, job_id)
    assert (row["status"], row["attempts"], row["last_error_code"]) == ("pending", 0, "ai.not_configured")
    assert await plan_of(db, learner) == ("failed", "ai.not_configured")


async def test_a_payload_no_attempt_can_use_is_recorded_as_invalid_payload(
    db: TestDatabase, openai_env: FakeOpenAI
) -> None:
    learner, job_id = await queued_plan(db)
    openai_env.chat_responder = plan_responder
    async with db.owner() as conn:
        await conn.execute(
            'update private.job_outbox set payload = \'{"profile_id": "not-a-uuid"}\' where job_id = $1', job_id
        )

    with pytest.raises(Exception, match="profile_id"):
        await run_inline(db, job_id)

    row = await outbox_row(db, job_id)
    assert (row["status"], row["last_error_code"]) == ("dead", "jobs.invalid_payload")
    assert await plan_of(db, learner) == ("failed", "ai.upstream_error")


async def test_the_worker_records_the_code_and_holds_no_transaction_while_the_model_thinks(
    db: TestDatabase, ai_stack: JobStack, fake_openai: FakeOpenAI
) -> None:
    learner = await create_user(db, "alice")
    await complete_onboarding(db, learner, PAIRS)
    (job,) = await pending_jobs(db, KIND)
    job_id = int(job["job_id"])
    fake_openai.fail(Fault(hang=True))  # the first call hangs until the client gives up (2 s)...
    fake_openai.fail(Fault(status=500), times=100)  # ...then every retry fails
    ai_stack.overrides = ai_env(fake_openai) | {"OPENAI_TIMEOUT_SECONDS": "2"}
    ai_stack.start("relay")
    ai_stack.start("worker")

    await wait_for(lambda: _asked(fake_openai), "the worker to call the model", ai_stack)
    conn = await connect(db.url)  # the session's own role: other sessions' states are shown to it
    try:
        worker_states = await conn.fetch(
            "select state, xact_start from pg_stat_activity where application_name = 'fluentpro_worker' "
            "and datname = current_database()"
        )
    finally:
        await conn.close()
    assert worker_states, "the worker is connected"
    assert [(r["state"], r["xact_start"]) for r in worker_states] == [("idle", None)] * len(worker_states)

    async def failed_once() -> Any:
        row = await outbox_row(db, job_id)
        return row if row["status"] in ("failed", "dead") else None

    row = await wait_for(failed_once, "the first attempt to fail", ai_stack)
    assert row["last_error_code"] == "ai.upstream_error", row


async def _asked(fake: FakeOpenAI) -> bool:
    return bool(fake.requests_to(CHAT))
