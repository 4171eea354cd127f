"""A fake Auth0 tenant: a real HTTP server on loopback speaking the Authentication API we use.

It is the development identity provider (sidecar/devidp) plus what tests need to inject: a JWKS
outage, a count of JWKS fetches, key rotation, and signing arbitrary tokens with its keys.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from sidecar.devidp.core import IdentityProvider, IdpError, new_key
from sidecar.devidp.routes import IdpUnavailable, idp_app

AUDIENCE = "https://api.fluentpro.test"
CLIENT_ID = "test-client"
CLIENT_SECRET = "test-client-secret"


@dataclass
class FakeAuth0(IdentityProvider):
    jwks_fetches: int = 0
    jwks_down: bool = False
    login_blocked: bool = False  # Auth0's brute-force protection answering 429
    # The auth0-forwarded-for header of each token request (None when absent), in order.
    forwarded_for: list[str | None] = field(default_factory=list)

    def token(self, form: dict[str, Any], *, forwarded_for: str | None = None) -> dict[str, Any]:
        self.forwarded_for.append(forwarded_for)
        if self.login_blocked:
            raise IdpError(429, {"error": "too_many_attempts", "error_description": "Account blocked"})
        return super().token(form, forwarded_for=forwarded_for)

    def jwks(self) -> dict[str, Any]:
        self.jwks_fetches += 1
        if self.jwks_down:
            raise IdpUnavailable
        return super().jwks()

    def reset(self) -> None:
        self.keys = [new_key()]
        self.users.clear()
        self.refresh_tokens.clear()
        self.jwks_fetches = 0
        self.jwks_down = False
        self.login_blocked = False
        self.forwarded_for.clear()
        self.client_secret = CLIENT_SECRET


class FakeAuth0Server:
    """Runs the fake under uvicorn in its own thread and event loop, on a free loopback port.

    Its own loop: the code under test may block its loop (a test client's portal does), and the fake
    must still answer, as a remote Auth0 would.
    """

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.idp = FakeAuth0(issuer=self.url + "/", audience=AUDIENCE, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        config = uvicorn.Config(
            idp_app(self.idp), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="fake-auth0", daemon=True)

    async def start(self) -> FakeAuth0Server:
        self.thread.start()
        while not self.server.started:  # noqa: ASYNC110 (uvicorn sets this flag in its own thread)
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.thread.join, 10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
