"""A joined channel keeps its right to listen only while its token is valid and still authorized."""

from __future__ import annotations

import re

from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import WireClient
from tests.support.database import TestDatabase
from tests.support.users import create_user


async def joined(realtime: RealtimeUnderTest, topic: str, token: str) -> WireClient:
    client = await WireClient.connect(realtime.url(key=anon_key()))
    reply = await client.join(topic, token)
    assert reply.payload["status"] == "ok", reply.payload
    return client


EXPIRED = re.compile(r"Token has expired \d+ seconds ago")


async def assert_shut_down(client: WireClient, topic: str, name: str, message: str | re.Pattern[str]) -> None:
    """A system error naming the channel, then phx_close with the join's ref, as Realtime ends a channel."""
    system = await client.receive()
    assert (system.topic, system.event, system.ref) == (topic, "system", None)
    text = system.payload["message"]
    assert text == message if isinstance(message, str) else message.fullmatch(text), text
    assert system.payload == {"extension": "system", "status": "error", "message": text, "channel": name}
    closed = await client.receive()
    assert (closed.topic, closed.event, closed.ref) == (topic, "phx_close", client.join_refs[topic])


async def test_a_fresh_token_keeps_the_channel(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    name = f"user:{alice}"
    client = await joined(realtime, f"realtime:{name}", user_token(alice))
    try:
        await client.push(f"realtime:{name}", "access_token", {"access_token": user_token(alice, expires_in=900)})
        async with db.owner() as conn:
            await conn.execute("select realtime.send('{\"n\": 1}', 'still_here', $1)", name)
        frame = await client.receive()  # never a reply to access_token: the broadcast comes next
        assert (frame.event, frame.payload["event"]) == ("broadcast", "still_here")
    finally:
        await client.close()


async def test_an_expired_token_ends_the_channel(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    name = f"user:{alice}"
    client = await joined(realtime, f"realtime:{name}", user_token(alice))
    try:
        await client.push(f"realtime:{name}", "access_token", {"access_token": user_token(alice, expires_in=-60)})
        await assert_shut_down(client, f"realtime:{name}", name, EXPIRED)
    finally:
        await client.close()


async def test_another_users_token_loses_the_channel(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    name = f"user:{alice}"
    client = await joined(realtime, f"realtime:{name}", user_token(alice))
    try:
        await client.push(f"realtime:{name}", "access_token", {"access_token": user_token(bob)})
        message = f"You no longer have permission to read from this Channel topic: {name}"
        await assert_shut_down(client, f"realtime:{name}", name, message)
        async with db.owner() as conn:
            await conn.execute("select realtime.send('{\"n\": 1}', 'after_close', $1)", name)
        ref = await client.push("phoenix", "heartbeat", {})
        frame = await client.receive()
        assert (frame.topic, frame.ref) == ("phoenix", ref), "nothing is delivered after the channel closed"
    finally:
        await client.close()


async def test_the_channel_ends_when_its_token_expires(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    name = f"user:{alice}"
    client = await joined(realtime, f"realtime:{name}", user_token(alice, expires_in=3))
    try:
        await assert_shut_down(client, f"realtime:{name}", name, EXPIRED)
    finally:
        await client.close()
