"""End to end, as a user meets the system: the stack started as `make run` starts it (honcho running
the Procfile: sidecar, relay, worker as real processes), sign-in through the development identity
provider, the token exchange, onboarding through supabase-py against the PostgREST emulation, and
the learning-plan-ready message on the user's private Realtime channel."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from sidecar.app import DEV_IDP_PATH
from sidecar.devidp.core import DEV_USER_GRANT
from supabase import AsyncClientOptions, acreate_client
from tests.ai.plans import plan_responder
from tests.fakes.openai_server import API_KEY, FakeOpenAI, running_fake_openai
from tests.jobs.stack import JobStack, Process, claim_redis_db, release_redis_db, wait_for
from tests.support.database import TestDatabase
from tests.support.postgrest_http import PostgrestServer
from tests.support.realtime import channel_access, sent_messages

JWT_SECRET = "e2e-supabase-legacy-jwt-secret-at-least-32-chars"
EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with running_fake_openai() as fake:
        fake.chat_responder = plan_responder  # a model that answers with a plan fitted to the request
        yield fake


@pytest.fixture
async def running_stack(
    db: TestDatabase, fake_openai: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[tuple[JobStack, Process, str]]:
    redis_db = claim_redis_db()
    port = free_port()
    stack = JobStack(
        database_url=db.url,
        redis_db=redis_db,
        log_dir=tmp_path,
        overrides={
            "FLUENTPRO_ENV": "development",  # the development identity provider, as `make run` without Auth0
            "JOBS_MODULES": "",
            "PORT": str(port),
            "SUPABASE_JWT_SECRET": JWT_SECRET,
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": fake_openai.url,
        },
    )
    dev = stack.start("dev")
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:

            async def ready() -> bool:
                try:
                    return (await http.get("/health/ready")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_for(ready, "the sidecar to be ready", stack)
        yield stack, dev, base
    finally:
        stack.stop_all()
        release_redis_db(redis_db)


async def test_sign_in_onboard_and_hear_the_plan_is_ready(
    db: TestDatabase, running_stack: tuple[JobStack, Process, str]
) -> None:
    stack, dev, base = running_stack
    async with httpx.AsyncClient(base_url=base) as http:
        # 1. Sign in through the development identity provider: an Auth0-shaped access token.
        login = await http.post(f"{DEV_IDP_PATH}/oauth/token", data={"grant_type": DEV_USER_GRANT, "username": "alice"})
        assert login.status_code == 200, login.text
        auth0_token = login.json()["access_token"]
        # 2. Exchange it for a Supabase JWT (the first exchange registers the profile).
        exchanged = await http.post(
            "/v1/auth/token",
            data={"grant_type": EXCHANGE_GRANT, "subject_token": auth0_token, "subject_token_type": ACCESS_TOKEN_TYPE},
        )
        assert exchanged.status_code == 200, exchanged.text
        supabase_token = exchanged.json()["access_token"]
    claims = jwt.decode(supabase_token, JWT_SECRET, algorithms=["HS256"], audience="authenticated")
    alice = uuid.UUID(claims["sub"])

    # 3. Onboard through supabase-py, against PostgREST as the app would call it.
    db.api.jwt_keys = JWT_SECRET
    postgrest = await PostgrestServer(db.api).start()
    try:
        client = await acreate_client(
            postgrest.url,
            "sb_publishable_e2e",
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
    finally:
        await postgrest.close()

    # 4. The worker builds the plan; the user's private channel hears that it is ready.
    topic = f"user:{alice}"

    async def plan_ready_sent() -> bool:
        return any(m["event"] == "learning_plan_ready" for m in await sent_messages(db, topic))

    await wait_for(plan_ready_sent, "the learning_plan_ready broadcast", stack)
    assert (await channel_access(db, claims, topic)).read
    other = {**claims, "sub": str(uuid.uuid4())}
    assert not (await channel_access(db, other, topic)).read
    plan = await db.api.with_token(supabase_token).rpc("my_learning_plan")
    assert plan.status == 200
    assert plan.body["status"] == "ready"

    # 5. Ctrl-C semantics: stopping the supervisor stops all three processes.
    stack.stop(dev)
    log = dev.log_path.read_text(errors="replace")
    for name in ("sidecar", "relay", "worker"):
        assert f"{name} stopped" in log, log
