"""POST /v1/auth/token: RFC 8693 token exchange of an Auth0 access token for a Supabase JWT."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, Response, post
from litestar.di import NamedDependency

from sidecar.auth.exchange import Exchanger
from sidecar.errors import ProblemError
from sidecar.openapi_problems import problem_responses

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 (a type name)
ISSUED_TOKEN_TYPE = ACCESS_TOKEN_TYPE
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def read_params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Form (the RFC's encoding) or JSON, with the same field names."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl((await request.body()).decode(), max_num_fields=20))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProblemError("request.invalid_body", "The form is not valid.", 400) from exc
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ProblemError("request.invalid_body", "The body is not valid JSON.", 400) from exc
        if isinstance(body, dict):
            return body
    raise ProblemError(
        "request.invalid_body",
        "Send a form or a JSON object.",
        400,
        details={"errors": [{"field": "", "message": "body"}]},
    )


def required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise ProblemError(
            "request.invalid_body",
            f"{name} is required.",
            400,
            details={"errors": [{"field": name, "message": "required"}]},
        )
    return value


@post(
    "/v1/auth/token",
    tags=["auth"],
    summary="Exchange an Auth0 access token for a Supabase JWT (RFC 8693)",
    status_code=200,
    responses=problem_responses(401, 403, 502),
)
async def exchange_token(
    request: Request[Any, Any, Any], exchanger: NamedDependency[Exchanger]
) -> Response[dict[str, Any]]:
    """Body (form or JSON): grant_type = urn:ietf:params:oauth:grant-type:token-exchange,
    subject_token = the Auth0 access token, subject_token_type = urn:ietf:params:oauth:token-type:access_token.
    Answers access_token (our Supabase JWT), issued_token_type, token_type "Bearer" and expires_in."""
    params = await read_params(request)
    if required(params, "grant_type") != GRANT_TYPE:
        raise ProblemError("auth.unsupported_grant_type", f"grant_type must be {GRANT_TYPE}.", 400)
    token = required(params, "subject_token")
    if required(params, "subject_token_type") != ACCESS_TOKEN_TYPE:
        raise ProblemError("auth.unsupported_token_type", f"subject_token_type must be {ACCESS_TOKEN_TYPE}.", 400)
    minted = await exchanger.exchange(token)
    body = {
        "access_token": minted.token,
        "issued_token_type": ISSUED_TOKEN_TYPE,
        "token_type": "Bearer",
        "expires_in": minted.expires_in,
    }
    return Response(body, status_code=200, headers=NO_STORE)
