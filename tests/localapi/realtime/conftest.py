"""A RealtimeServer on a random local port over the test's database, and tokens as the sidecar mints them."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from core.settings import TokenSettings
from localapi.auth import TokenVerifier
from localapi.realtime import Limits, RealtimeServer
from sidecar.auth.tokens import TokenKeys
from tests.support.database import TestDatabase

ISSUER = "fluentpro-sidecar"
SECRET = "realtime-test-secret-" + "x" * 24
SETTINGS = TokenSettings(issuer=ISSUER, secret=SECRET, ttl_seconds=600)
KEYS = TokenKeys(SETTINGS)
# The local API's own verifier, as localapi/server.py builds it from the sidecar's token settings.
verify_token = TokenVerifier.from_settings(SETTINGS)


def user_token(user_id: uuid.UUID, *, expires_in: int = 600) -> str:
    """A token exactly as the sidecar mints it, optionally with another lifetime (negative: expired)."""
    minted = KEYS.mint(profile_id=user_id, auth0_subject=f"auth0|{user_id}", roles=["learner"])
    if expires_in == 600:
        return minted.token
    now = int(time.time())
    return KEYS.sign({**minted.claims, "iat": now - max(0, -expires_in) - 1, "exp": now + expires_in})


def anon_key() -> str:
    now = int(time.time())
    return KEYS.sign({"iss": ISSUER, "role": "anon", "iat": now, "exp": now + 3600})


@dataclass
class RealtimeUnderTest:
    server: RealtimeServer
    base_url: str  # http://127.0.0.1:<port>/realtime/v1

    def url(self, *, key: str | None = None, vsn: str = "1.0.0") -> str:
        ws = self.base_url.replace("http://", "ws://")
        query = f"vsn={vsn}" + (f"&apikey={key}" if key is not None else "")
        return f"{ws}/websocket?{query}"


async def serve(db: TestDatabase, limits: Limits | None = None) -> tuple[RealtimeServer, web.AppRunner, str]:
    server = RealtimeServer(db.url, verify_token, limits=limits)
    await server.start()
    app = web.Application()
    app.router.add_get("/realtime/v1/websocket", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return server, runner, f"http://127.0.0.1:{port}/realtime/v1"


@pytest.fixture
async def realtime(db: TestDatabase) -> AsyncIterator[RealtimeUnderTest]:
    server, runner, base = await serve(db)
    try:
        yield RealtimeUnderTest(server, base)
    finally:
        await server.close()
        await runner.cleanup()
