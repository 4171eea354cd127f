"""realtime-py, the official Python client, against the local Realtime: a private channel hears the
onboarding state an onboarding RPC broadcasts, and another user's join is refused."""

from __future__ import annotations

import asyncio
import json
from importlib.metadata import version
from typing import Any

from realtime import AsyncRealtimeClient, RealtimeSubscribeStates

from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import HANG_GUARD_SECONDS
from tests.support.database import TestDatabase
from tests.support.users import create_user


def test_the_pinned_client_is_the_one_read() -> None:
    # The frames here were checked against realtime-py 2.x's message models (vsn 1.0.0).
    assert version("realtime").split(".")[0] == "2"


async def test_realtime_py_hears_the_onboarding_state_of_its_own_user(
    realtime: RealtimeUnderTest, db: TestDatabase
) -> None:
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    client = AsyncRealtimeClient(realtime.base_url, token=anon_key(), auto_reconnect=False)
    intruder = AsyncRealtimeClient(realtime.base_url, token=anon_key(), auto_reconnect=False)
    try:
        await client.connect()
        await client.set_auth(user_token(alice))
        states: list[tuple[RealtimeSubscribeStates, Exception | None]] = []
        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        channel = client.channel(f"user:{alice}", {"config": {"private": True, "broadcast": None, "presence": None}})
        channel.on_broadcast("onboarding_state", lambda message: received.put_nowait(dict(message)))
        await channel.subscribe(lambda state, error: states.append((state, error)))
        assert states == [(RealtimeSubscribeStates.SUBSCRIBED, None)]

        response = await db.as_user(alice).rpc("set_native_language", {"native_language": "chinese_traditional"})
        assert response.status == 200, response.body
        message = await asyncio.wait_for(received.get(), timeout=HANG_GUARD_SECONDS)
        assert message["event"] == "onboarding_state"
        assert message["payload"]["state"]["native_language"] == "chinese_traditional"
        assert message["payload"]["state"] == response.body
        assert set(message["meta"]) == {"id"}

        await intruder.connect()
        await intruder.set_auth(user_token(bob))
        refused: list[tuple[RealtimeSubscribeStates, Exception | None]] = []
        other = intruder.channel(f"user:{alice}", {"config": {"private": True, "broadcast": None, "presence": None}})
        await other.subscribe(lambda state, error: refused.append((state, error)))
        state, error = refused[0]
        assert state is RealtimeSubscribeStates.CHANNEL_ERROR
        assert json.loads(str(error)) == {
            "reason": f"Unauthorized: You do not have permissions to read from this Channel topic: user:{alice}"
        }
    finally:
        await intruder.close()
        await client.close()
