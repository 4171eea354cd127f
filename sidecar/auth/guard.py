"""The bearer-token check of incoming requests, for handlers that act as the user.

Declare a parameter `claims: NamedDependency[UserClaims]` (from litestar.di) in a handler: the
app-level dependency `claims` verifies `Authorization: Bearer <our minted JWT>` and hands over its
claims, or answers 401 with a problem document (`auth.missing_token`, `auth.invalid_token`, `auth.token_expired`). Then
`async with acting_as(pool, claims) as conn:` runs SQL as that user under RLS (declare
`pool: NamedDependency[asyncpg.Pool]` for the app's pool; sidecar/services.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from sidecar.auth.tokens import TokenKeys, unauthorized


@dataclass(frozen=True, slots=True)
class UserClaims:
    """The verified claims of our token; `raw` is the whole claim set (for request.jwt.claims)."""

    profile_id: uuid.UUID
    roles: tuple[str, ...]
    raw: dict[str, Any]


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise unauthorized("auth.missing_token", "Sign in: this endpoint needs a bearer token.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("auth.missing_token", "The Authorization header must be 'Bearer <token>'.")
    return token.strip()


async def provide_claims(request: Request[Any, Any, Any], token_keys: NamedDependency[TokenKeys]) -> UserClaims:
    """Litestar dependency `claims`: verify our token on this request and return its claims."""
    raw = token_keys.verify(bearer_token(request))
    roles = raw.get("app_roles")
    return UserClaims(
        profile_id=uuid.UUID(str(raw["sub"])),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
        raw=raw,
    )
