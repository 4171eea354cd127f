"""Joining `realtime:user:<uuid>`: RLS on realtime.messages decides, with Realtime's replies."""

from __future__ import annotations

import json

from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import WireClient
from tests.support.database import TestDatabase
from tests.support.users import create_user

OK = {"status": "ok", "response": {"postgres_changes": []}}


def refusal(reason: str) -> dict[str, object]:
    return {"status": "error", "response": {"reason": reason}}


async def test_a_user_joins_their_own_topic_and_not_anothers(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    client = await WireClient.connect(realtime.url(key=anon_key()))
    try:
        own = await client.join(f"realtime:user:{alice}", user_token(alice))
        assert (own.topic, own.event, own.payload, own.ref) == (f"realtime:user:{alice}", "phx_reply", OK, "1")
        intruder = await WireClient.connect(realtime.url(key=anon_key()))
        try:
            reply = await intruder.join(f"realtime:user:{alice}", user_token(bob))
            assert reply.payload == refusal(
                f"Unauthorized: You do not have permissions to read from this Channel topic: user:{alice}"
            )
            # Not joined: a push to that topic is unmatched.
            ref = await intruder.push(f"realtime:user:{alice}", "access_token", {"access_token": user_token(bob)})
            assert (await intruder.reply_to(ref)).payload == refusal("unmatched topic")
        finally:
            await intruder.close()
    finally:
        await client.close()


async def test_vsn_2_replies_echo_join_ref_and_ref(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = await WireClient.connect(realtime.url(key=anon_key(), vsn="2.0.0"), vsn="2.0.0")
    try:
        topic = f"realtime:user:{alice}"
        config = {"broadcast": {"ack": False, "self": False}, "presence": {"key": "", "enabled": False}}
        payload = {"config": {**config, "private": True, "postgres_changes": []}, "access_token": user_token(alice)}
        await client.ws.send_str(json.dumps(["3", "3", topic, "phx_join", payload]))
        assert json.loads((await client.ws.receive()).data) == ["3", "3", topic, "phx_reply", OK]
    finally:
        await client.close()


async def test_without_access_token_the_connect_key_decides(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    anon = await WireClient.connect(realtime.url(key=anon_key()))
    as_alice = await WireClient.connect(realtime.url(key=user_token(alice)))
    try:
        reply = await anon.join(f"realtime:user:{alice}", None)
        assert reply.payload == refusal(
            f"Unauthorized: You do not have permissions to read from this Channel topic: user:{alice}"
        )
        assert (await as_alice.join(f"realtime:user:{alice}", None)).payload == OK
        # An opaque sb_ key in access_token also falls back to the connect key.
        assert (await as_alice.join(f"realtime:user:{alice}", "sb_publishable_abc")).payload == OK
    finally:
        await anon.close()
        await as_alice.close()


async def test_public_joins_and_bad_tokens_are_refused(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = await WireClient.connect(realtime.url(key=anon_key()))
    try:
        public = await client.join(f"realtime:user:{alice}", user_token(alice), private=False)
        assert public.payload == refusal("PrivateOnly: This project only allows private channels")
        expired = await client.join(f"realtime:user:{alice}", user_token(alice, expires_in=-30))
        reason = expired.payload["response"]["reason"]
        assert reason.startswith("InvalidJWTToken: Token has expired ") and reason.endswith(" seconds ago")
        forged = await client.join(f"realtime:user:{alice}", user_token(alice)[:-3] + "abc")
        assert forged.payload == refusal("JwtSignatureError: Failed to validate JWT signature")
    finally:
        await client.close()


async def test_leave_replies_ok_then_closes_the_channel(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = await WireClient.connect(realtime.url(key=anon_key()))
    topic = f"realtime:user:{alice}"
    try:
        assert (await client.join(topic, user_token(alice))).payload == OK
        ref = await client.push(topic, "phx_leave", {})
        reply = await client.receive()
        assert (reply.event, reply.ref, reply.payload) == ("phx_reply", ref, {"status": "ok", "response": {}})
        closed = await client.receive()
        assert (closed.topic, closed.event, closed.payload, closed.ref) == (topic, "phx_close", {}, "1")
        async with db.owner() as conn:
            await conn.execute("select realtime.send('{\"n\": 1}', 'after_leave', $1)", f"user:{alice}")
        # Nothing more for that topic: the next frame is the heartbeat's reply.
        ref = await client.push("phoenix", "heartbeat", {})
        frame = await client.receive()
        assert (frame.topic, frame.ref) == ("phoenix", ref)
    finally:
        await client.close()
