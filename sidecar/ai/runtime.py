"""The AI client of a long-lived process (worker or sidecar) and what jobs do with AI outcomes.

One `AIClient` per process and event loop: its circuit breaker must see every call the process makes.
The jobs runner may replace its event loop after a crash; the SDK's connection pool belongs to a loop,
so a new loop gets a new client (the breaker carries over).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import asyncpg

from sidecar.ai.breaker import CircuitBreaker
from sidecar.ai.client import AIClient, Usage
from sidecar.ai.errors import AIUnavailable
from sidecar.ai.settings import OpenAISettings

log = logging.getLogger("fluentpro.ai")
_clients: dict[tuple[int, OpenAISettings], AIClient] = {}
_breakers: dict[OpenAISettings, CircuitBreaker] = {}


def process_client(settings: OpenAISettings | None = None) -> AIClient:
    """The process's client for the running loop and settings (read from the environment by default)."""
    settings = settings or OpenAISettings.from_env()
    key = (id(asyncio.get_running_loop()), settings)
    client = _clients.get(key)
    if client is None:
        breaker = _breakers.setdefault(
            settings, CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_seconds)
        )
        for stale in [k for k in _clients if k[0] != key[0]]:
            del _clients[stale]  # clients of a previous (closed) loop are unusable
        client = _clients[key] = AIClient(settings, breaker)
    return client


async def record_usage(conn: asyncpg.Connection, profile_id: Any, feature: str, usage: list[Usage]) -> None:
    """Insert the tokens of each call (as the owner, inside the job's transaction)."""
    await conn.executemany(
        "insert into app.ai_usage (profile_id, feature, model, prompt_tokens, completion_tokens) "
        "values ($1, $2, $3, $4, $5)",
        [(profile_id, feature, u.model, u.prompt_tokens, u.completion_tokens) for u in usage],
    )


async def wait_for_ai(
    conn: asyncpg.Connection, kind: str, payload: dict[str, Any], profile_id: Any, error: AIUnavailable
) -> int:
    """A job whose AI is unavailable waits instead of failing: it enqueues its own continuation after the
    upstream's Retry-After (or a minute) and ends. Attempts are not spent on outages or missing settings."""
    delay = max(error.retry_after or 60.0, 5.0)
    job_id: int = await conn.fetchval(
        "select private.enqueue_job($1, $2::jsonb, null, now() + make_interval(secs => $3), $4)",
        kind,
        json.dumps(payload),
        delay,
        profile_id,
    )
    log.warning("%s waits %.0fs for the AI service (%s): continues as job %s", kind, delay, error.code, job_id)
    return job_id
