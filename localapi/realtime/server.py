"""GET /realtime/v1/websocket: the handshake as Realtime checks it, then one RealtimeSocket per client.

The connect key is `x-api-key` (what Supabase's gateway sets) or the `apikey` query parameter; it
must verify and carry `role` and `exp`, else the upgrade is refused with 401 and a JSON `error`, as
Realtime refuses it. `vsn` picks the serializer: 1.0.0 (the default, realtime-py) or 2.0.0
(realtime-js).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from aiohttp import WSCloseCode, web

from core.db.connect import create_owner_pool

from .context import Limits, RealtimeContext
from .frames import VERSIONS
from .hub import Hub
from .listener import BroadcastListener
from .socket import RealtimeSocket
from .tokens import Refusal, VerifyToken, check_token

log = logging.getLogger("localapi.realtime")

AUTHORIZATION_POOL_SIZE = 5


class RealtimeServer:
    def __init__(
        self,
        database_url: str,
        verify_token: VerifyToken,
        *,
        limits: Limits | None = None,
        replay_window_seconds: float = 30.0,
    ) -> None:
        self.database_url = database_url
        self.verify_token = verify_token
        self.limits = limits or Limits()
        self.hub = Hub()
        self.listener = BroadcastListener(database_url, self.hub, replay_window_seconds=replay_window_seconds)
        self._pool: asyncpg.Pool | None = None
        self._context: RealtimeContext | None = None
        self._sockets: dict[RealtimeSocket, asyncio.Task[object]] = {}  # socket -> its request handler

    async def start(self) -> None:
        self._pool = await create_owner_pool(self.database_url, min_size=1, max_size=AUTHORIZATION_POOL_SIZE)
        self._context = RealtimeContext(self.verify_token, self._pool, self.hub, self.limits)
        try:
            await self.listener.start()
        except BaseException:
            await self._pool.close()
            raise

    async def close(self) -> None:
        for socket in list(self._sockets):
            socket.close(WSCloseCode.GOING_AWAY, "server shutting down")
        if self._sockets:  # each handler closes its websocket and forgets its channels
            await asyncio.wait(list(self._sockets.values()))
        await self.listener.close()
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pool.close(), timeout=5)
            self._pool.terminate()
            self._pool = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self._context is None:
            raise RuntimeError("RealtimeServer.start() must run before it handles requests")
        vsn = request.query.get("vsn", "1.0.0")
        if vsn not in VERSIONS:
            return web.json_response(
                {"error": f"Unsupported vsn {vsn!r}: use one of {', '.join(VERSIONS)}"}, status=400
            )
        api_key = request.headers.get("x-api-key") or request.query.get("apikey") or ""
        if not api_key:
            return web.json_response({"error": "MissingApiKey: connect with ?apikey=<key>"}, status=401)
        try:
            check_token(self.verify_token, api_key)
        except Refusal as refusal:
            return web.json_response({"error": refusal.reason}, status=401)
        ws = web.WebSocketResponse(max_msg_size=self.limits.max_frame_bytes, autoping=True)
        await ws.prepare(request)
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-")}
        socket = RealtimeSocket(ws, self._context, vsn=vsn, api_key=api_key, headers=headers)
        task = asyncio.current_task()
        assert task is not None
        self._sockets[socket] = task
        try:
            await socket.run()
        finally:
            del self._sockets[socket]
        return ws
