"""Acting as the user: database work on a user's behalf runs as `authenticated` with their claims.

`async with acting_as(pool, claims) as conn:` opens a transaction and runs exactly the preamble
PostgREST runs (search_path "api", "extensions"; the role's statement_timeout; role authenticated;
request.jwt.claims with "role" inserted), so RLS and auth.uid() behave as for a PostgREST call.
Everything inside commits together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from sidecar.auth.guard import UserClaims

ROLE = "authenticated"
SEARCH_PATH = '"api", "extensions"'
_ROLE_TIMEOUT = """
select coalesce((
    select split_part(item, '=', 2)
    from pg_catalog.pg_db_role_setting as s
    cross join lateral unnest(s.setconfig) as item
    where s.setrole = (select oid from pg_catalog.pg_roles where rolname = $1)
      and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
      and item like 'statement_timeout=%'
    order by s.setdatabase desc
    limit 1
), '8s')
"""
# PostgREST's order: search_path, the role's settings, role, claims, then the request's method and path.
_SETTINGS = (
    "search_path",
    "statement_timeout",
    "role",
    "request.jwt.claims",
    *("request." + k for k in ("method", "path")),
)
_PREAMBLE = "select " + ", ".join(f"set_config(${i * 2 + 1}, ${i * 2 + 2}, true)" for i in range(len(_SETTINGS)))
_timeouts: dict[int, str] = {}  # per pool: the role's statement_timeout, read once (PostgREST does too)


async def role_timeout(pool: asyncpg.Pool, conn: asyncpg.Connection) -> str:
    key = id(pool)
    if key not in _timeouts:
        _timeouts[key] = str(await conn.fetchval(_ROLE_TIMEOUT, ROLE))
    return _timeouts[key]


@asynccontextmanager
async def acting_as(
    pool: asyncpg.Pool,
    claims: UserClaims | Mapping[str, Any],
    *,
    readonly: bool = False,
    method: str = "POST",
    path: str = "/sidecar",
) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside one transaction, acting as the user of `claims` (our verified token)."""
    raw = dict(claims.raw if isinstance(claims, UserClaims) else claims)
    raw["role"] = ROLE  # as PostgREST: the role it switched to is what request.jwt.claims says
    async with pool.acquire() as conn:
        timeout = await role_timeout(pool, conn)
        async with conn.transaction(isolation="read_committed", readonly=readonly):
            values = (SEARCH_PATH, timeout, ROLE, json.dumps(raw), method, path)
            await conn.execute(_PREAMBLE, *(item for pair in zip(_SETTINGS, values, strict=True) for item in pair))
            yield conn
