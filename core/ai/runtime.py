"""The AI client of a long-lived process (worker or sidecar) and what jobs do with AI outcomes.

One `AIClient` per process and event loop: its circuit breaker must see every call the process makes.
The jobs runner may replace its event loop after a crash; the SDK's connection pool belongs to a loop,
so a new loop gets a new client (the breaker carries over).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from core.ai.breaker import CircuitBreaker
from core.ai.client import AIClient, Usage
from core.ai.settings import OpenAISettings

log = logging.getLogger("fluentpro.ai")
_clients: dict[tuple[int, OpenAISettings], AIClient] = {}
_breakers: dict[OpenAISettings, CircuitBreaker] = {}


def process_client(settings: OpenAISettings) -> AIClient:
    """The process's client for the running loop and the settings it was started with."""
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
    """Record the tokens of each call for `profile_id` (None: nobody's), as the owner, with the job's writes.
    Through private.record_ai_usage, the one writer of app.ai_usage (the sidecar's path calls it too)."""
    await conn.executemany(
        "select private.record_ai_usage($1, $2, $3, $4, $5)",
        [(profile_id, feature, u.model, u.prompt_tokens, u.completion_tokens) for u in usage],
    )
