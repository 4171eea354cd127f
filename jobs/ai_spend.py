"""What AI jobs check before they spend: the AI service is there, the global daily budget is not spent,
and (for work a learner caused) the learner's limit has room. Each refusal is a `JobDeferred`: the job
waits as the same outbox row, its attempt not spent, and is tried again when the wait is over.

The learner's charge commits before the AI call, in a statement of its own (the lock that serialises
their charges held only for it), and is given back if the work fails or waits: only work that ran
counts, and no transaction stays open across the call.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from core.ai.client import AIClient
from core.ai.errors import AINotConfigured, AIUnavailable
from jobs.registry import JobDeferred

log = logging.getLogger("fluentpro.jobs.ai_spend")

# A not-configured service is looked at again this often (the client suggests an hour; a deploy that
# sets the key should not leave plans waiting that long).
NOT_CONFIGURED_RETRY_SECONDS = 300.0


def deferral(error: AIUnavailable) -> JobDeferred:
    """The AI service cannot serve now (not configured, circuit open, upstream overloaded): wait."""
    retry_in = NOT_CONFIGURED_RETRY_SECONDS if isinstance(error, AINotConfigured) else error.retry_after or 60.0
    return JobDeferred(error.code, error.message, max(retry_in, 5.0))


def require_configured(client: AIClient) -> None:
    if not client.configured:
        raise deferral(AINotConfigured("the AI service is not configured (OPENAI_API_KEY is unset)"))


async def require_budget(conn: asyncpg.Connection) -> None:
    wait = int(await conn.fetchval("select private.ai_budget_wait()"))
    if wait > 0:
        raise JobDeferred("ai.budget_exhausted", "today's AI budget is spent", wait)


@asynccontextmanager
async def charged(conn: asyncpg.Connection, learner: Any, feature: str) -> AsyncIterator[None]:
    """Budget, then one request of the learner's limit for `feature`, counted (committed) before the
    body runs; given back if the body raises (fails, times out or waits), kept when it returns."""
    await require_budget(conn)
    wait = int(await conn.fetchval("select private.ai_charge($1, $2)", learner, feature))
    if wait > 0:
        raise JobDeferred("ai.rate_limited", f"the learner's {feature} limit is used up", wait)
    try:
        yield
    except BaseException:
        try:
            await conn.execute("select private.ai_refund($1, $2)", learner, feature)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            # The connection broke with the work (a cancelled query): the charge stays, erring on the side of cost.
            log.warning("could not give back the %s charge of %s: %s", feature, learner, exc)
        raise
