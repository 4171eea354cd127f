"""The local API on one base URL: the Data API under /rest/v1/ and Realtime at /realtime/v1/websocket,
as a Supabase project serves them, so supabase-js and supabase-py point at it unchanged.

`fluentpro local-api` (and `fluentpro dev`, beside the Procfile's processes) runs `main`; the tests
serve the same app in-process with `LocalApiServer`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from localapi.auth import ApiKeys, TokenVerifier
from localapi.cors import cors
from localapi.realtime import RealtimeServer
from localapi.rest.emulator import PostgrestEmulator
from localapi.rest.http import DataApiRoutes
from localapi.settings import HOST, LocalApiSettings

log = logging.getLogger("localapi")
REALTIME_PATH = "/realtime/v1/websocket"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def log_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One line per request: method, path (never the query string, which may carry an apikey), status,
    time. Headers, and so tokens and keys, are never logged."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s %s %d %.1fms", request.method, request.path, status, elapsed)


def build_app(rest: PostgrestEmulator, keys: ApiKeys, realtime: RealtimeServer | None = None) -> web.Application:
    app = web.Application(middlewares=[log_requests, cors])
    if realtime is not None:
        app.router.add_get(REALTIME_PATH, realtime.handle, allow_head=False)
    DataApiRoutes(rest, keys).add_to(app)
    return app


class LocalApiServer:
    """The app listening on one port; starts and closes Realtime, not the emulator it is given."""

    def __init__(self, rest: PostgrestEmulator, keys: ApiKeys, realtime: RealtimeServer | None = None) -> None:
        self.rest = rest
        self.keys = keys
        self.realtime = realtime
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self, host: str = HOST, port: int = 0) -> LocalApiServer:
        if self.realtime is not None:
            await self.realtime.start()
        self.runner = web.AppRunner(build_app(self.rest, self.keys, self.realtime), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        bound: Any = site._server.sockets[0].getsockname() if site._server else (host, port)  # type: ignore[attr-defined]
        self.url = f"http://{host}:{bound[1]}"
        return self

    async def close(self) -> None:
        # Realtime first: it closes its websockets, which the runner's cleanup would otherwise wait on
        # for aiohttp's whole shutdown timeout.
        if self.realtime is not None:
            await self.realtime.close()
        if self.runner is not None:
            await self.runner.cleanup()


async def serve(settings: LocalApiSettings, stop: asyncio.Event) -> None:
    verifier = TokenVerifier.from_settings(settings.tokens)
    rest = await PostgrestEmulator(
        settings.database.url, verifier=verifier, pool_max=settings.database.pool_max
    ).start()
    keys = ApiKeys.from_settings(settings.tokens)
    server = LocalApiServer(rest, keys, RealtimeServer(settings.database.url, verifier))
    try:
        await server.start(HOST, settings.port)
        log.info("serving the Data API and Realtime on %s (anon key: fluentpro status)", server.url)
        await stop.wait()
    finally:
        await server.close()
        await rest.close()


def main() -> int:
    """`fluentpro local-api`: serve until SIGINT or SIGTERM. SettingsError (production) propagates to
    the CLI, which exits 2 with the message."""
    settings = LocalApiSettings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(run())
    except OSError as exc:  # the port is taken, or the database refused the connection
        print(f"fluentpro local-api: cannot serve on {HOST}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    return 0
