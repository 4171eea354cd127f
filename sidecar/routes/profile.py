"""GET /v1/me: the caller's profile, read as the user (the guard and acting_as, end to end)."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from litestar import get
from litestar.di import NamedDependency

from sidecar.acting import acting_as
from sidecar.auth.guard import UserClaims
from sidecar.openapi_problems import SIGNED_IN, problem_responses


@get(
    "/v1/me",
    tags=["profile"],
    summary="The signed-in user's profile, roles and permissions",
    responses=problem_responses(*SIGNED_IN, 404),
)
async def me(claims: NamedDependency[UserClaims], pool: NamedDependency[asyncpg.Pool]) -> dict[str, Any]:
    async with acting_as(pool, claims, readonly=True, method="GET", path="/v1/me") as conn:
        raw = await conn.fetchval("select api.me()")
    result: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return result
