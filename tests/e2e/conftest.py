"""The running stack, as `make run` starts it, shared by the end-to-end and load tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
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
from tests.jobs.stack import ROOT, JobStack, Process, claim_redis_db, release_redis_db, wait_for
from tests.support.database import BackgroundDropper, TestDatabase, clone

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


@asynccontextmanager
async def dev_stack(
    database_url: str, fake_openai: FakeOpenAI, log_dir: Path
) -> AsyncIterator[tuple[JobStack, Process, str]]:
    """`fluentpro dev` over a database, with the development identity provider and a fake OpenAI, once
    its sidecar is ready: (the stack, the dev process, the sidecar's base URL)."""
    redis_db = claim_redis_db()
    port = free_port()
    stack = JobStack(
        database_url=database_url,
        redis_db=redis_db,
        log_dir=log_dir,
        overrides={
            "FLUENTPRO_ENV": "development",  # the development identity provider, as `make run` without Auth0
            "JOBS_MODULES": "",
            "PORT": str(port),
            "LOCAL_API_PORT": str(free_port()),  # not the default 54321, which `make run` may be using
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


@pytest.fixture
async def running_stack(
    db: TestDatabase, fake_openai: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[tuple[JobStack, Process, str]]:
    async with dev_stack(db.url, fake_openai, tmp_path) as running:
        yield running


@dataclass(frozen=True)
class LocalApi:
    """What a client app is configured with, as `fluentpro status --json` reports it for the stack."""

    api_url: str
    anon_key: str
    sidecar_url: str
    dev_idp_token_url: str

    def client_config(self) -> dict[str, str]:
        return {
            "api_url": self.api_url,
            "anon_key": self.anon_key,
            "sidecar_url": self.sidecar_url,
            "dev_idp_token_url": self.dev_idp_token_url,
        }


def stack_status(stack: JobStack) -> dict[str, Any]:
    """`fluentpro status --json` with the stack's settings: the same answer a developer gets."""
    status = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "status", "--json"],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if status.returncode != 0:
        raise AssertionError(
            f"`fluentpro status --json` exited {status.returncode}; the client tests read the local API's URL and "
            f"anon key from it.\n{status.stdout}{status.stderr}"
        )
    report: dict[str, Any] = json.loads(status.stdout)
    return report


async def local_api_of(stack: JobStack) -> LocalApi:
    """The local Supabase-compatible API that `fluentpro dev` started beside the sidecar, once it answers."""
    status = stack_status(stack)
    missing = {"api_url", "anon_key", "sidecar_url", "dev_idp_token_url"} - status.keys()
    assert not missing, f"`fluentpro status --json` lacks {sorted(missing)}: {status}"
    api = LocalApi(status["api_url"], status["anon_key"], status["sidecar_url"], status["dev_idp_token_url"])
    assert api.api_url.rstrip("/").endswith(f":{stack.overrides['LOCAL_API_PORT']}"), api
    async with httpx.AsyncClient(base_url=api.api_url) as http:

        async def answers() -> bool:
            try:  # any PostgREST answer will do (anon may not read the view): the server is up
                response = await http.get("/rest/v1/industries", headers={"apikey": api.anon_key})
            except httpx.HTTPError:
                return False
            return response.status_code < 500

        await wait_for(answers, f"the local API at {api.api_url}", stack)
    return api


@pytest.fixture
async def local_api(running_stack: tuple[JobStack, Process, str]) -> LocalApi:
    return await local_api_of(running_stack[0])


@dataclass(frozen=True)
class ClientStack:
    """One `fluentpro dev` stack that the client and guide tests share: each signs in its own users,
    so none sees another's data, and the stack (minutes to start on a loaded machine) starts once."""

    stack: JobStack
    api: LocalApi


@pytest.fixture(scope="session")
async def client_stack(
    template_db: str, dropper: BackgroundDropper, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ClientStack]:
    database = await clone(template_db)
    try:
        with running_fake_openai() as fake:
            fake.chat_responder = plan_responder
            async with dev_stack(database.url, fake, tmp_path_factory.mktemp("client_stack")) as (stack, _, _):
                yield ClientStack(stack, await local_api_of(stack))
    finally:
        await database.api.close()
        dropper.drop(database.name)


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
