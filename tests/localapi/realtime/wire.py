"""A bare Phoenix client for asserting the exact frames: sends what realtime-py (vsn 1.0.0) or
realtime-js (vsn 2.0.0) send, and decodes every frame the server writes, binary kind 4 included.

The waits are hang guards (a broken server would otherwise stall the run), never speed checks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

HANG_GUARD_SECONDS = 30


@dataclass(frozen=True)
class Received:
    topic: str
    event: str
    payload: Any
    ref: str | None
    join_ref: str | None = None
    binary: bool = False


class WireClient:
    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse, vsn: str) -> None:
        self.session, self.ws, self.vsn = session, ws, vsn
        self._refs = itertools.count(1)
        self.join_refs: dict[str, str] = {}

    @classmethod
    async def connect(cls, url: str, *, vsn: str = "1.0.0") -> WireClient:
        session = aiohttp.ClientSession()
        try:
            ws = await session.ws_connect(url, max_msg_size=0)
        except BaseException:
            await session.close()
            raise
        return cls(session, ws, vsn)

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()

    def next_ref(self) -> str:
        return str(next(self._refs))

    async def push(
        self, topic: str, event: str, payload: dict[str, Any], *, ref: str | None = None, join_ref: str | None = None
    ) -> str:
        ref = ref or self.next_ref()
        join_ref = join_ref if join_ref is not None else self.join_refs.get(topic)
        if self.vsn == "2.0.0":
            await self.ws.send_str(json.dumps([join_ref, ref, topic, event, payload]))
        else:
            frame = {"topic": topic, "event": event, "payload": payload, "ref": ref, "join_ref": join_ref}
            await self.ws.send_str(json.dumps(frame))
        return ref

    async def join(
        self, topic: str, token: str | None, *, private: bool = True, self_broadcast: bool = False
    ) -> Received:
        """Join as realtime-py does, and return the reply to that join."""
        ref = self.next_ref()
        self.join_refs[topic] = ref
        config = {
            "broadcast": {"ack": False, "self": self_broadcast},
            "presence": {"key": "", "enabled": False},
            "private": private,
            "postgres_changes": [],
        }
        payload: dict[str, Any] = {"config": config}
        if token is not None:
            payload["access_token"] = token
        await self.push(topic, "phx_join", payload, ref=ref, join_ref=ref)
        return await self.reply_to(ref)

    async def receive(self) -> Received:
        message = await self.ws.receive(timeout=HANG_GUARD_SECONDS)
        if message.type is aiohttp.WSMsgType.BINARY:
            return decode_user_broadcast(message.data)
        if message.type is not aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"the connection ended: {message.type.name} {self.ws.close_code}")
        raw = json.loads(message.data)
        if isinstance(raw, list):
            join_ref, ref, topic, event, payload = raw
            return Received(topic, event, payload, ref, join_ref)
        assert set(raw) == {"topic", "event", "payload", "ref"}, f"vsn 1.0.0 frames carry exactly these keys: {raw}"
        return Received(raw["topic"], raw["event"], raw["payload"], raw["ref"])

    async def reply_to(self, ref: str) -> Received:
        while True:
            frame = await self.receive()
            if frame.event == "phx_reply" and frame.ref == ref:
                return frame

    async def next_event(self, *events: str) -> Received:
        while True:
            frame = await self.receive()
            if frame.event in events:
                return frame

    async def broadcasts(self, count: int) -> list[Received]:
        return [await self.next_event("broadcast") for _ in range(count)]

    async def closed_with(self) -> int | None:
        """Read until the server closes the connection; its close code."""
        while True:
            message = await self.ws.receive(timeout=HANG_GUARD_SECONDS)
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return self.ws.close_code


def decode_user_broadcast(data: bytes) -> Received:
    """Kind 4, as realtime-js's serializer decodes it."""
    assert data[0] == 4, f"the only binary kind the server sends is 4, got {data[0]}"
    topic_size, event_size, meta_size, encoding = data[1], data[2], data[3], data[4]
    offset = 5
    topic = data[offset : offset + topic_size].decode()
    offset += topic_size
    event = data[offset : offset + event_size].decode()
    offset += event_size
    meta = data[offset : offset + meta_size].decode()
    offset += meta_size
    payload = json.loads(data[offset:]) if encoding == 1 else data[offset:]
    inner: dict[str, Any] = {"type": "broadcast", "event": event, "payload": payload}
    if meta:
        inner["meta"] = json.loads(meta)
    return Received(topic, "broadcast", inner, None, None, binary=True)


async def gather_clients(urls: list[str], *, vsn: str = "1.0.0") -> list[WireClient]:
    return list(await asyncio.gather(*(WireClient.connect(url, vsn=vsn) for url in urls)))
