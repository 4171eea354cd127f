"""Our tokens' issuer is our own: never Supabase Auth's, whose tokens are signed with the same key."""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient

from core.settings import Settings, SettingsError
from sidecar.app import create_app
from tests.sidecar.conftest import ES256_KEY, TOKEN_ISSUER, TOKEN_KID, sidecar_settings
from tests.sidecar.settings_env import cleared, production
from tests.sidecar.test_token_exchange import assert_refused
from tests.support.database import TestDatabase

SUPABASE_AUTH_ISSUERS = [
    "https://abcdefghijklmnopqrst.supabase.co/auth/v1",
    "https://abcdefghijklmnopqrst.supabase.co/auth/v1/",
    "https://auth.fluentpro.app/auth/v1",  # Supabase Auth behind a custom domain
    "http://127.0.0.1:54321/auth/v1",  # the Supabase CLI's local Auth
    "https://abcdefghijklmnopqrst.supabase.co",
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return cleared(monkeypatch)


@pytest.mark.parametrize("issuer", SUPABASE_AUTH_ISSUERS)
@pytest.mark.parametrize("environment", ["production", "test", "development"])
def test_supabase_auths_issuer_is_refused_at_start(env: pytest.MonkeyPatch, issuer: str, environment: str) -> None:
    production(env, SUPABASE_JWT_ISSUER=issuer)
    env.setenv("FLUENTPRO_ENV", environment)
    with pytest.raises(SettingsError, match="SUPABASE_JWT_ISSUER must be our own issuer, not Supabase Auth's"):
        Settings.from_env()


@pytest.mark.parametrize("issuer", [None, "https://api.fluentpro.app/sidecar", "fluentpro"])
def test_our_own_issuers_are_accepted(env: pytest.MonkeyPatch, issuer: str | None) -> None:
    production(env, SUPABASE_JWT_ISSUER=issuer or "")
    assert Settings.from_env().tokens.issuer == (issuer or "fluentpro-sidecar")


def test_a_hand_built_configuration_is_refused_too(db: TestDatabase) -> None:
    settings = sidecar_settings(db.url, "http://127.0.0.1:1")
    settings = dataclasses.replace(
        settings, tokens=dataclasses.replace(settings.tokens, issuer=SUPABASE_AUTH_ISSUERS[0])
    )
    with pytest.raises(SettingsError, match="SUPABASE_JWT_ISSUER must be our own issuer"):
        create_app(settings)


async def test_a_token_supabase_auth_would_issue_is_not_ours(sidecar: AsyncTestClient[Any]) -> None:
    # What Supabase Auth signs for one of its own users (no profile here) once our imported key is in use.
    now = int(time.time())
    claims = {
        "iss": SUPABASE_AUTH_ISSUERS[0],
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 600,
        "email": "someone@example.com",
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    token = jwt.encode(claims, ES256_KEY, algorithm="ES256", headers={"kid": TOKEN_KID})
    refused = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_refused(refused, 401, "auth.invalid_token")


async def test_a_token_with_our_issuer_but_no_auth0_subject_is_not_ours(sidecar: AsyncTestClient[Any]) -> None:
    """The second defence: even with our issuer and key, Supabase Auth's claims lack `auth0_sub`."""
    now = int(time.time())
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": str(uuid.uuid4()),
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 600,
        "session_id": str(uuid.uuid4()),
    }
    token = jwt.encode(claims, ES256_KEY, algorithm="ES256", headers={"kid": TOKEN_KID})
    refused = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_refused(refused, 401, "auth.invalid_token")
