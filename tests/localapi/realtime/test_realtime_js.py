"""realtime-js, the official JavaScript client as the pinned supabase-js ships it (vsn 2.0.0, broadcasts
as binary frames), against the local Realtime: joins, a refused join, broadcasts, and a token that
loses the channel."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from tests.clients.node import JS_CLIENT_DIR, node_command, require_supabase_js
from tests.localapi.realtime.conftest import RealtimeUnderTest, anon_key, user_token
from tests.localapi.realtime.wire import HANG_GUARD_SECONDS
from tests.support.database import TestDatabase
from tests.support.users import create_user

SCRIPT = Path(__file__).with_name("realtime_js.cjs")


class RealtimeJs:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, realtime: RealtimeUnderTest) -> RealtimeJs:
        require_supabase_js()
        env = {
            **os.environ,
            "SUPABASE_JS_DIR": str(JS_CLIENT_DIR),
            "REALTIME_URL": realtime.base_url.replace("http://", "ws://"),
            "API_KEY": anon_key(),
        }
        process = await asyncio.create_subprocess_exec(
            *node_command(), str(SCRIPT), env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()

    async def next(self, key: str) -> dict[str, Any]:
        """The next line carrying `key` (a hang guard bounds the wait, never a speed check)."""
        assert self.process.stdout is not None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout=HANG_GUARD_SECONDS)
            if not line:
                raise AssertionError(f"realtime_js.cjs exited ({await self.process.wait()}) before saying {key!r}")
            said: dict[str, Any] = json.loads(line)
            if key in said:
                return said

    async def close(self) -> None:
        if self.process.returncode is None:
            await self.send({"quit": True})
            await asyncio.wait_for(self.process.wait(), timeout=HANG_GUARD_SECONDS)


async def test_realtime_js_joins_hears_and_is_refused_as_on_supabase(
    realtime: RealtimeUnderTest, db: TestDatabase
) -> None:
    alice, bob = await create_user(db, "alice"), await create_user(db, "bob")
    js = await RealtimeJs.start(realtime)
    try:
        await js.send({"join": {"topic": f"user:{alice}", "token": user_token(alice)}})
        assert await js.next("joined") == {"joined": f"user:{alice}", "status": "SUBSCRIBED", "message": None}

        response = await db.as_user(alice).rpc("set_native_language", {"native_language": "chinese_traditional"})
        assert response.status == 200, response.body
        heard = await js.next("broadcast")
        message = heard["message"]
        assert (message["type"], message["event"]) == ("broadcast", "onboarding_state")
        assert message["payload"]["state"] == response.body
        assert set(message["meta"]) == {"id"} and message["payload"]["id"] == message["meta"]["id"]

        bobs = await RealtimeJs.start(realtime)
        try:
            await bobs.send({"join": {"topic": f"user:{alice}", "token": user_token(bob)}})
            refused = await bobs.next("joined")
            assert refused == {
                "joined": f"user:{alice}",
                "status": "CHANNEL_ERROR",
                "message": f"Unauthorized: You do not have permissions to read from this Channel topic: user:{alice}",
            }
        finally:
            await bobs.close()

        # Handing alice's client bob's token loses alice's channel: a system error, then closed.
        await js.send({"set_auth": user_token(bob)})
        system = await js.next("system")
        assert system["payload"]["status"] == "error"
        assert system["payload"]["message"] == (
            f"You no longer have permission to read from this Channel topic: user:{alice}"
        )
        assert await js.next("closed") == {"closed": f"user:{alice}"}
    finally:
        await js.close()
