"""The running stack, as `make run` starts it, shared by the end-to-end and load tests."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from sidecar.app import DEV_IDP_PATH
from sidecar.devidp.core import DEV_USER_GRANT
from tests.ai.plans import plan_responder
from tests.fakes.openai_server import API_KEY, FakeOpenAI, running_fake_openai
from tests.jobs.stack import JobStack, Process, claim_redis_db, release_redis_db, wait_for
from tests.support.database import TestDatabase

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


@dataclass(frozen=True)
class SignedIn:
    token: str
    claims: dict[str, Any]


async def sign_in(http: httpx.AsyncClient, name: str) -> SignedIn:
    """Sign in as a named dev user and exchange the Auth0-shaped token for a Supabase JWT."""
    login = await http.post(f"{DEV_IDP_PATH}/oauth/token", data={"grant_type": DEV_USER_GRANT, "username": name})
    assert login.status_code == 200, login.text
    exchanged = await http.post(
        "/v1/auth/token",
        data={
            "grant_type": EXCHANGE_GRANT,
            "subject_token": login.json()["access_token"],
            "subject_token_type": ACCESS_TOKEN_TYPE,
        },
    )
    assert exchanged.status_code == 200, exchanged.text
    token = exchanged.json()["access_token"]
    return SignedIn(token, jwt.decode(token, JWT_SECRET, algorithms=["HS256"], audience="authenticated"))
