"""The identity provider over HTTP, with Auth0's paths and bodies (JWKS, token, signup, revoke, userinfo)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar, Request, Response, Router, get, post

from sidecar.devidp.core import IdentityProvider, IdpError


class IdpUnavailable(Exception):
    """The provider cannot answer now: its database is down (durable.py), or the tests' fake simulates it."""


# How a call reaches the provider's state: directly (in memory), or through DurableIdp.run (saved first).
Runner = Callable[[Callable[[], Any]], Awaitable[Any]]


async def in_memory(call: Callable[[], Any]) -> Any:
    return call()


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    if (request.headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
        return dict(await request.form())
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _answer(run: Runner, call: Callable[[], Any]) -> Response[Any]:
    try:
        result = await run(call)
    except IdpUnavailable:
        return Response({"error": "temporarily_unavailable"}, status_code=503)
    except IdpError as exc:
        return Response(exc.body, status_code=exc.status)
    return Response(result if result is not None else {}, status_code=200, headers={"Cache-Control": "no-store"})


def idp_router(idp: IdentityProvider, path: str = "/", run: Runner = in_memory) -> Router:
    @get("/.well-known/jwks.json")
    async def jwks() -> Response[Any]:
        return await _answer(run, idp.jwks)

    @post("/oauth/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return await _answer(run, lambda: idp.token(body, forwarded_for=request.headers.get("auth0-forwarded-for")))

    @post("/dbconnections/signup", status_code=200)
    async def signup(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return await _answer(run, lambda: idp.signup(body))

    @post("/oauth/revoke", status_code=200)
    async def revoke(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return await _answer(run, lambda: idp.revoke(body))

    @get("/userinfo")
    async def userinfo(request: Request[Any, Any, Any]) -> Response[Any]:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        return await _answer(run, lambda: idp.userinfo(token if scheme.lower() == "bearer" else ""))

    return Router(path=path, route_handlers=[jwks, token, signup, revoke, userinfo], include_in_schema=False)


def idp_app(idp: IdentityProvider, run: Runner = in_memory) -> Litestar:
    """A stand-alone ASGI app of the provider: the sidecar reaches it in-process, the fake over TCP."""
    return Litestar(route_handlers=[idp_router(idp, run=run)], openapi_config=None, logging_config=None)
