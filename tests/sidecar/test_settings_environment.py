"""An unset FLUENTPRO_ENV is production: nothing meant for a developer's machine is served by accident."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from honcho.environ import parse_procfile

from core.db.migrator import PROJECT_ROOT
from core.settings import DEV_JWT_SECRET, Environment, Settings, SettingsError
from sidecar.serve import serve
from tests.sidecar.settings_env import cleared, production


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return cleared(monkeypatch)


def test_unset_without_secrets_refuses_to_start_and_says_why(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    message = str(refused.value)
    assert "dev identity provider is refused in production" in message
    assert "SUPABASE_JWT_PRIVATE_KEY (or the legacy SUPABASE_JWT_SECRET) must be set" in message
    assert "METRICS_TOKEN must be set" in message
    assert "FLUENTPRO_ENV is unset, which means production" in message
    assert serve("127.0.0.1", 1) == 2
    assert "FLUENTPRO_ENV is unset" in capsys.readouterr().out


def test_unset_refuses_the_public_development_secret(env: pytest.MonkeyPatch) -> None:
    production(env, SUPABASE_JWT_SECRET=DEV_JWT_SECRET)
    env.delenv("FLUENTPRO_ENV")
    with pytest.raises(SettingsError, match="public development secret"):
        Settings.from_env()


def test_unset_with_a_complete_configuration_runs_as_production(env: pytest.MonkeyPatch) -> None:
    production(env, CORS_ALLOW_ORIGINS="")
    env.delenv("FLUENTPRO_ENV")
    settings = Settings.from_env()
    assert settings.environment is Environment.PRODUCTION
    assert not settings.auth0.dev_idp
    assert settings.http.cors_allow_origins == ()  # development's "*" is not the default here
    assert settings.http.metrics_token  # and /metrics stays behind the scraper's token


def test_development_is_only_what_is_asked_for(env: pytest.MonkeyPatch) -> None:
    env.setenv("FLUENTPRO_ENV", "development")
    settings = Settings.from_env()
    assert settings.auth0.dev_idp
    assert settings.http.cors_allow_origins == ("*",)


@pytest.mark.parametrize(("given", "expected"), [(None, "production"), ("development", "development")])
def test_procfile_processes_run_in_production_unless_told_otherwise(
    tmp_path: Path, given: str | None, expected: str
) -> None:
    # A stand-in `fluentpro` that reports the environment it was started with, run as honcho runs each line.
    fake = tmp_path / "fluentpro"
    fake.write_text('#!/bin/sh\nprintf "%s" "$FLUENTPRO_ENV"\n', encoding="utf-8")
    fake.chmod(0o755)
    environ = {k: v for k, v in os.environ.items() if k != "FLUENTPRO_ENV"}
    environ["PATH"] = f"{tmp_path}{os.pathsep}{environ.get('PATH', '')}"
    if given is not None:
        environ["FLUENTPRO_ENV"] = given
    procfile = parse_procfile((PROJECT_ROOT / "Procfile").read_text(encoding="utf-8"))
    assert set(procfile.processes) == {"sidecar", "relay", "worker"}
    for name, command in procfile.processes.items():
        ran = subprocess.run(command, shell=True, env=environ, capture_output=True, text=True, check=True)  # noqa: S602
        assert ran.stdout == expected, name
