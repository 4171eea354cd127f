"""A client's own broadcast push (realtime-js sends it as binary kind 3): delivered to the topic's
other subscribers only with write access (an insert policy on realtime.messages), else dropped
without a reply, as Realtime does."""

from __future__ import annotations

import json
import time

from tests.localapi.realtime.conftest import ISSUER, KEYS, RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import WireClient
from tests.support.database import TestDatabase
from tests.support.users import create_user


def service_key() -> str:
    now = int(time.time())
    return KEYS.sign({"iss": ISSUER, "role": "service_role", "iat": now, "exp": now + 600})


def kind_3(join_ref: str, ref: str, topic: str, event: str, payload: object) -> bytes:
    """A broadcast push exactly as realtime-js's serializer encodes it (JSON payload, no metadata)."""
    parts = [s.encode() for s in (join_ref, ref, topic, event, "")]
    return bytes([3, *(len(p) for p in parts), 1]) + b"".join(parts) + json.dumps(payload).encode()


async def join_v2(realtime: RealtimeUnderTest, topic: str, token: str, *, ack: bool = True) -> WireClient:
    client = await WireClient.connect(realtime.url(key=anon_key(), vsn="2.0.0"), vsn="2.0.0")
    config = {"broadcast": {"ack": ack, "self": False}, "presence": {"enabled": False}, "private": True}
    client.join_refs[topic] = "1"
    await client.push(topic, "phx_join", {"config": config, "access_token": token}, ref="1", join_ref="1")
    assert (await client.reply_to("1")).payload["status"] == "ok"
    return client


async def test_with_write_access_a_push_reaches_the_others_and_is_acked(realtime: RealtimeUnderTest) -> None:
    topic = "realtime:room:lobby"
    sender, other = await join_v2(realtime, topic, service_key()), await join_v2(realtime, topic, service_key())
    try:
        await sender.ws.send_bytes(kind_3("1", "2", topic, "wave", {"from": "sender"}))
        ack = await sender.reply_to("2")
        assert ack.payload == {"status": "ok", "response": {}}
        heard = await other.next_event("broadcast")
        assert heard.binary and heard.payload == {"type": "broadcast", "event": "wave", "payload": {"from": "sender"}}
        # Not to the sender itself (self: false): its next frame is its heartbeat's reply.
        ref = await sender.push("phoenix", "heartbeat", {})
        assert (await sender.receive()).ref == ref
    finally:
        await sender.close()
        await other.close()


async def test_without_write_access_a_push_is_dropped_silently(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    topic = f"realtime:user:{alice}"
    first, second = await join_v2(realtime, topic, user_token(alice)), await join_v2(realtime, topic, user_token(alice))
    try:
        await first.ws.send_bytes(kind_3("1", "2", topic, "spoof", {"state": "forged"}))
        # No ack (even though ack was asked) and nothing delivered: the next frames are the heartbeats' replies.
        ref = await first.push("phoenix", "heartbeat", {})
        assert (await first.receive()).ref == ref
        ref = await second.push("phoenix", "heartbeat", {})
        assert (await second.receive()).ref == ref
    finally:
        await first.close()
        await second.close()
