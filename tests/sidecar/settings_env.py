"""The environment of the settings tests: every variable the sidecar reads, cleared, and a valid production."""

from __future__ import annotations

import secrets

import pytest

STRONG_SECRET = secrets.token_urlsafe(32)
METRICS_TOKEN = secrets.token_urlsafe(24)
NAMES = [
    "FLUENTPRO_ENV",
    "AUTH0_DOMAIN",
    "AUTH0_AUDIENCE",
    "AUTH0_ISSUER",
    "AUTH0_JWKS_URL",
    "AUTH0_CLIENT_ID",
    "AUTH0_CLIENT_SECRET",
    "AUTH0_LEEWAY_SECONDS",
    "AUTH0_JWKS_TTL_SECONDS",
    "AUTH0_JWKS_COOLDOWN_SECONDS",
    "AUTH0_JWKS_MAX_STALE_SECONDS",
    "SUPABASE_JWT_PRIVATE_KEY",
    "SUPABASE_JWT_KID",
    "SUPABASE_JWT_SECRET",
    "SUPABASE_JWT_ISSUER",
    "ACCESS_TOKEN_TTL_SECONDS",
    "PROFILE_CACHE_SIZE",
    "DATABASE_POOL_MIN",
    "DATABASE_POOL_MAX",
    "CORS_ALLOW_ORIGINS",
    "FORWARDED_ALLOW_IPS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "METRICS_TOKEN",
    "AUTH_ATTEMPTS_PER_MINUTE",
    "REDIS_TIMEOUT_MS",
    "JOB_ROLE_ENCODER",
]


def cleared(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def production(env: pytest.MonkeyPatch, **values: str) -> None:
    """A production configuration that starts; `values` override it ("" removes a variable)."""
    env.setenv("FLUENTPRO_ENV", "production")
    defaults = {
        "AUTH0_DOMAIN": "fluentpro.eu.auth0.com",
        "AUTH0_AUDIENCE": "https://api.fluentpro.app",
        "SUPABASE_JWT_SECRET": STRONG_SECRET,
        "CORS_ALLOW_ORIGINS": "https://app.fluentpro.app",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    for name, value in {**defaults, **values}.items():
        if value:
            env.setenv(name, value)
        else:
            env.delenv(name, raising=False)
