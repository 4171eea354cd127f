"""The sidecar under test: create_app against the test database, Redis and the fake Auth0 server."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import AsyncTestClient

from core.settings import (
    Auth0Settings,
    DatabaseSettings,
    Environment,
    HttpSettings,
    RedisSettings,
    Settings,
    TokenSettings,
)
from sidecar.app import create_app
from tests.fakes.auth0 import AUDIENCE, CLIENT_ID, CLIENT_SECRET, FakeAuth0, FakeAuth0Server
from tests.support.database import TestDatabase

TOKEN_ISSUER = "https://api.fluentpro.test/sidecar"  # our own issuer, never Supabase Auth's
TOKEN_KID = "fluentpro-test-key"
EXCHANGE = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
}

ES256_KEY = ec.generate_private_key(ec.SECP256R1())
ES256_PEM = ES256_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


@pytest.fixture(scope="session")
async def auth0_server() -> AsyncIterator[FakeAuth0Server]:
    server = await FakeAuth0Server().start()
    yield server
    await server.stop()


@pytest.fixture
def auth0(auth0_server: FakeAuth0Server) -> FakeAuth0:
    auth0_server.idp.reset()
    return auth0_server.idp


def sidecar_settings(db_url: str, auth0_url: str, **auth0_overrides: Any) -> Settings:
    auth0 = Auth0Settings(
        issuer=auth0_url + "/",
        audience=AUDIENCE,
        jwks_url=auth0_url + "/.well-known/jwks.json",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    return Settings(
        environment=Environment.TEST,
        database=DatabaseSettings(url=db_url, pool_min=1, pool_max=8),
        redis=RedisSettings(url="redis://127.0.0.1:6379/0"),
        auth0=dataclasses.replace(auth0, **auth0_overrides),
        tokens=TokenSettings(issuer=TOKEN_ISSUER, ttl_seconds=600, private_key_pem=ES256_PEM, kid=TOKEN_KID),
        # The per-address sign-in limit is off: every test client calls from the same address
        # ("testclient"); tests/sidecar/test_address_limit.py turns it on.
        http=HttpSettings(
            cors_allow_origins=("https://app.fluentpro.test",), access_log=False, auth_attempts_per_minute=0
        ),
    )


SidecarFactory = Callable[..., Awaitable[AsyncTestClient[Any]]]


@pytest.fixture
async def make_sidecar(db: TestDatabase, auth0_server: FakeAuth0Server) -> AsyncIterator[SidecarFactory]:
    """Build a sidecar with settings overridden per test (`auth0__x=` for Auth0Settings, or `settings=`)."""
    clients: list[AsyncTestClient[Any]] = []

    async def factory(settings: Settings | None = None, **auth0_overrides: Any) -> AsyncTestClient[Any]:
        app = create_app(settings or sidecar_settings(db.url, auth0_server.url, **auth0_overrides))
        client: AsyncTestClient[Any] = AsyncTestClient(app)
        await client.__aenter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.__aexit__(None, None, None)


@pytest.fixture
async def sidecar(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> AsyncTestClient[Any]:
    return await make_sidecar()
