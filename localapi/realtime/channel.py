"""One joined channel `realtime:<name>` of one socket, with Realtime's join, refresh and expiry rules.

Join: the token (the join's `access_token`, else the key the socket connected with) must verify,
and RLS on realtime.messages must let its role read the topic (authorization.py). Refresh (an
`access_token` push) and a periodic re-check (at the token's expiry, at least every 5 minutes)
verify and authorize again; a failure ends the channel with a `system` error then `phx_close`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from .authorization import ChannelAccess, channel_access
from .context import RealtimeContext
from .frames import Broadcast, Frame, encode_broadcast
from .hub import EncodedCache
from .tokens import Refusal, check_token

TOPIC_PREFIX = "realtime:"


class ChannelSocket(Protocol):
    """What a channel needs from its socket."""

    vsn: str
    api_key: str
    headers: dict[str, str]

    def send(self, frame: Frame) -> None: ...

    def send_encoded(self, data: str | bytes) -> None: ...

    def forget(self, channel: Channel) -> None: ...


@dataclass(frozen=True, slots=True)
class JoinConfig:
    private: bool
    broadcast_self: bool
    broadcast_ack: bool
    presence: bool

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> JoinConfig:
        config = _object(payload.get("config"))
        broadcast, presence = _object(config.get("broadcast")), _object(config.get("presence"))
        return cls(
            private=config.get("private") is True,
            broadcast_self=broadcast.get("self") is True,
            broadcast_ack=broadcast.get("ack") is True,
            # realtime-js sends enabled: false unless presence listeners exist; older clients omit it
            presence=presence.get("enabled", bool(presence)) is True,
        )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def effective_token(payload: dict[str, Any], api_key: str) -> str:
    """The join's access_token, unless missing or an opaque `sb_` key: then the connect key."""
    token = payload.get("access_token")
    return token if isinstance(token, str) and token and not token.startswith("sb_") else api_key


async def authorize(ctx: RealtimeContext, claims: dict[str, Any], name: str, headers: dict[str, str]) -> ChannelAccess:
    try:
        async with ctx.pool.acquire() as conn:
            return await channel_access(conn, claims, name, headers=headers)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
        raise Refusal("UnableToSetPolicies", f"Realtime was unable to check this channel's policies ({exc})") from exc


async def authorize_read(
    ctx: RealtimeContext, token: str, name: str, config: JoinConfig, headers: dict[str, str]
) -> tuple[dict[str, Any], ChannelAccess]:
    claims = check_token(ctx.verify_token, token)
    access = await authorize(ctx, claims, name, headers)
    if not access.may_join(presence=config.presence):
        raise Refusal("Unauthorized", f"You do not have permissions to read from this Channel topic: {name}")
    return claims, access


class Channel:
    def __init__(
        self,
        socket: ChannelSocket,
        ctx: RealtimeContext,
        *,
        topic: str,
        join_ref: str | None,
        config: JoinConfig,
        token: str,
        claims: dict[str, Any],
        access: ChannelAccess,
    ) -> None:
        self.socket, self.ctx, self.topic, self.join_ref, self.config = socket, ctx, topic, join_ref, config
        self.name = topic.removeprefix(TOPIC_PREFIX)
        self.token, self.claims, self.access = token, claims, access
        self.closed = False
        self._recheck: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Called right after the join's ok reply is queued, so no broadcast can precede it."""
        if self.access.broadcast_read:
            self.ctx.hub.subscribe(self.name, self)
        self._schedule_recheck()

    def deliver(self, message: Broadcast, cache: EncodedCache) -> None:
        key = (self.socket.vsn, self.topic)
        data = cache.get(key)
        if data is None:
            data = cache[key] = encode_broadcast(self.socket.vsn, self.topic, message)
        self.socket.send_encoded(data)

    def push(self, event: str, payload: dict[str, Any]) -> None:
        self.socket.send(Frame(topic=self.topic, event=event, payload=payload, join_ref=self.join_ref))

    def reply(self, ref: str | None, status: str, response: dict[str, Any]) -> None:
        payload = {"status": status, "response": response}
        self.socket.send(Frame(self.topic, "phx_reply", payload, ref=ref, join_ref=self.join_ref))

    async def refresh(self, token: Any) -> None:
        """An `access_token` push: never replied; ignored when unchanged, missing or an `sb_` key."""
        if not isinstance(token, str) or not token or token.startswith("sb_") or token == self.token:
            return
        await self._confirm(token)

    def client_broadcast(self, frame: Frame) -> None:
        """A client's broadcast reaches the topic's other subscribers (and itself with `self`) only
        with write access; without it, it is dropped with no reply, even when `ack` was asked."""
        if not self.access.write:
            return
        event = frame.payload.get("event")
        if isinstance(event, str):
            message = Broadcast(topic=self.name, event=event, payload=frame.payload.get("payload"))
            self.ctx.hub.publish(message, exclude=None if self.config.broadcast_self else self)
        if self.config.broadcast_ack:
            self.reply(frame.ref, "ok", {})

    def leave(self, ref: str | None) -> None:
        self.reply(ref, "ok", {})
        self.close()

    def shutdown(self, message: str) -> None:
        """End the channel as Realtime does: a system error naming the channel, then phx_close."""
        if self.closed:
            return
        self.push("system", {"extension": "system", "status": "error", "message": message, "channel": self.name})
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.socket.send(Frame(self.topic, "phx_close", {}, ref=self.join_ref, join_ref=self.join_ref))
        self.stop()

    def stop(self) -> None:
        """Stop delivering and forget the channel, without telling the client (socket gone, or replaced)."""
        self.closed = True
        self.ctx.hub.unsubscribe(self.name, self)
        if self._recheck is not None and self._recheck is not asyncio.current_task():
            self._recheck.cancel()
        self.socket.forget(self)

    async def _confirm(self, token: str) -> None:
        try:
            claims = check_token(self.ctx.verify_token, token)
            access = await authorize(self.ctx, claims, self.name, self.socket.headers)
        except Refusal as refusal:
            self.shutdown(refusal.message)
            return
        if self.closed:
            return
        if not access.may_join(presence=self.config.presence):
            self.shutdown(f"You no longer have permission to read from this Channel topic: {self.name}")
            return
        if access.broadcast_read and not self.access.broadcast_read:
            self.ctx.hub.subscribe(self.name, self)
        elif self.access.broadcast_read and not access.broadcast_read:
            self.ctx.hub.unsubscribe(self.name, self)
        self.token, self.claims, self.access = token, claims, access
        self._schedule_recheck()

    def _schedule_recheck(self) -> None:
        if self._recheck is not None and self._recheck is not asyncio.current_task():
            self._recheck.cancel()
        self._recheck = asyncio.create_task(self._recheck_later(), name=f"realtime-recheck {self.topic}")

    async def _recheck_later(self) -> None:
        exp = float(self.claims["exp"])
        await asyncio.sleep(max(0.0, min(self.ctx.limits.token_recheck_seconds, exp - time.time())))
        await self._confirm(self.token)
