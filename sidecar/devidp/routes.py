"""The identity provider over HTTP, with Auth0's paths and bodies (JWKS, token, signup, revoke, userinfo)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Response, Router, get, post

from sidecar.devidp.core import IdentityProvider, IdpError


class IdpUnavailable(Exception):
    """Raised by a subclass to simulate an outage of the provider (the tests' fake does)."""


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    if (request.headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
        return dict(await request.form())
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _answer(call: Any) -> Response[Any]:
    try:
        result = call()
    except IdpUnavailable:
        return Response({"error": "temporarily_unavailable"}, status_code=503)
    except IdpError as exc:
        return Response(exc.body, status_code=exc.status)
    return Response(result if result is not None else {}, status_code=200, headers={"Cache-Control": "no-store"})


def idp_router(idp: IdentityProvider, path: str = "/") -> Router:
    @get("/.well-known/jwks.json", sync_to_thread=False)
    def jwks() -> Response[Any]:
        return _answer(idp.jwks)

    @post("/oauth/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return _answer(lambda: idp.token(body, forwarded_for=request.headers.get("auth0-forwarded-for")))

    @post("/dbconnections/signup", status_code=200)
    async def signup(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return _answer(lambda: idp.signup(body))

    @post("/oauth/revoke", status_code=200)
    async def revoke(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await _body(request)
        return _answer(lambda: idp.revoke(body))

    @get("/userinfo")
    async def userinfo(request: Request[Any, Any, Any]) -> Response[Any]:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        return _answer(lambda: idp.userinfo(token if scheme.lower() == "bearer" else ""))

    return Router(path=path, route_handlers=[jwks, token, signup, revoke, userinfo], include_in_schema=False)


def idp_app(idp: IdentityProvider) -> Litestar:
    """A stand-alone ASGI app of the provider: the sidecar reaches it in-process, the fake over TCP."""
    return Litestar(route_handlers=[idp_router(idp)], openapi_config=None, logging_config=None)
