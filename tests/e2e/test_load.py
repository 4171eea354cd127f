"""Load: many users sign in through the sidecar and complete onboarding at once through the
local API `fluentpro dev` serves, while the relay and worker run. No request fails, nothing deadlocks, every
user's final state is what they chose, and each learning-plan job runs exactly once.

LOAD_USERS sets the number of users (50 by default; `make bench` may raise it)."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import httpx
from supabase import AsyncClientOptions, acreate_client

from tests.fakes.openai_server import FakeOpenAI
from tests.jobs.stack import JobStack, Process, wait_for
from tests.support.database import TestDatabase

from .conftest import LocalApi, sign_in

USERS = int(os.environ.get("LOAD_USERS", "50"))
PARTNERS = ["clients", "senior_management", "suppliers", "colleagues"]
SITUATIONS = ["meetings", "negotiations", "phone_calls", "presentations", "status_updates"]


def choices_for(index: int) -> dict[str, list[str]]:
    """Each user picks a different ordered set of partners and situations."""
    partners = PARTNERS[index % 3 :] + PARTNERS[: index % 3]
    partners = partners[: 1 + index % len(PARTNERS)]
    return {p: SITUATIONS[(index + i) % 5 :][:2] or SITUATIONS[:2] for i, p in enumerate(partners)}


async def journey(http: httpx.AsyncClient, api: LocalApi, index: int) -> tuple[uuid.UUID, dict[str, Any]]:
    signed_in = await sign_in(http, f"learner{index}")
    headers = {"Authorization": f"Bearer {signed_in.token}"}
    found = await http.post("/v1/job-roles/search", json={"title": "logistics coordinator"}, headers=headers)
    assert found.status_code == 200, found.text
    role_id = found.json()["results"][0]["job_role_id"]
    client = await acreate_client(api.api_url, api.anon_key, options=AsyncClientOptions(schema="api", headers=headers))
    choices = choices_for(index)
    await client.rpc("set_native_language", {"native_language": "chinese_simplified"}).execute()
    await client.rpc("set_industry", {"industry": "shipping_logistics"}).execute()
    await client.rpc("select_job_role", {"job_role_id": role_id}).execute()
    # The same user races two partner choices; whichever lands last wins, and stays consistent.
    await asyncio.gather(
        client.rpc("set_communication_partners", {"partners": list(reversed(choices))}).execute(),
        client.rpc("set_communication_partners", {"partners": list(choices)}).execute(),
    )
    await client.rpc("set_communication_partners", {"partners": list(choices)}).execute()
    for partner, situations in choices.items():
        await client.rpc("set_partner_situations", {"partner": partner, "situations": situations}).execute()
    state = (await client.rpc("complete_onboarding", {}).execute()).data
    return uuid.UUID(signed_in.claims["sub"]), state


async def test_many_users_onboard_at_once_while_jobs_run(
    db: TestDatabase, running_stack: tuple[JobStack, Process, str], local_api: LocalApi, fake_openai: FakeOpenAI
) -> None:
    stack, _dev, base = running_stack
    limits = httpx.Limits(max_connections=USERS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        results = await asyncio.gather(*(journey(http, local_api, i) for i in range(USERS)))

    users = {user: (index, state) for index, (user, state) in enumerate(results)}
    assert len(users) == USERS
    for user, (index, state) in users.items():
        chosen = choices_for(index)
        assert state["status"] == "completed", state
        assert [p["slug"] for p in state["communication_partners"]] == list(chosen)
        for partner in state["communication_partners"]:
            assert partner["situations"] == chosen[partner["slug"]], (user, state)

    async def all_plans_done() -> bool:
        async with db.owner() as conn:
            done = await conn.fetchval(
                "select count(*) from private.job_outbox where kind = 'learning_plans__generate' and status = 'done'"
            )
        return bool(done == USERS)

    await wait_for(all_plans_done, f"{USERS} learning-plan jobs to finish", stack, bound=300)
    async with db.owner() as conn:
        per_user = await conn.fetch(
            "select profile_id, count(*) as jobs, sum(attempts) as attempts from private.job_outbox "
            "where kind = 'learning_plans__generate' group by profile_id"
        )
        plans = await conn.fetchval("select count(*) from app.learning_plans where status = 'ready'")
    assert {row["profile_id"] for row in per_user} == set(users)
    assert all(row["jobs"] == 1 and row["attempts"] == 1 for row in per_user), [dict(r) for r in per_user]
    assert plans == USERS
    # Exactly once, seen from the model's side too: one plan request per user.
    assert len(fake_openai.requests_to("/v1/chat/completions")) == USERS
