"""Liveness (the process answers) and readiness (PostgreSQL and Redis answer, within a short timeout).

Readiness also says which engine answers job-role searches: a lexical fallback is a degraded search,
not an unready sidecar, so it never turns readiness red."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from redis.asyncio import Redis

from sidecar.search.engine import JobRoleSearch

CHECK_TIMEOUT_SECONDS = 2.0


@get("/health/live", tags=["health"], summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


async def _database(pool: asyncpg.Pool) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            return bool(await pool.fetchval("select 1") == 1)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False


async def _redis(redis: Redis) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            return bool(await redis.ping())
    except (OSError, TimeoutError, Exception):
        return False


@get(
    "/health/ready",
    tags=["health"],
    summary="PostgreSQL and Redis are reachable",
    responses={503: ResponseSpec(data_container=dict[str, Any], description="PostgreSQL or Redis is unreachable")},
)
async def ready(
    pool: NamedDependency[asyncpg.Pool],
    redis: NamedDependency[Redis],
    job_role_search: NamedDependency[JobRoleSearch],
) -> Response[dict[str, Any]]:
    database_ok, redis_ok = await asyncio.gather(_database(pool), _redis(redis))
    checks = {
        "database": "ok" if database_ok else "unavailable",
        "redis": "ok" if redis_ok else "unavailable",
        "job_role_search": job_role_search.state,
    }
    ok = database_ok and redis_ok
    return Response({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)
