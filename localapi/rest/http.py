"""The Data API's HTTP face: routes, headers and errors as Supabase's gateway and PostgREST (v14) answer.

Routes: GET/HEAD/POST /rest/v1/rpc/<fn> and GET/HEAD /rest/v1/<relation>. Per request: the gateway's
API-key check (localapi.auth.gateway), the schema from Accept-Profile (GET/HEAD) or Content-Profile
(else), the bearer token verified, then the emulator's transaction. Headers PostgREST reads or sets:
Prefer (count=exact|planned|estimated), Accept (application/json or the singular
application/vnd.pgrst.object+json), Range / Range-Unit, Content-Range, Proxy-Status on errors.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from aiohttp import web

from localapi.auth import ApiKeys, InvalidApiKey, InvalidToken, gateway

from .emulator import OBJECT_MEDIA_TYPE, Client, PostgrestEmulator
from .query import RESERVED, ReadQuery, is_filter, parse_read
from .response import ApiError, Response, error

READ_METHODS = ("GET", "HEAD")
ARRAY_TYPES = frozenset({"application/json", "application/*", "*/*", "application/vnd.pgrst.array+json"})
OBJECT_TYPES = frozenset({OBJECT_MEDIA_TYPE, "application/vnd.pgrst.object"})


class DataApiRoutes:
    """The /rest/v1 routes of one emulator, behind one pair of API keys."""

    def __init__(self, api: PostgrestEmulator, keys: ApiKeys) -> None:
        self.api = api
        self.keys = keys

    def add_to(self, app: web.Application) -> None:
        app.router.add_route("*", "/rest/v1/rpc/{fn}", self.rpc)
        app.router.add_route("*", "/rest/v1/{relation}", self.relation)

    async def rpc(self, request: web.Request) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD", "POST"):
            return to_http(error(405, "PGRST101", "Only GET, HEAD and POST are allowed on functions"), request)
        return await self._answer(request, self._call)

    async def relation(self, request: web.Request) -> web.StreamResponse:
        if request.method not in READ_METHODS:
            # Our exposed relations are read-only views; every write goes through an api function.
            message = f"Unsupported HTTP method: {request.method}; the local API serves reads of relations"
            return to_http(error(405, "PGRST117", message), request)
        return await self._answer(request, self._read)

    async def _answer(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            client = self._client(request)
            single = wants_object(request.headers.get("Accept"))
            response: Response = await handler(request, client, single)
        except InvalidApiKey as refused:
            return web.json_response(refused.body, status=401)
        except ApiError as exc:
            response = exc.response
        return to_http(response, request)

    def _client(self, request: web.Request) -> Client:
        token = gateway(request.headers, self.keys)  # raises InvalidApiKey: the gateway answers 401
        check_profile(request, self.api.schemas)
        try:
            claims = self._verify(token)
        except InvalidToken as exc:
            headers = {"www-authenticate": exc.www_authenticate}
            raise ApiError(401, exc.code, exc.message, headers=headers) from exc
        return self.api.as_claims(claims)

    def _verify(self, token: str) -> dict[str, Any]:
        if self.api.verifier is None:
            raise ApiError(500, "PGRST300", "Server lacks JWT secret")
        return self.api.verifier.verify(token)

    async def _read(self, request: web.Request, client: Client, single: bool) -> Response:
        query = with_range(parse_read(request.query.items()), request.headers.get("Range"))
        return await client.read(
            request.match_info["relation"],
            query,
            count=wants_count(request.headers),
            single=single,
            method=request.method,
            headers=lowered(request),
        )

    async def _call(self, request: web.Request, client: Client, single: bool) -> Response:
        if request.method == "POST":
            args = await json_object_body(request)
            query = parse_read(request.query.items())
        else:  # GET/HEAD: parameters are arguments, unless they read as filters of the result
            args = {k: v for k, v in request.query.items() if k not in RESERVED and not is_filter(v)}
            query = parse_read((k, v) for k, v in request.query.items() if k in RESERVED or is_filter(v))
        return await client.rpc(
            request.match_info["fn"],
            args,
            method=request.method,
            headers=lowered(request),
            query=with_range(query, request.headers.get("Range")),
            count=wants_count(request.headers),
            single=single,
        )


def check_profile(request: web.Request, schemas: tuple[str, ...]) -> None:
    header = "Accept-Profile" if request.method in READ_METHODS else "Content-Profile"
    profile = request.headers.get(header)
    if profile is not None and profile not in schemas:
        hint = f"Only the following schemas are exposed: {', '.join(schemas)}"
        raise ApiError(406, "PGRST106", f"Invalid schema: {profile}", hint=hint)


async def json_object_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "PGRST102", "Empty or invalid json") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "PGRST102", "Empty or invalid json", details="a function takes a JSON object")
    return body


def wants_object(accept: str | None) -> bool:
    """Whether Accept asks for one object; 406 PGRST107 when no offered media type is served."""
    if not accept:
        return False
    offered = [item.strip() for item in accept.split(",") if item.strip()]
    for item in offered:
        media, _, parameters = item.partition(";")
        media = media.strip().lower()
        if "nulls=stripped" in parameters.replace(" ", ""):
            continue  # not served: answering with the nulls would be wrong
        if media in OBJECT_TYPES:
            return True
        if media in ARRAY_TYPES:
            return False
    raise ApiError(406, "PGRST107", f"None of these media types are available: {accept}")


def wants_count(headers: Any) -> bool:
    """Prefer: count=exact (planned and estimated are counted exactly here: the tables are small)."""
    preferences = {p.strip() for value in headers.getall("Prefer", []) for p in value.split(",")}
    return bool(preferences & {"count=exact", "count=planned", "count=estimated"})


def with_range(query: ReadQuery, header: str | None) -> ReadQuery:
    """Intersect `Range: first-last` (items) with limit/offset, as PostgREST does; ignore a malformed one."""
    if not header:
        return query
    unit, _, span = header.strip().rpartition("=")
    if unit not in ("", "items"):
        return query
    first_text, dash, last_text = span.partition("-")
    if not dash or not first_text.isdigit() or not (last_text.isdigit() or last_text == ""):
        return query
    first, last = int(first_text), (int(last_text) if last_text else None)
    if last is not None and last < first:
        raise ApiError(416, "PGRST103", "Requested range not satisfiable")
    lower = max(first, query.offset)
    uppers = [u for u in (last, query.offset + query.limit - 1 if query.limit is not None else None) if u is not None]
    upper = min(uppers) if uppers else None
    limit = None if upper is None else max(0, upper - lower + 1)
    return replace(query, offset=lower, limit=limit)


def lowered(request: web.Request) -> dict[str, str]:
    """request.headers as PostgREST passes them to SQL: every header, names lower-cased."""
    return {name.lower(): value for name, value in request.headers.items()}


def to_http(response: Response, request: web.Request) -> web.StreamResponse:
    headers = dict(response.headers)
    if not response.ok and response.code:
        headers["proxy-status"] = f"PostgREST; error={response.code}"
    if response.status == 204:
        return web.Response(status=response.status, headers=headers)
    media = response.media_type if response.ok else "application/json"
    text = "" if request.method == "HEAD" else json.dumps(response.body)
    return web.Response(status=response.status, text=text, content_type=media, charset="utf-8", headers=headers)
