"""The per-address limit on sign-up, login, refresh and logout, and the address Auth0 is told."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from core.db.migrator import PROJECT_ROOT
from core.settings import RedisSettings, Settings
from sidecar.auth.address_limit import KEY_PREFIX, WINDOW_SECONDS, AddressLimiter
from sidecar.services import services_of
from tests.fakes.auth0 import AUDIENCE, CLIENT_ID, CLIENT_SECRET, FakeAuth0, FakeAuth0Server
from tests.sidecar.conftest import ES256_PEM, TOKEN_ISSUER, TOKEN_KID, SidecarFactory, sidecar_settings
from tests.sidecar.test_native_auth import GOOD
from tests.sidecar.test_token_exchange import assert_refused
from tests.support.database import TestDatabase

Client = AsyncTestClient[Any]
REDIS_URL = "redis://127.0.0.1:6379/0"
TEST_CLIENT_ADDRESS = "testclient"  # the peer address Litestar's test client reports
WRONG = {"email": GOOD["email"], "password": "not-the-password"}
SPOOFED = [f"198.51.100.{n}" for n in range(1, 5)]  # a fresh made-up address on every attempt
CLIENT = "203.0.113.7"  # what our proxy saw
MID_WINDOW = 1_000 * WINDOW_SECONDS + 15  # 15 s into a window, on the limiter's clock

# Every test here counts the same few addresses in the one Redis, and the fixture below clears them:
# run in parallel, one test's attempts would land in another's count.
pytestmark = pytest.mark.xdist_group("address_limit")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """Redis with no count left for the test client's address (nor for the unit tests' addresses)."""
    client = Redis.from_url(REDIS_URL)

    async def forget() -> None:
        keys = [key async for key in client.scan_iter(match=KEY_PREFIX + "*")]
        if keys:
            await client.delete(*keys)

    await forget()
    yield client
    await forget()
    await client.aclose()


def limited(db: TestDatabase, auth0_server: FakeAuth0Server, per_minute: int) -> Settings:
    settings = sidecar_settings(db.url, auth0_server.url)
    return dataclasses.replace(
        settings,
        http=dataclasses.replace(settings.http, auth_attempts_per_minute=per_minute),
        # Under a full test run a Redis call can take seconds; past the timeout an attempt goes through
        # unchecked by design, which here would read as the limit failing.
        redis=dataclasses.replace(settings.redis, timeout_seconds=30.0),
    )


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def in_one_window(sidecar: Client) -> Client:
    """Stop the running sidecar's limiter clock mid-window, so that no test's attempts straddle two windows."""
    limiter = services_of(sidecar.app.state).address_limiter
    assert limiter is not None
    limiter.clock = Clock(MID_WINDOW)
    # Redis expires keys on the real clock: a machine that stalls for a minute would end the window.
    limiter.key_ttl_seconds = 3600
    return sidecar


async def test_a_window_admits_the_limit_then_says_how_long_to_wait(redis: Redis) -> None:
    start = MID_WINDOW
    clock = Clock(start)
    limiter = AddressLimiter(redis, 2, clock=clock)
    assert [await limiter.wait_seconds("198.51.100.7") for _ in range(2)] == [0, 0]
    assert await limiter.wait_seconds("198.51.100.7") == WINDOW_SECONDS - 15
    assert await limiter.wait_seconds("198.51.100.8") == 0  # another address has its own count
    clock.now = start + WINDOW_SECONDS - 15  # the next window starts afresh
    assert await limiter.wait_seconds("198.51.100.7") == 0
    ttl = await redis.ttl(f"{KEY_PREFIX}198.51.100.7:{1_001}")
    assert 0 < ttl <= WINDOW_SECONDS + 1  # counts expire with their window: nothing accumulates in Redis


async def test_login_attempts_over_the_limit_are_429_and_never_reach_auth0(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, auth0: FakeAuth0, db: TestDatabase, redis: Redis
) -> None:
    auth0.add_user(GOOD["email"], GOOD["password"], "Dora")
    sidecar = in_one_window(await make_sidecar(limited(db, auth0_server, 3)))
    for _ in range(3):
        assert_refused(await sidecar.post("/v1/auth/login", json=WRONG), 401, "auth.invalid_credentials")
    refused = await sidecar.post("/v1/auth/login", json={"email": GOOD["email"], "password": GOOD["password"]})
    assert_refused(refused, 429, "auth.rate_limited")
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= WINDOW_SECONDS
    assert refused.json()["details"]["retry_after_seconds"] == wait
    assert len(auth0.forwarded_for) == 3  # the fourth attempt cost Auth0 nothing
    # Sign-up, refresh and logout share the address's count.
    assert_refused(await sidecar.post("/v1/auth/signup", json=GOOD), 429, "auth.rate_limited")
    assert_refused(await sidecar.post("/v1/auth/refresh", json={"refresh_token": "x"}), 429, "auth.rate_limited")
    assert_refused(await sidecar.post("/v1/auth/logout", json={"refresh_token": "x"}), 429, "auth.rate_limited")


async def test_parallel_attempts_are_each_counted(redis: Redis) -> None:
    # Separate Redis connections, as separate sidecar processes would have: none sees room another took.
    limiters = [AddressLimiter(Redis.from_url(REDIS_URL), 5) for _ in range(10)]
    try:
        waits = await asyncio.gather(*(limiter.wait_seconds("203.0.113.9") for limiter in limiters * 4))
    finally:
        for limiter in limiters:
            await limiter.redis.aclose()
    assert sum(wait == 0 for wait in waits) == 5


async def test_the_token_exchange_is_not_limited(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, auth0: FakeAuth0, db: TestDatabase, redis: Redis
) -> None:
    sidecar = await make_sidecar(limited(db, auth0_server, 1))
    for _ in range(3):  # a bad subject token is refused on its merits, not by the sign-in limit
        response = await sidecar.post("/v1/auth/token", data={"subject_token": "garbage"})
        assert response.json()["code"] != "auth.rate_limited"


async def test_with_redis_unreachable_sign_in_still_works(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, auth0: FakeAuth0, db: TestDatabase
) -> None:
    auth0.add_user(GOOD["email"], GOOD["password"], "Dora")
    settings = limited(db, auth0_server, 1)
    sidecar = await make_sidecar(dataclasses.replace(settings, redis=RedisSettings(url="redis://127.0.0.1:1/0")))
    for _ in range(3):
        response = await sidecar.post("/v1/auth/login", json={"email": GOOD["email"], "password": GOOD["password"]})
        assert response.status_code == 200, response.text


async def test_login_tells_auth0_the_users_address_but_refresh_does_not(sidecar: Client, auth0: FakeAuth0) -> None:
    auth0.add_user(GOOD["email"], GOOD["password"], "Dora")
    login = await sidecar.post("/v1/auth/login", json={"email": GOOD["email"], "password": GOOD["password"]})
    assert login.status_code == 200, login.text
    assert auth0.forwarded_for == [TEST_CLIENT_ADDRESS]
    refreshed = await sidecar.post("/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert auth0.forwarded_for == [TEST_CLIENT_ADDRESS, None]


async def test_without_a_client_secret_no_address_is_forwarded(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    # Auth0 trusts auth0-forwarded-for only from a confidential client; a public one must not send it.
    auth0.client_secret = None
    auth0.add_user(GOOD["email"], GOOD["password"], "Dora")
    sidecar = await make_sidecar(client_secret=None)
    login = await sidecar.post("/v1/auth/login", json={"email": GOOD["email"], "password": GOOD["password"]})
    assert login.status_code == 200, login.text
    assert auth0.forwarded_for == [None]


async def test_made_up_forwarded_for_entries_do_not_escape_the_limit(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, auth0: FakeAuth0, db: TestDatabase, redis: Redis
) -> None:
    # No proxy is trusted by default, so a client's X-Forwarded-For is only its own say-so.
    sidecar = in_one_window(await make_sidecar(limited(db, auth0_server, 3)))
    statuses = [
        (await sidecar.post("/v1/auth/login", json=WRONG, headers={"X-Forwarded-For": fake})).status_code
        for fake in SPOOFED
    ]
    assert statuses == [401, 401, 401, 429]
    assert auth0.forwarded_for == [TEST_CLIENT_ADDRESS] * 3


async def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_hop(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, auth0: FakeAuth0, db: TestDatabase, redis: Redis
) -> None:
    settings = limited(db, auth0_server, 3)
    proxy = ipaddress.ip_network("10.0.0.2/32")
    sidecar = in_one_window(
        await make_sidecar(
            dataclasses.replace(settings, http=dataclasses.replace(settings.http, trusted_proxies=(proxy,)))
        )
    )
    arriving_from(sidecar.app, "10.0.0.2")  # the proxy's connection; it appended what it saw to the header
    statuses = [
        (await sidecar.post("/v1/auth/login", json=WRONG, headers={"X-Forwarded-For": f"{fake}, {CLIENT}"})).status_code
        for fake in SPOOFED
    ]
    assert statuses == [401, 401, 401, 429]
    assert auth0.forwarded_for == [CLIENT] * 3  # Auth0 is told the same address the limit counted


def arriving_from(app: Any, peer: str) -> None:
    """Make every request reach `app` from `peer`, as over the network (the test client says "testclient")."""
    inner = app.asgi_handler

    async def from_peer(scope: Any, receive: Any, send: Any) -> None:
        scope["client"] = (peer, 43210)
        await inner(scope, receive, send)

    app.asgi_handler = from_peer


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "client"),
    [(None, "{fake}", "127.0.0.1"), ("127.0.0.1", "{fake}, " + CLIENT, CLIENT)],
    ids=["no-trusted-proxy", "one-trusted-proxy"],
)
async def test_the_served_sidecar_counts_the_same_address_it_tells_auth0(
    auth0_server: FakeAuth0Server,
    auth0: FakeAuth0,
    db: TestDatabase,
    redis: Redis,
    tmp_path: Path,
    trusted: str | None,
    forwarded_for: str,
    client: str,
) -> None:
    # As deployed: `fluentpro serve` under uvicorn, this test calling it over loopback.
    async with served_sidecar(db, auth0_server, tmp_path, trusted) as base, httpx.AsyncClient(base_url=base) as http:
        await window_with_room_to_spare()
        statuses = [
            (
                await http.post(
                    "/v1/auth/login", json=WRONG, headers={"X-Forwarded-For": forwarded_for.format(fake=fake)}
                )
            ).status_code
            for fake in SPOOFED
        ]
    assert statuses == [401, 401, 401, 429]
    assert auth0.forwarded_for == [client] * 3


@asynccontextmanager
async def served_sidecar(
    db: TestDatabase, auth0_server: FakeAuth0Server, tmp_path: Path, trusted: str | None
) -> AsyncIterator[str]:
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if name != "FORWARDED_ALLOW_IPS"}
    env |= {
        "FLUENTPRO_ENV": "test",
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": db.url,
        "REDIS_URL": REDIS_URL,
        "AUTH0_DOMAIN": "fluentpro.test",
        "AUTH0_AUDIENCE": AUDIENCE,
        "AUTH0_ISSUER": auth0_server.url + "/",
        "AUTH0_JWKS_URL": auth0_server.url + "/.well-known/jwks.json",
        "AUTH0_CLIENT_ID": CLIENT_ID,
        "AUTH0_CLIENT_SECRET": CLIENT_SECRET,
        "SUPABASE_JWT_PRIVATE_KEY": ES256_PEM,
        "SUPABASE_JWT_KID": TOKEN_KID,
        "SUPABASE_JWT_ISSUER": TOKEN_ISSUER,
        "CORS_ALLOW_ORIGINS": "https://app.fluentpro.test",
        "AUTH_ATTEMPTS_PER_MINUTE": "3",
        "ACCESS_LOG": "false",
        **({"FORWARDED_ALLOW_IPS": trusted} if trusted else {}),
    }
    log = (tmp_path / "sidecar.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"from sidecar.serve import serve; raise SystemExit(serve('127.0.0.1', {port}))",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http:
            while True:  # until it answers, or exits (no deadline: a slow machine is not a failure)
                assert process.returncode is None, (tmp_path / "sidecar.log").read_text()
                try:
                    if (await http.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        log.close()


async def window_with_room_to_spare(margin_seconds: float = 10) -> None:
    """A served sidecar counts on the real clock: if its window is about to close, start in the next one, so
    that four loopback calls cannot straddle a boundary (where the count starts again)."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin_seconds:
        await asyncio.sleep(left + 0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
