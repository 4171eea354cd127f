"""Delivery of what realtime.send commits: all of it, once, in commit order, and nothing rolled back."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import HANG_GUARD_SECONDS, WireClient
from tests.support.database import TestDatabase
from tests.support.users import create_user


async def send(conn: asyncpg.Connection, topic: str, event: str, n: int) -> None:
    await conn.execute("select realtime.send(jsonb_build_object('n', $1::int), $2, $3)", n, event, topic)


async def joined(realtime: RealtimeUnderTest, user: uuid.UUID, *, vsn: str = "1.0.0") -> WireClient:
    client = await WireClient.connect(realtime.url(key=anon_key(), vsn=vsn), vsn=vsn)
    reply = await client.join(f"realtime:user:{user}", user_token(user))
    assert reply.payload["status"] == "ok", reply.payload
    return client


async def test_a_broadcast_arrives_as_realtime_frames_it(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    v1, v2 = await joined(realtime, alice), await joined(realtime, alice, vsn="2.0.0")
    try:
        async with db.owner() as conn, conn.transaction():
            await conn.execute("select realtime.send('{\"a\": 1}', 'greeting', $1)", f"user:{alice}")
            row_id = await conn.fetchval("select id::text from realtime.messages where topic = $1", f"user:{alice}")
        expected = {
            "type": "broadcast",
            "event": "greeting",
            "payload": {"a": 1, "id": row_id},
            "meta": {"id": row_id},
        }
        frame = await v1.next_event("broadcast")
        assert (frame.topic, frame.ref, frame.payload) == (f"realtime:user:{alice}", None, expected)
        binary = await v2.next_event("broadcast")
        assert binary.binary and (binary.topic, binary.payload) == (f"realtime:user:{alice}", expected)
    finally:
        await v1.close()
        await v2.close()


async def test_many_commits_arrive_once_each_in_commit_order(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    clients = [await joined(realtime, alice), await joined(realtime, alice, vsn="2.0.0")]
    bobs = await joined(realtime, bob)
    writers = [await asyncpg.connect(db.url) for _ in range(4)]
    try:
        for writer in writers:
            await writer.execute("set role fluentpro_owner")
        committed: list[int] = []

        async def writer_task(conn: asyncpg.Connection, first: int) -> None:
            for n in range(first, 200, len(writers)):
                async with conn.transaction():
                    await send(conn, f"user:{alice}", "tick", n)
                    await send(conn, f"user:{bob}", "tick", n)
                    if n % 3 == 0:  # two broadcasts in one transaction stay together and in order
                        await send(conn, f"user:{alice}", "tick", 1000 + n)
                    # The commit order is the order of the lock queue on this row.
                    await conn.execute("select pg_advisory_xact_lock(private.lock_space('test_order'), 42)")
                    committed.append(n)
                    if n % 3 == 0:
                        committed.append(1000 + n)

        await asyncio.gather(*(writer_task(w, i) for i, w in enumerate(writers)))
        for client in clients:
            received = [f.payload["payload"]["n"] for f in await client.broadcasts(len(committed))]
            assert received == committed
        assert [f.payload["payload"]["n"] for f in await bobs.broadcasts(200)] == [n for n in committed if n < 1000]
        # No doubles: after a marker, the next broadcast each client sees is the marker itself.
        async with db.owner() as conn:
            await send(conn, f"user:{alice}", "marker", -1)
        for client in clients:
            marker = await client.next_event("broadcast")
            assert marker.payload["event"] == "marker"
    finally:
        for writer in writers:
            await writer.close()
        for client in [*clients, bobs]:
            await client.close()


async def test_rolled_back_sends_are_never_delivered(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = await joined(realtime, alice)
    try:
        async with db.owner() as conn:
            await send(conn, f"user:{alice}", "kept", 1)
            transaction = conn.transaction()
            await transaction.start()
            await send(conn, f"user:{alice}", "rolled_back", 2)
            await transaction.rollback()
            async with conn.transaction():
                await conn.execute("savepoint s")
                await send(conn, f"user:{alice}", "rolled_back_to_savepoint", 3)
                await conn.execute("rollback to savepoint s")
                await send(conn, f"user:{alice}", "kept", 4)
        events = [(f.payload["event"], f.payload["payload"]["n"]) for f in await client.broadcasts(2)]
        assert events == [("kept", 1), ("kept", 4)]
        # Order is commit order, so had a rolled-back one been sent it would precede this marker.
        async with db.owner() as conn:
            await send(conn, f"user:{alice}", "marker", 5)
        assert (await client.next_event("broadcast")).payload["event"] == "marker"
    finally:
        await client.close()


async def test_a_row_too_large_for_a_notification_is_read_and_kept_in_order(
    realtime: RealtimeUnderTest, db: TestDatabase
) -> None:
    """Small rows travel inside their notification; one past NOTIFY's 8000-byte cap is sent as its id
    alone and read back, in its place among the others."""
    alice = await create_user(db, "alice")
    client = await joined(realtime, alice)
    large = "x" * 20_000
    try:
        async with db.owner() as conn, conn.transaction():
            await send(conn, f"user:{alice}", "small", 1)
            await conn.execute(
                "select realtime.send(jsonb_build_object('n', 2, 'text', $1::text), 'large', $2)",
                large,
                f"user:{alice}",
            )
            await send(conn, f"user:{alice}", "small", 3)
        frames = await client.broadcasts(3)
        assert [(f.payload["event"], f.payload["payload"]["n"]) for f in frames] == [
            ("small", 1),
            ("large", 2),
            ("small", 3),
        ]
        assert frames[1].payload["payload"]["text"] == large
        assert frames[1].payload["meta"]["id"] == frames[1].payload["payload"]["id"]
    finally:
        await client.close()


async def test_a_lost_listen_connection_loses_nothing(realtime: RealtimeUnderTest, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    client = await joined(realtime, alice)
    listener = realtime.server.listener
    try:
        async with db.owner() as conn:
            await send(conn, f"user:{alice}", "before", 1)
            assert (await client.next_event("broadcast")).payload["event"] == "before"
            reconnects = listener.reconnects
            async with db.owner() as admin:
                await admin.execute("reset role")
                terminated = await admin.fetchval("select pg_terminate_backend($1)", listener.backend_pid)
            assert terminated
            # Sent while the listener is (most likely) still reconnecting: the replay delivers it.
            await send(conn, f"user:{alice}", "during", 2)
            await asyncio.wait_for(listener.listening_again(reconnects), timeout=HANG_GUARD_SECONDS)
            await send(conn, f"user:{alice}", "after", 3)
        events = [f.payload["event"] for f in await client.broadcasts(2)]
        assert events == ["during", "after"]
    finally:
        await client.close()
