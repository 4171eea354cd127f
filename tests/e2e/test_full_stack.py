"""End to end, as a user meets the system: the stack started as `make run` starts it (honcho running
the Procfile: sidecar, relay, worker as real processes), sign-in through the development identity
provider, the token exchange, onboarding through supabase-py against the local API that `fluentpro dev` serves, and
the learning-plan-ready message on the user's private Realtime channel."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from supabase import AsyncClientOptions, acreate_client

from tests.jobs.stack import JobStack, Process, wait_for
from tests.support.database import TestDatabase
from tests.support.realtime import channel_access, sent_messages

from .conftest import JWT_SECRET, LocalApi, sign_in


async def test_sign_in_onboard_and_hear_the_plan_is_ready(
    db: TestDatabase, running_stack: tuple[JobStack, Process, str], local_api: LocalApi
) -> None:
    stack, dev, base = running_stack
    async with httpx.AsyncClient(base_url=base) as http:
        # Sign in through the development identity provider, then exchange the Auth0-shaped token
        # for a Supabase JWT (the first exchange registers the profile).
        signed_in = await sign_in(http, "alice")
    supabase_token, claims = signed_in.token, signed_in.claims
    alice = uuid.UUID(claims["sub"])

    # 3. Onboard through supabase-py, against the local API `fluentpro dev` serves, as the app would.
    client = await acreate_client(
        local_api.api_url,
        local_api.anon_key,
        options=AsyncClientOptions(schema="api", headers={"Authorization": f"Bearer {supabase_token}"}),
    )
    me = (await client.rpc("me", {}).execute()).data
    assert me["email"] == "alice@example.com"
    role = (await client.rpc("search_job_roles", {"title": "financial analyst"}).execute()).data[0]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("set_native_language", {"native_language": "chinese_traditional"}),
        ("set_industry", {"industry": "banking_finance"}),
        ("select_job_role", {"job_role_id": role["job_role_id"]}),
        ("set_communication_partners", {"partners": ["clients", "senior_management"]}),
        ("set_partner_situations", {"partner": "clients", "situations": ["negotiations", "meetings"]}),
        ("set_partner_situations", {"partner": "senior_management", "situations": ["presentations"]}),
        ("complete_onboarding", {}),
    ]
    for name, args in steps:
        state = (await client.rpc(name, args).execute()).data
    assert state["status"] == "completed"
    assert state["is_complete"] is True

    # 4. The worker builds the plan; the user's private channel hears that it is ready.
    topic = f"user:{alice}"

    async def plan_ready_sent() -> bool:
        return any(m["event"] == "learning_plan_ready" for m in await sent_messages(db, topic))

    await wait_for(plan_ready_sent, "the learning_plan_ready broadcast", stack)
    assert (await channel_access(db, claims, topic)).read
    other = {**claims, "sub": str(uuid.uuid4())}
    assert not (await channel_access(db, other, topic)).read
    db.api.jwt_keys = JWT_SECRET
    plan = await db.api.with_token(supabase_token).rpc("my_learning_plan")
    assert plan.status == 200
    assert plan.body["status"] == "ready"

    # 5. Ctrl-C semantics: stopping the supervisor stops all three processes.
    stack.stop(dev)
    log = dev.log_path.read_text(errors="replace")
    for name in ("sidecar", "relay", "worker"):
        assert f"{name} stopped" in log, log
