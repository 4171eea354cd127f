"""Sign-up, login, refresh and logout for native apps, wrapping Auth0's Authentication API.

Each successful call answers our Supabase JWT (via the same exchange as /v1/auth/token) together
with Auth0's refresh token, which the app keeps to refresh and to log out (revocation).

Each is limited per client address (sidecar/auth/address_limit.py), and a login tells Auth0 the
user's address, so that its brute-force protection blocks the guesser rather than the sidecar.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from sidecar.auth.auth0_client import Auth0Client
from sidecar.auth.exchange import Exchanger
from sidecar.auth.passwords import check_signup
from sidecar.errors import ProblemError
from sidecar.openapi_problems import problem_responses
from sidecar.routes.token_exchange import NO_STORE
from sidecar.services import services_of

# Checked as the body is decoded, so before Auth0 is called: text with a control character (NUL
# above all, which PostgreSQL cannot store) would make an Auth0 account whose profile we could never
# sync, locking its owner out. The lengths bound what we forward; the sign-up policy (passwords.py)
# then applies its own, reported rule by rule.
_NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=_NO_CONTROLS)]
Password = Annotated[str, msgspec.Meta(max_length=1024, pattern=_NO_CONTROLS)]
FullName = Annotated[str, msgspec.Meta(max_length=1000, pattern=_NO_CONTROLS)]
RefreshToken = Annotated[str, msgspec.Meta(max_length=4096, pattern=_NO_CONTROLS)]


class SignupBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password
    full_name: FullName


class LoginBody(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class RefreshBody(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class Session(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | None


async def _session(exchanger: Exchanger, auth0_tokens: dict[str, Any], status: int) -> Response[Session]:
    minted = await exchanger.exchange(str(auth0_tokens["access_token"]))
    session = Session(minted.token, "Bearer", minted.expires_in, auth0_tokens.get("refresh_token"))
    return Response(session, status_code=status, headers=NO_STORE)


async def limit_by_address(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Litestar guard of the password and refresh-token endpoints (the app's Services.address_limiter)."""
    limiter = services_of(connection.app.state).address_limiter
    if limiter is None:
        return
    # The client's address as far as it can be trusted: the peer, or the right-most X-Forwarded-For entry
    # that is not one of our proxies (FORWARDED_ALLOW_IPS; sidecar/auth/client_address.py).
    address = connection.client.host if connection.client else "unknown"
    wait = await limiter.wait_seconds(address)
    if wait:
        raise ProblemError(
            "auth.rate_limited",
            "Too many sign-in attempts from this address; try again later.",
            429,
            details={"retry_after_seconds": wait},
            headers={"Retry-After": str(wait)},
        )


def _address(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


@post(
    "/v1/auth/signup",
    guards=[limit_by_address],
    tags=["auth"],
    summary="Create an account (Auth0 database connection) and sign in",
    status_code=201,
    responses=problem_responses(401, 403, 409, 422, 429, 502),
)
async def signup(
    request: Request[Any, Any, Any],
    data: JSONBody[SignupBody],
    auth0: NamedDependency[Auth0Client],
    exchanger: NamedDependency[Exchanger],
) -> Response[Session]:
    email, full_name = check_signup(data.email, data.password, data.full_name)
    await auth0.signup(email, data.password, full_name)
    return await _session(exchanger, await auth0.login(email, data.password, client_address=_address(request)), 201)


@post(
    "/v1/auth/login",
    guards=[limit_by_address],
    tags=["auth"],
    summary="Sign in with email and password",
    status_code=200,
    responses=problem_responses(401, 403, 429, 502),
)
async def login(
    request: Request[Any, Any, Any],
    data: JSONBody[LoginBody],
    auth0: NamedDependency[Auth0Client],
    exchanger: NamedDependency[Exchanger],
) -> Response[Session]:
    if not data.email.strip() or not data.password:
        raise ProblemError("auth.invalid_credentials", "Wrong email or password.", 401)
    tokens = await auth0.login(data.email.strip(), data.password, client_address=_address(request))
    return await _session(exchanger, tokens, 200)


@post(
    "/v1/auth/refresh",
    guards=[limit_by_address],
    tags=["auth"],
    summary="A new access token from a refresh token",
    status_code=200,
    responses=problem_responses(401, 403, 429, 502),
)
async def refresh(
    data: JSONBody[RefreshBody], auth0: NamedDependency[Auth0Client], exchanger: NamedDependency[Exchanger]
) -> Response[Session]:
    tokens = await auth0.refresh(data.refresh_token)
    tokens.setdefault("refresh_token", data.refresh_token)  # Auth0 returns one only when it rotates it
    return await _session(exchanger, tokens, 200)


@post(
    "/v1/auth/logout",
    guards=[limit_by_address],
    tags=["auth"],
    summary="Revoke the refresh token",
    status_code=204,
    responses=problem_responses(401, 403, 429, 502),
)
async def logout(data: JSONBody[RefreshBody], auth0: NamedDependency[Auth0Client]) -> None:
    await auth0.revoke(data.refresh_token)
