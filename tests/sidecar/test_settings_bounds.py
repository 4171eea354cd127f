"""Every numeric setting has a range, secrets must not be guessable, CORS origins are exact https origins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.ai.settings import OpenAISettings
from core.search.settings import AzureSearchSettings
from core.settings import Settings, SettingsError, env_bounded
from core.settings_checks import estimated_entropy_bits
from jobs.settings import JobSettings
from tests.sidecar.settings_env import cleared, production

READERS: dict[str, Callable[[], object]] = {
    "sidecar": Settings.from_env,
    "openai": OpenAISettings.from_env,
    "azure": AzureSearchSettings.from_env,
    "jobs": JobSettings.from_env,
}
# (reader, variable, a value below its range, a value above it)
OUT_OF_RANGE = [
    ("sidecar", "AUTH0_LEEWAY_SECONDS", "-5", "100000000"),
    ("sidecar", "AUTH0_JWKS_TTL_SECONDS", "0", "31536000"),
    ("sidecar", "AUTH0_JWKS_COOLDOWN_SECONDS", "0", "86400"),
    ("sidecar", "AUTH0_JWKS_MAX_STALE_SECONDS", "-1", "31536000"),
    ("sidecar", "ACCESS_TOKEN_TTL_SECONDS", "10", "86400"),
    ("sidecar", "PROFILE_CACHE_SIZE", "-1", "100000000"),
    ("sidecar", "AUTH_ATTEMPTS_PER_MINUTE", "-1", "1000000"),
    ("sidecar", "DATABASE_POOL_MIN", "-1", "1000"),
    ("sidecar", "DATABASE_POOL_MAX", "0", "1000"),
    ("sidecar", "REDIS_TIMEOUT_MS", "10", "600000"),
    ("openai", "OPENAI_TIMEOUT_SECONDS", "0.001", "86400"),
    ("openai", "OPENAI_CONNECT_TIMEOUT_SECONDS", "0", "3600"),
    ("openai", "OPENAI_MAX_ATTEMPTS", "0", "1000"),
    ("openai", "OPENAI_BACKOFF_BASE_SECONDS", "0", "3600"),
    ("openai", "OPENAI_BACKOFF_CAP_SECONDS", "0", "86400"),
    ("openai", "OPENAI_MAX_RETRY_AFTER_SECONDS", "0", "86400"),
    ("openai", "OPENAI_BREAKER_FAILURES", "0", "100000"),
    ("openai", "OPENAI_BREAKER_COOLDOWN_SECONDS", "0", "864000"),
    ("azure", "AZURE_SEARCH_VECTOR_DIMENSIONS", "1", "100000"),
    ("azure", "AZURE_SEARCH_TIMEOUT_MS", "1", "3600000"),
    ("jobs", "JOBS_SWEEP_INTERVAL_SECONDS", "0", "86400"),
    ("jobs", "JOBS_RECONCILE_AFTER_SECONDS", "0", "31536000"),
    ("jobs", "JOBS_LEASE_GRACE_SECONDS", "0", "86400"),
    ("jobs", "JOBS_CLAIM_BATCH", "0", "1000000"),
    ("jobs", "JOBS_RECONNECT_MAX_SECONDS", "0", "86400"),
    ("jobs", "JOBS_RETENTION_DONE_SECONDS", "60", "315360000"),
    ("jobs", "JOBS_RETENTION_DEAD_SECONDS", "60", "315360000"),
    ("jobs", "JOBS_RETENTION_INTERVAL_SECONDS", "0", "31536000"),
    ("jobs", "JOBS_RETENTION_BATCH", "0", "100000000"),
]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return cleared(monkeypatch)


@pytest.mark.parametrize(("reader", "name", "below", "above"), OUT_OF_RANGE, ids=[row[1] for row in OUT_OF_RANGE])
def test_numeric_settings_outside_their_range_are_refused_by_name(
    env: pytest.MonkeyPatch, reader: str, name: str, below: str, above: str
) -> None:
    production(env)
    READERS[reader]()  # the defaults are inside every range
    for value in (below, above):
        env.setenv(name, value)
        with pytest.raises(SettingsError, match=f"{name} must be between .* got '{value}'"):
            READERS[reader]()


def test_a_number_must_be_finite_and_whole_where_counted(env: pytest.MonkeyPatch) -> None:
    for raw, complaint in [("soon", "must be a number"), ("nan", "must be finite"), ("inf", "must be finite")]:
        env.setenv("X_SECONDS", raw)
        with pytest.raises(SettingsError, match=f"X_SECONDS {complaint}"):
            env_bounded("X_SECONDS", 1, 0, 10)
    env.setenv("AUTH0_LEEWAY_SECONDS", "2.5")
    with pytest.raises(SettingsError, match="AUTH0_LEEWAY_SECONDS must be a whole number"):
        Settings.from_env()


def test_related_settings_must_agree(env: pytest.MonkeyPatch) -> None:
    production(env, DATABASE_POOL_MIN="20", DATABASE_POOL_MAX="10")
    with pytest.raises(SettingsError, match="DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX"):
        Settings.from_env()
    env.setenv("OPENAI_BACKOFF_BASE_SECONDS", "10")
    env.setenv("OPENAI_BACKOFF_CAP_SECONDS", "5")
    with pytest.raises(SettingsError, match="OPENAI_BACKOFF_CAP_SECONDS must be at least"):
        OpenAISettings.from_env()


@pytest.mark.parametrize("secret", ["a" * 32, "abcd" * 8, "01234567" * 4, "ab" * 40])
def test_low_entropy_jwt_secrets_are_refused(env: pytest.MonkeyPatch, secret: str) -> None:
    production(env, SUPABASE_JWT_SECRET=secret)
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET is too predictable"):
        Settings.from_env()
    env.setenv("FLUENTPRO_ENV", "test")  # test behaves like production here
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET is too predictable"):
        Settings.from_env()


@pytest.mark.parametrize("token", ["m" * 24, "abcd" * 6])
def test_low_entropy_metrics_tokens_are_refused(env: pytest.MonkeyPatch, token: str) -> None:
    production(env, METRICS_TOKEN=token)
    with pytest.raises(SettingsError, match="METRICS_TOKEN is too predictable"):
        Settings.from_env()


def test_the_entropy_estimate_separates_random_from_repeated() -> None:
    assert estimated_entropy_bits("a" * 32) == 0
    assert estimated_entropy_bits("abcd" * 8) == 64
    assert estimated_entropy_bits("") == 0
    production_secret = "q7Xv2LmN9pR4sT6wY8zA1bC3dE5fG0hJ"  # 32 distinct characters: 160 bits
    assert estimated_entropy_bits(production_secret) == 160


@pytest.mark.parametrize(
    "origin",
    [
        "null",
        "*",
        "http://app.fluentpro.app",
        "http://127.0.0.1:3000",
        "https://app.fluentpro.app/",
        "https://app.fluentpro.app/path",
        "https://app.fluentpro.app?x=1",
        "https://app.fluentpro.app#top",
        "https://user:password@app.fluentpro.app",
        "https://*.fluentpro.app",
        "https://app.fluentpro.app:port",
        "app.fluentpro.app",
        # Compared as text with the Origin a browser sends, these would silently never match.
        "https://App.fluentpro.app",
        "HTTPS://app.fluentpro.app",
        "https://app.fluentpro.app:443",
        "https://bücher.example",
    ],
)
def test_production_cors_origins_are_exact_https_origins(env: pytest.MonkeyPatch, origin: str) -> None:
    production(env, CORS_ALLOW_ORIGINS=f"https://app.fluentpro.app,{origin}")
    with pytest.raises(SettingsError, match="CORS_ALLOW_ORIGINS"):
        Settings.from_env()


def test_cors_origins_that_production_and_test_accept(env: pytest.MonkeyPatch) -> None:
    production(env, CORS_ALLOW_ORIGINS="https://app.fluentpro.app,https://admin.fluentpro.app:8443")
    origins = ("https://app.fluentpro.app", "https://admin.fluentpro.app:8443")
    assert Settings.from_env().http.cors_allow_origins == origins
    production(env, CORS_ALLOW_ORIGINS="http://127.0.0.1:3000,http://localhost:5173")
    env.setenv("FLUENTPRO_ENV", "test")  # the local fakes and dev servers: loopback http only
    assert Settings.from_env().http.cors_allow_origins == ("http://127.0.0.1:3000", "http://localhost:5173")
    env.setenv("CORS_ALLOW_ORIGINS", "http://app.fluentpro.test")
    with pytest.raises(SettingsError, match="must be https origins"):
        Settings.from_env()
