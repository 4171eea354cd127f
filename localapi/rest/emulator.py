"""The Data API for one database, callable in-process: what PostgREST does per request, statement for
statement (execute.py), behind the same verification of tokens (localapi.auth).

The HTTP routes (http.py) and the tests call the same `Client`: tests as a chosen user, role or raw
claims, the routes with the claims of a verified bearer token.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg

from localapi.auth import InvalidToken, TokenVerifier

from .execute import RequestContext, preamble, response_overrides, run_request, with_response_settings
from .query import Filter, ReadQuery, parse_order
from .read import ReadSource, content_range, read_statement, singular
from .response import ApiError, Response, error, from_postgres_error
from .routines import RoutineInfo, call_query, call_source, choose_overload
from .schema_cache import SchemaCache
from .sql import ident, qualified

OBJECT_MEDIA_TYPE = "application/vnd.pgrst.object+json"
DEFAULT_HEADERS = {"accept": "application/json", "content-type": "application/json"}


class PostgrestEmulator:
    """One PostgREST instance for one database: a pool logged in as `authenticator` and a schema cache."""

    def __init__(
        self,
        dsn: str,
        *,
        schemas: tuple[str, ...] = ("api",),
        extra_search_path: tuple[str, ...] = ("extensions",),
        jwt_keys: Any = None,
        verifier: TokenVerifier | None = None,
        anon_role: str = "anon",
        pool_max: int = 8,
    ) -> None:
        self.dsn = dsn
        self.schemas = schemas
        self.search_path = ", ".join(ident(s) for s in (*schemas, *extra_search_path))
        self.verifier = verifier if verifier is not None else (TokenVerifier(jwt_keys) if jwt_keys else None)
        self.anon_role = anon_role
        self.pool_max = pool_max
        self.pool: asyncpg.Pool | None = None
        self.cache = SchemaCache()

    @property
    def jwt_keys(self) -> Any:
        return self.verifier.keys if self.verifier is not None else None

    @jwt_keys.setter
    def jwt_keys(self, keys: Any) -> None:
        """Verify tokens with these keys from now on: an HS256 secret, a public key or a JWKS."""
        self.verifier = TokenVerifier(keys)

    @property
    def routines(self) -> dict[str, list[RoutineInfo]]:
        return self.cache.routines

    @property
    def role_settings(self) -> dict[str, dict[str, str]]:
        return self.cache.role_settings

    async def start(self) -> PostgrestEmulator:
        # No reset between requests, as PostgREST's pool: every request's settings are transaction-local
        # and vanish at COMMIT (asyncpg's default reset would add a round trip PostgREST never makes).
        self.pool = await asyncpg.create_pool(
            self.dsn, user="authenticator", min_size=1, max_size=self.pool_max, reset=_keep_connection_as_is
        )
        await self.reload_schema_cache()
        return self

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def reload_schema_cache(self) -> None:
        """As `NOTIFY pgrst, 'reload schema'` does: re-read exposed routines, relations and role settings."""
        assert self.pool is not None, "start() first"
        async with self.pool.acquire() as conn:
            self.cache = await SchemaCache.load(conn, self.schemas)

    # -- clients -------------------------------------------------------------------------------
    def as_claims(self, claims: dict[str, Any] | None) -> Client:
        return Client(self, dict(claims) if claims is not None else None)

    def as_user(self, user_id: Any, **extra: Any) -> Client:
        now = int(time.time())
        claims = {"sub": str(user_id), "role": "authenticated", "aud": "authenticated", "iat": now, "exp": now + 3600}
        claims.update(extra)
        return self.as_claims(claims)

    def as_anon(self) -> Client:
        return self.as_claims(None)

    def as_service(self) -> Client:
        now = int(time.time())
        return self.as_claims({"role": "service_role", "iat": now, "exp": now + 3600})

    def with_token(self, token: str | None) -> Client:
        """A client for a bearer token, verified as PostgREST verifies it (None: anonymous)."""
        if token is None:
            return self.as_anon()
        if self.verifier is None:
            return Client(self, None, refusal=error(500, "PGRST300", "Server lacks JWT secret"))
        try:
            return self.as_claims(self.verifier.verify(token))
        except InvalidToken as exc:
            refusal = error(401, exc.code, exc.message, headers={"www-authenticate": exc.www_authenticate})
            return Client(self, None, refusal=refusal)

    def routine(self, name: str, keys: frozenset[str]) -> RoutineInfo | None:
        return choose_overload(self.cache.routines.get(name, []), keys)


class Client:
    """Requests made with one set of claims (None: anonymous, no token), or a refused token."""

    def __init__(self, api: PostgrestEmulator, claims: dict[str, Any] | None, refusal: Response | None = None):
        self.api = api
        self.claims = claims
        self.refusal = refusal

    @property
    def role(self) -> str:
        return str((self.claims or {}).get("role") or self.api.anon_role)

    def context(self, method: str, path: str, headers: Mapping[str, str] | None = None) -> RequestContext:
        claims = dict(self.claims or {})
        claims["role"] = self.role  # PostgREST inserts the role it chose, also for anonymous requests
        return RequestContext(self.role, claims, method, path, dict(headers or DEFAULT_HEADERS))

    async def rpc(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        query: ReadQuery | None = None,
        count: bool = False,
        single: bool = False,
    ) -> Response:
        """POST (or GET/HEAD) /rpc/<name>: a set-returning function's rows are read like a view's
        (select, filters, order, range, count); others answer their value, `void` 204."""
        args = args or {}
        info = self.api.routine(name, frozenset(args))
        if info is None:
            return _no_function(self.api.schemas[0], name, args)
        readonly = method in ("GET", "HEAD") or not info.volatile
        params = [json.dumps(args)] if args else []
        ctx = self.context(method, f"/rpc/{name}", headers)
        if info.returns_set:
            prelude = f"pgrst_call_rows as materialized (select pgrst_call.* from {call_source(info, frozenset(args))})"
            source = ReadSource("pgrst_call_rows pgrst_call", "pgrst_call", dict(info.columns), prelude)
            return await self._read(ctx, source, query or ReadQuery(), params, count, single, readonly=readonly)
        row = await self.run(ctx, with_response_settings(call_query(info, frozenset(args))), params, readonly=readonly)
        if isinstance(row, Response):
            return row
        status, extra = response_overrides(row["pgrst_status"], row["pgrst_headers"])
        if info.returns_void:
            return Response(status or 204, None, extra)
        return Response(status or 200, json.loads(row[0]) if row[0] is not None else None, extra)

    async def read(
        self,
        relation: str,
        query: ReadQuery | None = None,
        *,
        count: bool = False,
        single: bool = False,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET /<relation>: rows of an exposed view or table, shaped by a parsed query string."""
        schema = self.api.schemas[0]
        found = self.api.cache.relations.get((schema, relation))
        if found is None:
            return error(404, "PGRST205", f"Could not find the table '{schema}.{relation}' in the schema cache")
        name = qualified(schema, relation)
        source = ReadSource(name, name, found.column_types)
        ctx = self.context(method, f"/{relation}", headers)
        return await self._read(ctx, source, query or ReadQuery(), [], count, single, readonly=True)

    async def select(
        self, relation: str, *, filters: dict[str, Any] | None = None, order: str | None = None
    ) -> Response:
        """A read with equality filters and an order (`col`, `col.desc`, ...), for tests."""
        try:
            conditions = tuple(Filter(column, "eq", str(value)) for column, value in (filters or {}).items())
            query = ReadQuery(conditions=conditions, order=parse_order(order) if order else ())
        except ApiError as exc:
            return exc.response
        return await self.read(relation, query)

    async def _read(
        self,
        ctx: RequestContext,
        source: ReadSource,
        query: ReadQuery,
        params: list[Any],
        count: bool,
        single: bool,
        *,
        readonly: bool,
    ) -> Response:
        statement, all_params = read_statement(source, query, params, count=count)
        row = await self.run(ctx, statement, all_params, readonly=readonly, check=_one_row if single else None)
        if isinstance(row, Response):
            return row
        status_override, extra = response_overrides(row["pgrst_status"], row["pgrst_headers"])
        body = json.loads(row["body"])
        try:
            status, extra["content-range"] = content_range(query.offset, row["pgrst_page"], row["pgrst_total"])
        except ApiError as exc:
            return exc.response
        if single:
            return Response(status_override or 200, body[0], extra, media_type=OBJECT_MEDIA_TYPE)
        return Response(status_override or status, body, extra)

    async def sql(self, query: str, *params: Any, readonly: bool = False) -> Response:
        """Raw SQL under this request's role and claims: for RLS matrices on unexposed tables (tests only;
        never reachable over HTTP)."""
        ctx = self.context("POST", "/sql")
        if not _returns_rows(query):
            outcome = await self.run(ctx, query, list(params), readonly=readonly, returns_row=False)
            return outcome if isinstance(outcome, Response) else Response(204, None)
        if _is_select(query):
            wrapped = with_response_settings(f"select coalesce(json_agg(t), '[]')::text from ({query}) t")
        else:  # insert/update/delete ... returning: a data-modifying statement must sit in a top-level WITH
            wrapped = (
                f"with t as ({query}) select coalesce(json_agg(t), '[]')::text, "
                "current_setting('response.status', true) as pgrst_status, "
                "current_setting('response.headers', true) as pgrst_headers from t"
            )
        row = await self.run(ctx, wrapped, list(params), readonly=readonly)
        if isinstance(row, Response):
            return row
        status, extra = response_overrides(row["pgrst_status"], row["pgrst_headers"])
        return Response(status or 200, json.loads(row[0]), extra)

    async def run(
        self,
        ctx: RequestContext,
        statement: str,
        params: list[Any],
        *,
        readonly: bool,
        returns_row: bool = True,
        check: Callable[[asyncpg.Record], None] | None = None,
    ) -> asyncpg.Record | Response:
        """The request's transaction; a refused token or a database error comes back as its Response,
        and so does success without a row (204)."""
        if self.refusal is not None:
            return self.refusal
        assert self.api.pool is not None, "start() first"
        setup = preamble(self.api.search_path, self.api.cache.role_settings.get(ctx.role, {}), ctx)
        try:
            async with self.api.pool.acquire() as conn:
                row = await run_request(
                    conn, setup, statement, params, readonly=readonly, returns_row=returns_row, check=check
                )
        except asyncpg.PostgresError as exc:
            return from_postgres_error(exc, ctx.role)
        except ApiError as exc:
            return exc.response
        return row if row is not None else Response(204, None)


def _one_row(row: asyncpg.Record) -> None:
    if row["pgrst_page"] != 1:
        singular([None] * int(row["pgrst_page"]))  # raises PGRST116 inside the transaction: it rolls back


def _no_function(schema: str, name: str, args: Mapping[str, Any]) -> Response:
    names = ", ".join(sorted(args))
    signature = f"({names})" if names else " without parameters"
    searched = f"with parameters {names}" if names else "without parameters"
    return error(
        404,
        "PGRST202",
        f"Could not find the function {schema}.{name}{signature} in the schema cache",
        details=f"Searched for the function {schema}.{name} {searched} or with a single unnamed json/jsonb "
        "parameter, but no matches were found in the schema cache.",
    )


async def _keep_connection_as_is(_conn: asyncpg.Connection) -> None:
    return None


def _is_select(query: str) -> bool:
    return query.lstrip().lower().startswith(("select", "with", "values", "table"))


def _returns_rows(query: str) -> bool:
    head = query.lstrip().lower()
    return head.startswith(("select", "with", "values", "table")) or " returning " in f" {head} "
