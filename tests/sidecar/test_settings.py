"""Settings from the environment: what production (and test) refuse, and development's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.search.settings import SHIPPED_ENCODER, SemanticSearchSettings
from core.settings import DEV_JWT_SECRET, Environment, Settings, SettingsError
from sidecar.app import create_app
from sidecar.serve import serve
from tests.sidecar.settings_env import cleared, production


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return cleared(monkeypatch)


def test_production_with_everything_set_starts(env: pytest.MonkeyPatch) -> None:
    production(env)
    settings = Settings.from_env()
    assert settings.environment is Environment.PRODUCTION
    assert settings.auth0.issuer == "https://fluentpro.eu.auth0.com/"
    assert settings.auth0.jwks_url == "https://fluentpro.eu.auth0.com/.well-known/jwks.json"
    assert settings.tokens.algorithm == "HS256"


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"AUTH0_DOMAIN": ""}, "dev identity provider is refused"),
        ({"SUPABASE_JWT_SECRET": ""}, "SUPABASE_JWT_PRIVATE_KEY"),
        ({"SUPABASE_JWT_SECRET": "short"}, "at least 32 bytes"),
        ({"SUPABASE_JWT_SECRET": DEV_JWT_SECRET}, "public development secret"),
        ({"AUTH0_ISSUER": "http://fluentpro.eu.auth0.com/"}, "AUTH0_ISSUER must be an https URL"),
        ({"AUTH0_JWKS_URL": "http://127.0.0.1:9000/jwks.json"}, "AUTH0_JWKS_URL must be an https URL"),
        ({"CORS_ALLOW_ORIGINS": "*"}, "CORS_ALLOW_ORIGINS"),
        ({"ACCESS_TOKEN_TTL_SECONDS": "86400"}, "ACCESS_TOKEN_TTL_SECONDS"),
        ({"METRICS_TOKEN": ""}, "METRICS_TOKEN must be set"),
        ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN must be set, at least 16 bytes"),
        ({"AUTH_ATTEMPTS_PER_MINUTE": "-1"}, "AUTH_ATTEMPTS_PER_MINUTE must be between 0 and 1000"),
        (
            {"OPENAI_API_KEY": "sk-live", "OPENAI_BASE_URL": "http://llm.internal/v1"},
            "OPENAI_BASE_URL must be an https",
        ),
    ],
)
def test_production_refuses(env: pytest.MonkeyPatch, values: dict[str, str], complaint: str) -> None:
    production(env, **values)
    with pytest.raises(SettingsError, match=complaint):
        Settings.from_env()


def test_production_refuses_a_private_key_without_kid(env: pytest.MonkeyPatch) -> None:
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    production(env, SUPABASE_JWT_SECRET="", SUPABASE_JWT_PRIVATE_KEY=pem)
    with pytest.raises(SettingsError, match="SUPABASE_JWT_KID"):
        Settings.from_env()
    env.setenv("SUPABASE_JWT_KID", "key-1")
    assert Settings.from_env().tokens.algorithm == "ES256"


def test_test_environment_allows_loopback_http_only(env: pytest.MonkeyPatch) -> None:
    production(env, AUTH0_ISSUER="http://127.0.0.1:9000/", AUTH0_JWKS_URL="http://localhost:9000/jwks.json")
    env.setenv("FLUENTPRO_ENV", "test")
    assert Settings.from_env().auth0.issuer == "http://127.0.0.1:9000/"
    env.setenv("AUTH0_ISSUER", "http://auth.example.com/")
    with pytest.raises(SettingsError, match="AUTH0_ISSUER"):
        Settings.from_env()


def test_test_environment_refuses_the_dev_idp(env: pytest.MonkeyPatch) -> None:
    production(env, AUTH0_DOMAIN="")
    env.setenv("FLUENTPRO_ENV", "test")
    with pytest.raises(SettingsError, match="dev identity provider"):
        Settings.from_env()


def test_domain_without_audience_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("AUTH0_DOMAIN", "fluentpro.eu.auth0.com")
    with pytest.raises(SettingsError, match="AUTH0_AUDIENCE"):
        Settings.from_env()


def test_development_defaults_use_the_dev_idp(env: pytest.MonkeyPatch) -> None:
    env.setenv("FLUENTPRO_ENV", "development")
    settings = Settings.from_env()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.auth0.dev_idp
    assert settings.tokens.secret == DEV_JWT_SECRET
    assert settings.http.cors_allow_origins == ("*",)


def test_create_app_refuses_a_hand_built_production_dev_idp(env: pytest.MonkeyPatch) -> None:
    import dataclasses

    env.setenv("FLUENTPRO_ENV", "development")
    settings = dataclasses.replace(Settings.from_env(), environment=Environment.PRODUCTION)
    with pytest.raises(SettingsError, match="dev identity provider"):
        create_app(settings)


def test_serve_refuses_to_start_with_bad_settings(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    production(env, AUTH0_DOMAIN="")
    assert serve("127.0.0.1", 1) == 2
    assert "dev identity provider" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, SHIPPED_ENCODER),
        ("off", None),
        ("OFF", None),
        ("/srv/models/role_encoder", Path("/srv/models/role_encoder")),
    ],
)
def test_the_job_title_encoder_is_the_shipped_one_unless_named_or_off(
    env: pytest.MonkeyPatch, value: str | None, expected: Path | None
) -> None:
    if value is not None:
        env.setenv("JOB_ROLE_ENCODER", value)
    assert SemanticSearchSettings.from_env().encoder == expected
