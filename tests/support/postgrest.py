"""A faithful emulation of the statements PostgREST runs per request (Supabase's Data API).

Per request, on a connection logged in as `authenticator`: BEGIN (READ ONLY for GET and for POST
to a stable/immutable function), one `select set_config(...)` line with search_path, the role's own
settings (statement_timeout), role, request.jwt.claims (with "role" inserted), request.method,
request.path, request.headers and request.cookies; the main query built with json_to_record as
PostgREST builds it; then COMMIT. Errors come back as PostgREST's body with the mapped status.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import jwt

from sidecar.db.sqlstate import status_for_sqlstate

JWT_SKEW_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) and not self.ok else None

    @property
    def message(self) -> str | None:
        return self.body.get("message") if isinstance(self.body, dict) and not self.ok else None


@dataclass(frozen=True, slots=True)
class RoutineInfo:
    schema: str
    name: str
    args: tuple[tuple[str, str], ...]  # (name, type) of input arguments, in order
    required: frozenset[str]
    returns_set: bool
    returns_void: bool
    returns_composite: bool
    volatile: bool

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'


_ROUTINES_QUERY = """
select n.nspname as schema, p.proname as name, p.proretset as returns_set,
       p.prorettype = 'pg_catalog.void'::regtype as returns_void,
       (t.typtype = 'c' or coalesce('t' = any(p.proargmodes), false)) as returns_composite,
       p.provolatile = 'v' as volatile, p.pronargs as nargs, p.pronargdefaults as ndefaults,
       coalesce(p.proargnames, '{}') as argnames, coalesce(p.proargmodes::text[], '{}') as argmodes,
       array(select format_type(x, null) from unnest(p.proargtypes) as x) as argtypes
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type t on t.oid = p.prorettype
where n.nspname = any($1::text[]) and p.prokind = 'f'
"""

_ROLE_SETTINGS_QUERY = """
select r.rolname, s.setconfig
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
"""


class PostgrestEmulator:
    """One emulated PostgREST instance for one database."""

    def __init__(
        self,
        dsn: str,
        *,
        schemas: tuple[str, ...] = ("api",),
        extra_search_path: tuple[str, ...] = ("extensions",),
        jwt_keys: Any = None,
        jwt_algorithms: tuple[str, ...] = ("HS256", "ES256", "RS256"),
        anon_role: str = "anon",
    ) -> None:
        self.dsn = dsn
        self.schemas = schemas
        self.search_path = ", ".join(f'"{s}"' for s in (*schemas, *extra_search_path))
        self.jwt_keys = jwt_keys
        self.jwt_algorithms = jwt_algorithms
        self.anon_role = anon_role
        self.pool: asyncpg.Pool | None = None
        self.routines: dict[str, list[RoutineInfo]] = {}
        self.role_settings: dict[str, dict[str, str]] = {}

    async def start(self) -> PostgrestEmulator:
        # No reset between requests, as PostgREST's pool: every request's settings are transaction-local
        # and vanish at COMMIT (asyncpg's default reset would add a round trip PostgREST never makes).
        self.pool = await asyncpg.create_pool(
            self.dsn, user="authenticator", min_size=1, max_size=8, reset=_keep_connection_as_is
        )
        await self.reload_schema_cache()
        return self

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def reload_schema_cache(self) -> None:
        """As `NOTIFY pgrst, 'reload schema'` does: re-read exposed routines and role settings."""
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_ROUTINES_QUERY, list(self.schemas))
            settings = await conn.fetch(_ROLE_SETTINGS_QUERY)
        self.routines = {}
        for row in rows:
            names, modes, types = list(row["argnames"]), list(row["argmodes"]), list(row["argtypes"])
            input_names = [n for i, n in enumerate(names) if not modes or modes[i] in ("i", "b", "v")]
            args = tuple(zip(input_names, types, strict=False))
            required = frozenset(n for n, _ in args[: row["nargs"] - row["ndefaults"]])
            info = RoutineInfo(
                schema=row["schema"],
                name=row["name"],
                args=args,
                required=required,
                returns_set=row["returns_set"],
                returns_void=row["returns_void"],
                returns_composite=row["returns_composite"],
                volatile=row["volatile"],
            )
            self.routines.setdefault(info.name, []).append(info)
        self.role_settings = {}
        for row in settings:
            for item in row["setconfig"]:
                key, _, value = item.partition("=")
                self.role_settings.setdefault(row["rolname"], {})[key] = value

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
        """Verify a bearer token the way PostgREST does (signature, exp/iat/nbf with 30 s skew, no aud)."""
        if token is None:
            return self.as_anon()
        try:
            claims = jwt.decode(
                token,
                key=self._key_for(token),
                algorithms=list(self.jwt_algorithms),
                options={"verify_aud": False, "require": []},
                leeway=JWT_SKEW_SECONDS,
            )
        except jwt.ExpiredSignatureError:
            return Client(self, None, rejected=("PGRST303", "JWT expired"))
        except jwt.PyJWTError as exc:
            return Client(self, None, rejected=("PGRST301", str(exc)))
        return self.as_claims(claims)

    def _key_for(self, token: str) -> Any:
        keys = self.jwt_keys
        if isinstance(keys, dict) and "keys" in keys:
            kid = jwt.get_unverified_header(token).get("kid")
            for jwk in keys["keys"]:
                if kid is None or jwk.get("kid") == kid:
                    return jwt.PyJWK(jwk).key
            raise jwt.InvalidKeyError(f"no key for kid {kid!r}")
        return keys

    def routine(self, name: str, keys: frozenset[str]) -> RoutineInfo | None:
        """Choose the overload whose arguments match the JSON keys, as PostgREST does."""
        for info in self.routines.get(name, []):
            names = {n for n, _ in info.args}
            if keys <= names and info.required <= keys:
                return info
        return None


class Client:
    """Requests made with one set of claims (None: anonymous, no token)."""

    def __init__(self, api: PostgrestEmulator, claims: dict[str, Any] | None, rejected: tuple[str, str] | None = None):
        self.api = api
        self.claims = claims
        self.rejected = rejected

    @property
    def role(self) -> str:
        return str((self.claims or {}).get("role") or self.api.anon_role)

    async def rpc(self, name: str, args: dict[str, Any] | None = None, *, method: str = "POST") -> Response:
        args = args or {}
        info = self.api.routine(name, frozenset(args))
        if info is None:
            return _error(404, "PGRST202", f"Could not find the function api.{name}({', '.join(sorted(args))})")
        readonly = method == "GET" or not info.volatile
        query = _rpc_query(info, frozenset(args))
        params = [json.dumps(args)] if args else []
        return await self._request(method, f"/rpc/{name}", query, params, readonly=readonly, void=info.returns_void)

    async def select(
        self, relation: str, *, filters: dict[str, Any] | None = None, order: str | None = None
    ) -> Response:
        """GET /<relation>?col=eq.value: a read of an exposed view or table with equality filters."""
        params: list[Any] = []
        where: list[str] = []
        for column, value in (filters or {}).items():
            params.append(str(value))
            where.append(f'"{column}"::text = ${len(params)}')
        inner = f'select * from "{self.api.schemas[0]}"."{relation}"'
        if where:
            inner += " where " + " and ".join(where)
        if order:
            inner += f" order by {order}"
        query = f"select coalesce(json_agg(t), '[]')::text from ({inner}) t"
        return await self._request("GET", f"/{relation}", query, params, readonly=True)

    async def sql(self, query: str, *params: Any, readonly: bool = False) -> Response:
        """Raw SQL under this request's role and claims: for RLS matrices on unexposed tables."""
        if not _returns_rows(query):
            return await self._request("POST", "/sql", query, list(params), readonly=readonly, raw=True)
        if _is_select(query):
            wrapped = f"select coalesce(json_agg(t), '[]')::text from ({query}) t"
        else:  # insert/update/delete ... returning: a data-modifying statement must sit in a top-level WITH
            wrapped = (
                f"with t as ({query}) select coalesce(json_agg(t), '[]')::text, "
                "current_setting('response.status', true), current_setting('response.headers', true) from t"
            )
            return await self._request("POST", "/sql", wrapped, list(params), readonly=readonly, complete=True)
        return await self._request("POST", "/sql", wrapped, list(params), readonly=readonly)

    async def _request(
        self,
        method: str,
        path: str,
        query: str,
        params: list[Any],
        *,
        readonly: bool,
        void: bool = False,
        raw: bool = False,
        complete: bool = False,
    ) -> Response:
        if self.rejected is not None:
            return _error(401, self.rejected[0], self.rejected[1])
        assert self.api.pool is not None
        role = self.role
        claims = dict(self.claims or {})
        claims["role"] = role  # PostgREST inserts the role it chose, also for anonymous requests
        headers = {"accept": "application/json", "content-type": "application/json"}
        async with self.api.pool.acquire() as conn:
            tx = conn.transaction(isolation="read_committed", readonly=readonly)
            await tx.start()
            try:
                await conn.execute(*self._preamble(role, claims, method, path, headers))
                if raw:
                    await conn.execute(query, *params)
                    body: Any = None
                else:
                    # As PostgREST: the response settings are read after the main query produced its row.
                    statement = (
                        query
                        if complete  # already selects (body, response.status, response.headers)
                        else f"with pgrst_source as materialized ({query}) select pgrst_source.*, "
                        "current_setting('response.status', true), current_setting('response.headers', true) "
                        "from pgrst_source"
                    )
                    row = await conn.fetchrow(statement, *params)
                    body = json.loads(row[0]) if row[0] is not None else None
            except asyncpg.PostgresError as exc:
                await tx.rollback()
                return _postgres_error(exc, role)
            await tx.commit()
        if raw:
            return Response(204, None)
        status = int(row[1]) if row[1] else (204 if void else 200)
        response_headers: dict[str, str] = {}
        if row[2]:
            for item in json.loads(row[2]):
                response_headers.update(item)
        return Response(status, None if void else body, response_headers)

    def _preamble(
        self, role: str, claims: dict[str, Any], method: str, path: str, headers: dict[str, str]
    ) -> list[Any]:
        settings: list[tuple[str, str]] = [("search_path", self.api.search_path)]
        settings += sorted(self.api.role_settings.get(role, {}).items())
        settings += [
            ("role", role),
            ("request.jwt.claims", json.dumps(claims)),
            ("request.method", method),
            ("request.path", path),
            ("request.headers", json.dumps(headers)),
            ("request.cookies", "{}"),
        ]
        calls = ", ".join(f"set_config(${2 * i + 1}, ${2 * i + 2}, true)" for i in range(len(settings)))
        values = [v for pair in settings for v in pair]
        return [f"select {calls}", *values]


async def _keep_connection_as_is(_conn: asyncpg.Connection) -> None:
    return None


def _is_select(query: str) -> bool:
    return query.lstrip().lower().startswith(("select", "with", "values", "table"))


def _returns_rows(query: str) -> bool:
    head = query.lstrip().lower()
    return head.startswith(("select", "with", "values", "table")) or " returning " in f" {head} "


def _rpc_query(info: RoutineInfo, keys: frozenset[str]) -> str:
    if keys:
        # Only the arguments present in the body are passed, so omitted ones take their DEFAULT.
        present = [(n, t) for n, t in info.args if n in keys]
        columns = ", ".join(f'"{n}"' for n, _ in present)
        record = ", ".join(f'"{n}" {t}' for n, t in present)
        call_args = ", ".join(f'"{n}" := pgrst_body."{n}"' for n, _ in present)
        source = (
            f"(select $1::json as json_data) pgrst_payload, "
            f"lateral (select {columns} from json_to_record(pgrst_payload.json_data) as _({record}) limit 1) pgrst_body"
        )
    else:
        call_args, source = "", None
    if info.returns_set or info.returns_composite:
        call = f"{info.qualified}({call_args})"
        frm = f"{source}, lateral {call} pgrst_call" if source else f"{call} pgrst_call"
        inner = f"select pgrst_call.* from {frm}"
        agg = "coalesce(json_agg(_postgrest_t), '[]')" if info.returns_set else "(json_agg(_postgrest_t) -> 0)"
        return f"select {agg}::text from ({inner}) _postgrest_t"
    call = f"select {info.qualified}({call_args}) pgrst_scalar"
    frm = f"{source}, lateral ({call}) pgrst_call" if source else f"({call}) pgrst_call"
    return f"select (json_agg(pgrst_call.pgrst_scalar) -> 0)::text from {frm}"


def _postgres_error(exc: asyncpg.PostgresError, role: str) -> Response:
    sqlstate = exc.sqlstate or "XX000"
    if sqlstate == "PGRST":
        return _custom_error(exc)
    message = str(getattr(exc, "message", None) or exc)
    body = {
        "code": sqlstate,
        "message": message,
        "details": getattr(exc, "detail", None),
        "hint": getattr(exc, "hint", None),
    }
    headers = {"www-authenticate": "Bearer"} if sqlstate == "42501" and role == "anon" else {}
    return Response(status_for_sqlstate(sqlstate, role=role, message=message), body, headers)


def _custom_error(exc: asyncpg.PostgresError) -> Response:
    """SQLSTATE PGRST: the message is the JSON body and the detail JSON gives status and headers."""
    try:
        body = json.loads(str(getattr(exc, "message", "")))
        detail = json.loads(str(getattr(exc, "detail", "") or "{}"))
        status = int(detail["status"])
    except (ValueError, KeyError, TypeError):
        return _error(500, "PGRST121", "Could not parse JSON in the RAISE SQLSTATE 'PGRST' error")
    headers = {str(k).lower(): str(v) for k, v in (detail.get("headers") or {}).items()}
    return Response(status, body, headers)


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"code": code, "message": message, "details": None, "hint": None})
