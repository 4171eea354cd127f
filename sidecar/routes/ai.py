"""POST /v1/ai/practice-scenario: a role-play scenario for one (partner, situation) module of the
caller's learning plan, streamed as server-sent events.

Order of checks: signed in (guard) -> AI available (not configured / circuit open: 503 at once, no
quota spent) -> body -> the caller's plan has that module (409 / 422) -> the global daily AI budget
(503 ai.budget_exhausted) -> the per-user rate limit (429 with Retry-After) -> the upstream stream is
opened (its failures answer 502/503 as a problem document, before any event) -> events: `scenario`
(the module), `delta`* (text, in order), `done`.
A failure after the first event ends the stream with an `error` event carrying the code.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage

from core.ai.breaker import BreakerState
from core.ai.client import AIClient, Usage
from core.ai.errors import AIError, AINotConfigured
from core.ai.prompts import scenario_messages
from sidecar.acting import acting_as
from sidecar.auth.guard import UserClaims
from sidecar.errors import ProblemError
from sidecar.openapi_problems import SIGNED_IN, problem_responses

PATH = "/v1/ai/practice-scenario"
FEATURE = "practice_scenario"
Slug = Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{1,62}$")]


class ScenarioRequest(msgspec.Struct, forbid_unknown_fields=True):
    partner: Slug
    situation: Slug


def ensure_available(client: AIClient) -> None:
    """Refuse at once, before any quota is spent, when AI is not configured or its circuit is open."""
    if not client.configured:
        raise AINotConfigured("The AI service is not configured.", retry_after=60.0)
    if client.breaker.state is BreakerState.OPEN:
        client.breaker.before_call()  # raises ai.circuit_open with the time left as Retry-After


def find_module(plan_state: dict[str, Any], body: ScenarioRequest) -> dict[str, Any]:
    plan = plan_state.get("plan")
    if not plan:
        raise ProblemError(
            "ai.plan_not_ready", "You have no learning plan yet.", 409, details={"status": plan_state.get("status")}
        )
    for module in plan.get("modules", []):
        if module.get("partner") == body.partner and module.get("situation") == body.situation:
            return dict(module)
    raise ProblemError(
        "ai.not_in_plan",
        "Your learning plan has no module for this partner and situation.",
        422,
        details={"partner": body.partner, "situation": body.situation},
    )


async def claim_scenario(pool: asyncpg.Pool, claims: UserClaims, body: ScenarioRequest) -> dict[str, Any]:
    """As the user, in one transaction: read the plan, find the module, check the global budget (it raises
    ai.budget_exhausted), take one request of the quota."""
    async with acting_as(pool, claims, path=PATH) as conn:
        raw = await conn.fetchval("select api.my_learning_plan()")
        module = find_module(json.loads(raw) if isinstance(raw, str) else raw, body)
        await conn.execute("select private.ai_require_budget()")
        wait = int(await conn.fetchval("select private.ai_take_quota($1)", FEATURE))
    if wait > 0:
        raise ProblemError(
            "ai.rate_limited",
            "Too many practice scenarios for now; try again later.",
            429,
            details={"retry_after_seconds": wait},
            headers={"Retry-After": str(wait)},
        )
    return module


async def record(pool: asyncpg.Pool, claims: UserClaims, usage: list[Usage]) -> None:
    if not usage:
        return
    async with acting_as(pool, claims, path=PATH) as conn:
        for item in usage:
            await conn.execute(
                "select private.record_my_ai_usage($1, $2, $3, $4)",
                FEATURE,
                item.model,
                item.prompt_tokens,
                item.completion_tokens,
            )


def event(name: str, data: dict[str, Any], seq: int) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=name, data=json.dumps(data, ensure_ascii=False), id=seq)


@post(
    PATH,
    tags=["ai"],
    summary="Stream a practice scenario for one module of your learning plan",
    status_code=200,
    responses=problem_responses(*SIGNED_IN, 404, 409, 422, 429, 502),
)
async def practice_scenario(
    claims: NamedDependency[UserClaims],
    data: JSONBody[ScenarioRequest],
    pool: NamedDependency[asyncpg.Pool],
    ai_client: NamedDependency[AIClient],
) -> ServerSentEvent:
    ensure_available(ai_client)
    module = await claim_scenario(pool, claims, data)
    usage: list[Usage] = []
    context = {
        "partner": data.partner,
        "situation": data.situation,
        "module_title": module.get("title"),
        "goals": module.get("goals", []),
        "key_phrases": module.get("key_phrases", []),
        "scenario_ideas": module.get("scenarios", []),
    }
    deltas = ai_client.chat_stream(messages=scenario_messages(context), on_usage=usage.append)
    try:
        first = await anext(deltas)  # opening failures (AIError) become a problem response, not a broken stream
    except StopAsyncIteration:
        first = ""

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        seq = 0
        yield event(
            "scenario", {"partner": data.partner, "situation": data.situation, "title": module.get("title")}, seq
        )
        try:
            text = first
            while True:
                if text:
                    seq += 1
                    yield event("delta", {"text": text}, seq)
                try:
                    text = await anext(deltas)
                except StopAsyncIteration:
                    break
        except AIError as exc:
            yield event("error", {"code": exc.code, "message": exc.message}, seq + 1)
            return
        finally:
            await deltas.aclose()
            await record(pool, claims, usage)
        tokens = sum(u.total_tokens for u in usage)
        yield event("done", {"deltas": seq, "total_tokens": tokens}, seq + 1)

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store"})
