"""The Data API served over HTTP, so real clients (supabase-py) can talk to it.

Routes, as Supabase's gateway exposes them: POST/GET /rest/v1/rpc/<fn> and GET /rest/v1/<view>.
The bearer token is verified as PostgREST verifies it; no token means anon. The schema comes from
Content-Profile / Accept-Profile and must be an exposed one (else PGRST106, 406).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .emulator import PostgrestEmulator
from .response import Response


class PostgrestServer:
    def __init__(self, api: PostgrestEmulator) -> None:
        self.api = api
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> PostgrestServer:
        app = web.Application()
        app.router.add_route("*", "/rest/v1/rpc/{fn}", self._rpc)
        app.router.add_get("/rest/v1/{relation}", self._select)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[attr-defined]
        self.url = f"http://{host}:{sockets[0].getsockname()[1]}"
        return self

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def _client(self, request: web.Request) -> Any:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
        if token is not None and token == request.headers.get("apikey"):
            # Supabase's gateway turns a publishable API key sent as the bearer into an anon request.
            token = None
        return self.api.with_token(token)

    def _schema_error(self, request: web.Request) -> web.Response | None:
        profile = request.headers.get("Content-Profile") or request.headers.get("Accept-Profile")
        if profile and profile not in self.api.schemas:
            body = {"code": "PGRST106", "message": f"The schema must be one of: {', '.join(self.api.schemas)}"}
            return web.json_response(body, status=406)
        return None

    async def _rpc(self, request: web.Request) -> web.Response:
        if (refused := self._schema_error(request)) is not None:
            return refused
        fn = request.match_info["fn"]
        if request.method == "POST":
            raw = await request.read()
            try:
                args = json.loads(raw) if raw else {}
            except ValueError:
                return web.json_response({"code": "PGRST102", "message": "Empty or invalid json"}, status=400)
        else:
            args = dict(request.query)
        return _to_http(await self._client(request).rpc(fn, args, method=request.method))

    async def _select(self, request: web.Request) -> web.Response:
        if (refused := self._schema_error(request)) is not None:
            return refused
        filters = {k: v.removeprefix("eq.") for k, v in request.query.items() if v.startswith("eq.")}
        order = request.query.get("order")
        order_sql = None
        if order:
            column, _, direction = order.partition(".")
            order_sql = f'"{column}" {"desc" if direction == "desc" else "asc"}'
        return _to_http(
            await self._client(request).select(request.match_info["relation"], filters=filters, order=order_sql)
        )


def _to_http(response: Response) -> web.Response:
    headers = dict(response.headers)
    if response.status == 204:
        return web.Response(status=204, headers=headers)
    return web.json_response(response.body, status=response.status, headers=headers)
