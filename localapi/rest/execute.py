"""The transaction PostgREST runs per request, statement for statement.

On a connection logged in as `authenticator`: BEGIN (READ ONLY for GET and HEAD, and for POST to a
stable or immutable function), one `select set_config(...)` with search_path, the role's own settings
(statement_timeout), role, request.jwt.claims (with "role" inserted), request.method, request.path,
request.headers and request.cookies; the main query; then COMMIT. An error rolls everything back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who asks and how: what PostgREST exposes to SQL through the request.* settings."""

    role: str
    claims: dict[str, Any]  # already carrying "role"
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    cookies: Mapping[str, str] = field(default_factory=dict)


def preamble(search_path: str, role_settings: Mapping[str, str], ctx: RequestContext) -> list[Any]:
    """The one set_config statement (and its parameters) PostgREST runs before the main query."""
    settings: list[tuple[str, str]] = [("search_path", search_path)]
    settings += sorted(role_settings.items())
    settings += [
        ("role", ctx.role),
        ("request.jwt.claims", json.dumps(ctx.claims)),
        ("request.method", ctx.method),
        ("request.path", ctx.path),
        ("request.headers", json.dumps(dict(ctx.headers))),
        ("request.cookies", json.dumps(dict(ctx.cookies))),
    ]
    calls = ", ".join(f"set_config(${2 * i + 1}, ${2 * i + 2}, true)" for i in range(len(settings)))
    values = [v for pair in settings for v in pair]
    return [f"select {calls}", *values]


def with_response_settings(query: str) -> str:
    """As PostgREST: response.status and response.headers are read after the main query produced its row."""
    return (
        f"with pgrst_source as materialized ({query}) select pgrst_source.*, "
        "current_setting('response.status', true) as pgrst_status, "
        "current_setting('response.headers', true) as pgrst_headers from pgrst_source"
    )


async def run_request(
    conn: asyncpg.Connection,
    setup: list[Any],
    statement: str,
    params: list[Any],
    *,
    readonly: bool,
    returns_row: bool = True,
    check: Callable[[asyncpg.Record], None] | None = None,
) -> asyncpg.Record | None:
    """One request's transaction on `conn`; a database error rolls back and propagates, and so does
    an error `check` raises on the row (PostgREST's singular-object check rolls back a write)."""
    tx = conn.transaction(isolation="read_committed", readonly=readonly)
    await tx.start()
    try:
        await conn.execute(*setup)
        if returns_row:
            row = await conn.fetchrow(statement, *params)
            if check is not None and row is not None:
                check(row)
        else:
            await conn.execute(statement, *params)
            row = None
    except BaseException:
        await tx.rollback()
        raise
    await tx.commit()
    return row


def response_overrides(status: str | None, headers: str | None) -> tuple[int | None, dict[str, str]]:
    """The status and headers a function set through response.status / response.headers."""
    merged: dict[str, str] = {}
    if headers:
        for item in json.loads(headers):
            merged.update({str(k).lower(): str(v) for k, v in item.items()})
    return (int(status) if status else None), merged
