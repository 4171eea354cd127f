"""The journey of tools/supabase-js/journey.mjs made with supabase-py (async) and its Realtime client.

supabase-py has no `accessToken` option: a third-party token goes in the Authorization header at
creation, `client.postgrest.auth(token)` replaces it, and `client.realtime.set_auth(token)` hands it
to Realtime (before the first join, and again after each refresh).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

import httpx
import jwt
from postgrest.exceptions import APIError
from realtime import AsyncRealtimeChannel, RealtimeSubscribeStates
from realtime.types import BroadcastPayload
from supabase import AsyncClient, AsyncClientOptions, acreate_client

from sidecar.devidp.core import DEV_USER_GRANT
from tests.e2e.conftest import ACCESS_TOKEN_TYPE, EXCHANGE_GRANT, LocalApi

from .journey import AFTER_REFRESH, JOB_TITLE, STEPS, UNKNOWN_INDUSTRY

WAIT_SECONDS = 120.0  # turns a missing event or reply into a clear failure; never a measure of speed
PRIVATE = {"config": {"private": True, "broadcast": {"ack": False, "self": False}, "presence": {"enabled": False}}}


async def sign_in(api: LocalApi, name: str) -> dict[str, Any]:
    """Development sign-in, then the exchange: the sidecar's answer (access_token, expires_in, ...)."""
    async with httpx.AsyncClient() as http:
        login = await http.post(api.dev_idp_token_url, data={"grant_type": DEV_USER_GRANT, "username": name})
        assert login.status_code == 200, login.text
        exchanged = await http.post(
            f"{api.sidecar_url}/v1/auth/token",
            data={
                "grant_type": EXCHANGE_GRANT,
                "subject_token": login.json()["access_token"],
                "subject_token_type": ACCESS_TOKEN_TYPE,
            },
        )
        assert exchanged.status_code == 200, exchanged.text
        session: dict[str, Any] = exchanged.json()
        return session


@dataclass
class User:
    session: dict[str, Any]
    client: AsyncClient

    @property
    def profile_id(self) -> str:
        claims = jwt.decode(self.session["access_token"], options={"verify_signature": False})
        return str(claims["sub"])


async def connect(api: LocalApi, name: str) -> User:
    session = await sign_in(api, name)
    token = session["access_token"]
    client = await acreate_client(
        api.api_url,
        api.anon_key,
        options=AsyncClientOptions(schema="api", headers={"Authorization": f"Bearer {token}"}),
    )
    await client.realtime.set_auth(token)
    return User(session, client)


class Inbox:
    """Every broadcast a channel hears, in order, and a way to wait for one."""

    def __init__(self, channel: AsyncRealtimeChannel) -> None:
        self.received: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        channel.on_broadcast("*", self._on_broadcast)

    def _on_broadcast(self, message: BroadcastPayload) -> None:
        self.received.append({"event": message["event"], "payload": message["payload"]})
        self.arrived.set()

    async def wait_for(self, event: str, version: int | None = None) -> None:
        def seen() -> bool:
            return any(
                m["event"] == event and (version is None or m["payload"]["state"]["version"] == version)
                for m in self.received
            )

        async def until_seen() -> None:
            while not seen():
                self.arrived.clear()
                await self.arrived.wait()

        try:
            await asyncio.wait_for(until_seen(), WAIT_SECONDS)
        except TimeoutError:
            raise AssertionError(f"no {event} (version {version}) among {self.received}") from None


async def subscribe(channel: AsyncRealtimeChannel) -> dict[str, Any]:
    """The first status the channel reports, with the error's text."""
    first: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

    def on_status(status: RealtimeSubscribeStates, error: Exception | None) -> None:
        if not first.done():
            first.set_result({"status": status.value, "message": str(error) if error else None})

    await channel.subscribe(on_status)
    return await asyncio.wait_for(first, WAIT_SECONDS)


async def call(client: AsyncClient, fn: str, args: dict[str, Any]) -> Any:
    return (await client.rpc(fn, args).execute()).data


async def reference(client: AsyncClient) -> dict[str, list[str]]:
    lists = {}
    for view in ("native_languages", "industries", "communication_partners", "situations"):
        answer = await client.table(view).select("slug, name").order("sort_order").execute()
        rows = cast(list[dict[str, Any]], answer.data)
        lists[view] = [str(row["slug"]) for row in rows]
    return lists


async def refused_step(client: AsyncClient) -> dict[str, Any]:
    try:
        await call(client, "set_industry", {"industry": UNKNOWN_INDUSTRY})
    except APIError as refused:
        error = {"code": refused.code, "message": refused.message, "details": refused.details, "hint": refused.hint}
        return {"status": None, "data": None, "error": error}  # supabase-py does not expose the status
    raise AssertionError("set_industry accepted an unknown industry")


async def journey(api: LocalApi, learner: str, intruder: str) -> dict[str, Any]:
    """`learner` (alice in the result) and `intruder` (bob) are dev users no other test signs in."""
    alice, bob = await connect(api, learner), await connect(api, intruder)
    result: dict[str, Any] = {
        "alice": alice.profile_id,
        "bob": bob.profile_id,
        "expires_in": alice.session["expires_in"],
    }
    try:
        result["reference"] = await reference(alice.client)
        result["me"] = await call(alice.client, "me", {})

        channel = alice.client.channel(f"user:{alice.profile_id}", PRIVATE)  # type: ignore[arg-type]
        inbox = Inbox(channel)
        result["alice_join"] = await subscribe(channel)
        intruder = bob.client.channel(f"user:{alice.profile_id}", PRIVATE)  # type: ignore[arg-type]
        result["bob_join"] = await subscribe(intruder)
        await bob.client.remove_channel(intruder)  # stop the client's rejoin attempts

        result["refused_step"] = await refused_step(alice.client)
        role = (await call(alice.client, "search_job_roles", {"title": JOB_TITLE}))[0]
        result["steps"] = []
        for fn, given in STEPS:
            args = {"job_role_id": role["job_role_id"]} if fn == "select_job_role" else given
            state = await call(alice.client, fn, args)
            await inbox.wait_for("onboarding_state", state["version"])
            result["steps"].append({"fn": fn, "state": state})
        await inbox.wait_for("learning_plan_ready")
        await inbox.wait_for("job_done")
        result["plan"] = await call(alice.client, "my_learning_plan", {})

        # Refresh: a new sign-in and exchange, handed to the Data API client and to Realtime.
        refreshed = await sign_in(api, learner)
        result["refreshed_token_differs"] = refreshed["access_token"] != alice.session["access_token"]
        alice.client.postgrest.auth(refreshed["access_token"])
        await alice.client.realtime.set_auth(refreshed["access_token"])
        after = await call(alice.client, *AFTER_REFRESH)
        await inbox.wait_for("onboarding_state", after["version"])
        result["after_refresh"] = after
        result["events"] = inbox.received
    finally:
        await alice.client.remove_all_channels()
        await bob.client.remove_all_channels()
    return result
