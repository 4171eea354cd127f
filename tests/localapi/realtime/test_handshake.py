"""The connection: the key Realtime requires, heartbeats, and frames that cannot be served."""

from __future__ import annotations

import contextlib
import json

import aiohttp

from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import WireClient
from tests.support.users import create_user


async def refused(url: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def test_a_missing_or_invalid_key_is_refused_before_the_upgrade(realtime: RealtimeUnderTest) -> None:
    assert await refused(realtime.url()) == (401, {"error": "MissingApiKey: connect with ?apikey=<key>"})
    forged = anon_key()[:-4] + "AAAA"
    assert await refused(realtime.url(key=forged)) == (
        401,
        {"error": "JwtSignatureError: Failed to validate JWT signature"},
    )
    status, body = await refused(realtime.url(key="not-a-jwt"))
    assert status == 401 and body["error"].startswith("JwtSignatureError")


async def test_an_expired_key_is_refused_with_realtimes_words(realtime: RealtimeUnderTest, db: object) -> None:
    alice = await create_user(db, "alice")
    status, body = await refused(realtime.url(key=user_token(alice, expires_in=-120)))
    assert status == 401
    assert body["error"].startswith("InvalidJWTToken: Token has expired ") and body["error"].endswith(" seconds ago")


async def test_heartbeat_is_answered_on_both_serializers(realtime: RealtimeUnderTest) -> None:
    v1 = await WireClient.connect(realtime.url(key=anon_key()))
    v2 = await WireClient.connect(realtime.url(key=anon_key(), vsn="2.0.0"), vsn="2.0.0")
    try:
        await v1.ws.send_str(json.dumps({"event": "heartbeat", "payload": {}, "topic": "phoenix", "ref": "7"}))
        reply = await v1.receive()
        assert (reply.topic, reply.event, reply.payload, reply.ref) == (
            "phoenix",
            "phx_reply",
            {"status": "ok", "response": {}},
            "7",
        )
        await v2.ws.send_str(json.dumps([None, "12", "phoenix", "heartbeat", {}]))
        raw = await v2.ws.receive()
        assert json.loads(raw.data) == [None, "12", "phoenix", "phx_reply", {"status": "ok", "response": {}}]
    finally:
        await v1.close()
        await v2.close()


async def test_a_push_to_an_unjoined_topic_gets_unmatched_topic(realtime: RealtimeUnderTest) -> None:
    client = await WireClient.connect(realtime.url(key=anon_key()))
    try:
        ref = await client.push("realtime:user:nobody", "access_token", {"access_token": "x"})
        reply = await client.reply_to(ref)
        assert reply.payload == {"status": "error", "response": {"reason": "unmatched topic"}}
        ref = await client.push("lobby", "phx_join", {"config": {"private": True}})
        assert (await client.reply_to(ref)).payload == {"status": "error", "response": {"reason": "unmatched topic"}}
    finally:
        await client.close()


async def served(realtime: RealtimeUnderTest, client: WireClient) -> bool:
    """The connection still answers a heartbeat."""
    ref = await client.push("phoenix", "heartbeat", {})
    return (await client.reply_to(ref)).payload == {"status": "ok", "response": {}}


async def test_bad_frames_close_only_their_own_connection(realtime: RealtimeUnderTest) -> None:
    bystander = await WireClient.connect(realtime.url(key=anon_key()))
    try:
        for bad in ("{not json", json.dumps(["an", "array", "on", "vsn", "1"]), json.dumps({"topic": "phoenix"})):
            client = await WireClient.connect(realtime.url(key=anon_key()))
            await client.ws.send_str(bad)
            assert await client.closed_with() == aiohttp.WSCloseCode.INVALID_TEXT
            await client.close()
        binary_on_v1 = await WireClient.connect(realtime.url(key=anon_key()))
        await binary_on_v1.ws.send_bytes(b"\x03\x00")
        assert await binary_on_v1.closed_with() == aiohttp.WSCloseCode.INVALID_TEXT
        await binary_on_v1.close()
        assert await served(realtime, bystander)
    finally:
        await bystander.close()


async def test_an_oversized_frame_closes_only_its_own_connection(realtime: RealtimeUnderTest) -> None:
    bystander = await WireClient.connect(realtime.url(key=anon_key()))
    big = await WireClient.connect(realtime.url(key=anon_key()))
    try:
        limit = realtime.server.limits.max_frame_bytes
        payload = {"padding": "x" * limit}
        frame = json.dumps({"topic": "phoenix", "event": "heartbeat", "payload": payload, "ref": "1"})
        with contextlib.suppress(ConnectionError):  # the server may close before the client has sent it all
            await big.ws.send_str(frame)
        # 1009 when the close frame arrives before the reset; 1006 (abnormal closure) when the reset wins
        assert await big.closed_with() in (aiohttp.WSCloseCode.MESSAGE_TOO_BIG, aiohttp.WSCloseCode.ABNORMAL_CLOSURE)
        assert big.ws.closed
        assert await served(realtime, bystander)
    finally:
        await big.close()
        await bystander.close()
