"""One client connection: reads its frames in order, routes them as a Phoenix socket does, and
writes everything it is sent through one queue, so replies and broadcasts keep their order.

Routing: heartbeat on `phoenix` is answered; `phx_join` on `realtime:<name>` joins (channel.py);
other events go to the joined channel of their topic (a stale join_ref is ignored), and to an
unjoined topic they get Phoenix's `unmatched topic` error. A frame that does not decode, a client
that sends nothing for the idle timeout, or one that cannot keep up with its queue closes this
connection only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from .channel import TOPIC_PREFIX, Channel, JoinConfig, authorize_read, effective_token
from .context import RealtimeContext
from .frames import BROADCAST, Frame, FrameError, decode, encode
from .tokens import Refusal

log = logging.getLogger("localapi.realtime")

CLOSE_SECONDS = 10.0
TOO_SLOW = "the client is not reading its messages fast enough"
PRESENCE_NOT_SERVED = "Presence is not served by the local Realtime: broadcasts only"


class RealtimeSocket:
    def __init__(
        self, ws: web.WebSocketResponse, ctx: RealtimeContext, *, vsn: str, api_key: str, headers: dict[str, str]
    ) -> None:
        self.ws, self.ctx, self.vsn, self.api_key, self.headers = ws, ctx, vsn, api_key, headers
        self.channels: dict[str, Channel] = {}
        self._outbox: asyncio.Queue[str | bytes] = asyncio.Queue(maxsize=ctx.limits.outbox_limit)
        self._outbox_bytes = 0  # the size of what is queued (characters of text frames, bytes of binary)
        self._stop = asyncio.Event()
        self._close_code: int = WSCloseCode.OK
        self._close_reason = b""

    # What channels call.

    def send(self, frame: Frame) -> None:
        self.send_encoded(encode(self.vsn, frame))

    def send_encoded(self, data: str | bytes) -> None:
        if self._stop.is_set():
            return
        if self._outbox_bytes + len(data) > self.ctx.limits.outbox_bytes_limit:
            self.close(WSCloseCode.TRY_AGAIN_LATER, TOO_SLOW)
            return
        try:
            self._outbox.put_nowait(data)
        except asyncio.QueueFull:
            self.close(WSCloseCode.TRY_AGAIN_LATER, TOO_SLOW)
            return
        self._outbox_bytes += len(data)

    def forget(self, channel: Channel) -> None:
        if self.channels.get(channel.topic) is channel:
            del self.channels[channel.topic]

    def close(self, code: int, reason: str) -> None:
        if not self._stop.is_set():
            self._close_code, self._close_reason = code, reason.encode()[:120]
            self._stop.set()

    # The connection's life.

    async def run(self) -> None:
        tasks = [
            asyncio.create_task(self._read(), name="realtime-read"),
            asyncio.create_task(self._write(), name="realtime-write"),
            asyncio.create_task(self._stop.wait(), name="realtime-stop"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error("realtime socket failed", exc_info=task.exception())
                    self.close(WSCloseCode.INTERNAL_ERROR, "internal error")
        finally:
            for channel in list(self.channels.values()):
                channel.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):  # bounded: a client that reads nothing cannot hold us here
                await asyncio.wait_for(self.ws.close(code=self._close_code, message=self._close_reason), CLOSE_SECONDS)

    async def _write(self) -> None:
        while True:
            data = await self._outbox.get()
            self._outbox_bytes -= len(data)
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except ConnectionResetError:  # the client went away mid-send: an ordinary end, not a failure
                self.close(WSCloseCode.GOING_AWAY, "connection lost")
                return

    async def _read(self) -> None:
        while True:
            try:
                message = await self.ws.receive(timeout=self.ctx.limits.idle_timeout_seconds)
            except TimeoutError:
                self.close(WSCloseCode.OK, "no heartbeat")
                return
            if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                if message.type is WSMsgType.ERROR:  # e.g. a frame over the size limit: aiohttp closed it
                    self._close_code = self.ws.close_code or WSCloseCode.MESSAGE_TOO_BIG
                    self._close_reason = b"message too big"
                return
            try:
                frame = decode(self.vsn, message.data)
            except FrameError as exc:
                self.close(WSCloseCode.INVALID_TEXT, str(exc))
                return
            await self._route(frame)

    async def _route(self, frame: Frame) -> None:
        if frame.topic == "phoenix" and frame.event == "heartbeat":
            self._reply(frame, "ok", {})
            return
        if frame.event == "phx_join":
            await self._join(frame)
            return
        channel = self.channels.get(frame.topic)
        if channel is None:
            self._reply(frame, "error", {"reason": "unmatched topic"})
            return
        if frame.join_ref is not None and channel.join_ref is not None and frame.join_ref != channel.join_ref:
            return  # the client raced a close or a rejoin: Phoenix drops such frames
        if frame.event == "phx_leave":
            channel.leave(frame.ref)
        elif frame.event == "access_token":
            await channel.refresh(frame.payload.get("access_token"))
        elif frame.event == BROADCAST:
            channel.client_broadcast(frame)
        elif frame.event == "presence":
            channel.reply(frame.ref, "error", {"reason": PRESENCE_NOT_SERVED})

    async def _join(self, frame: Frame) -> None:
        if not frame.topic.startswith(TOPIC_PREFIX):
            self._reply(frame, "error", {"reason": "unmatched topic"})
            return
        previous = self.channels.pop(frame.topic, None)
        if previous is not None:  # a second join replaces the first, as in Phoenix
            previous.stop()
        config = JoinConfig.from_payload(frame.payload)
        try:
            channel = await self._authorized_channel(frame, config)
        except Refusal as refusal:
            if self.ctx.limits.join_error_delay_seconds:
                await asyncio.sleep(self.ctx.limits.join_error_delay_seconds)
            self._reply(frame, "error", {"reason": refusal.reason})
            return
        self.channels[frame.topic] = channel
        self._reply(frame, "ok", {"postgres_changes": []})
        channel.start()

    async def _authorized_channel(self, frame: Frame, config: JoinConfig) -> Channel:
        if len(self.channels) >= self.ctx.limits.max_channels:
            raise Refusal("ChannelRateLimitReached", "Too many channels")
        if not config.private:
            # Hosted projects turn "Allow public access" off (docs/deploy.md): only private channels.
            raise Refusal("PrivateOnly", "This project only allows private channels")
        name = frame.topic.removeprefix(TOPIC_PREFIX)
        token = effective_token(frame.payload, self.api_key)
        claims, access = await authorize_read(self.ctx, token, name, config, self.headers)
        return Channel(
            self,
            self.ctx,
            topic=frame.topic,
            join_ref=frame.join_ref,
            config=config,
            token=token,
            claims=claims,
            access=access,
        )

    def _reply(self, frame: Frame, status: str, response: dict[str, Any]) -> None:
        payload = {"status": status, "response": response}
        self.send(Frame(frame.topic, "phx_reply", payload, ref=frame.ref, join_ref=frame.join_ref))
