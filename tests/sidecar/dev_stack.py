"""The sidecar as `fluentpro dev` runs it without an Auth0 tenant: development, the dev IdP, the dev secret."""

from __future__ import annotations

import dataclasses
from typing import Any

import jwt
from litestar.testing import AsyncTestClient

from core.settings import DEV_JWT_SECRET, Auth0Settings, Environment, Settings, TokenSettings
from tests.sidecar.conftest import sidecar_settings

Client = AsyncTestClient[Any]


def dev_settings(db_url: str) -> Settings:
    base = sidecar_settings(db_url, "http://127.0.0.1:1")
    return dataclasses.replace(
        base,
        environment=Environment.DEVELOPMENT,
        auth0=Auth0Settings(
            issuer="http://dev-idp.localhost/",
            audience="https://api.fluentpro.dev",
            jwks_url="http://dev-idp.localhost/.well-known/jwks.json",
            dev_idp=True,
        ),
        tokens=TokenSettings(issuer="fluentpro-sidecar", secret=DEV_JWT_SECRET),
    )


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a token the development sidecar minted (verified with the dev secret)."""
    decoded: dict[str, Any] = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="authenticated")
    return decoded
