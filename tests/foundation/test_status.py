"""`fluentpro status`: where the development stack answers, its anon key and demo users, as a table
or JSON; refused in production."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from core.settings import DEV_JWT_SECRET
from fluentpro.devstatus import main
from sidecar.devidp.demo import DEMO_USERS

KEYS = ["api_url", "sidecar_url", "anon_key", "dev_idp_token_url", "db_url", "demo_users"]
PREFIXES = ("FLUENTPRO_", "AUTH0_", "SUPABASE_", "DATABASE_", "LOCAL_API_", "PROFILE_", "ACCESS_TOKEN_")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Development on a machine with nothing configured but a database with a password."""
    for name in list(os.environ):
        if name.startswith(PREFIXES) or name in ("HOST", "PORT"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLUENTPRO_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:s3cret@127.0.0.1:5432/fluentpro")
    return monkeypatch


def status_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(as_json=True) == 0
    parsed: dict[str, Any] = json.loads(capsys.readouterr().out)
    return parsed


def test_json_names_every_url_the_anon_key_and_the_demo_users(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("LOCAL_API_PORT", "54999")
    env.setenv("PORT", "8123")
    status = status_json(capsys)
    assert list(status) == KEYS
    assert status["api_url"] == "http://127.0.0.1:54999"
    assert status["sidecar_url"] == "http://127.0.0.1:8123"
    assert status["dev_idp_token_url"] == "http://127.0.0.1:8123/dev-idp/oauth/token"
    assert status["db_url"] == "postgresql://app:***@127.0.0.1:5432/fluentpro"
    assert jwt.decode(str(status["anon_key"]), DEV_JWT_SECRET, algorithms=["HS256"])["role"] == "anon"
    assert status["demo_users"] == [
        {"email": user.email, "password": user.password, "roles": list(user.roles)} for user in DEMO_USERS
    ]
    assert [(user["email"], user["roles"]) for user in status["demo_users"]] == [
        ("learner@example.com", ["learner"]),
        ("reviewer@example.com", ["job_role_reviewer", "learner"]),
        ("admin@example.com", ["admin", "learner"]),
    ]


def test_defaults_are_the_supabase_cli_port_and_the_sidecar_port(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status = status_json(capsys)
    assert (status["api_url"], status["sidecar_url"]) == ("http://127.0.0.1:54321", "http://127.0.0.1:8000")


@pytest.mark.parametrize(("host", "url"), [("0.0.0.0", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000")])
def test_the_sidecar_url_is_one_a_browser_can_open(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str, url: str
) -> None:
    env.setenv("HOST", host)
    assert status_json(capsys)["sidecar_url"] == url


@pytest.mark.parametrize(("name", "value"), [("PORT", "0"), ("LOCAL_API_PORT", "65536"), ("PORT", "80.5")])
def test_a_port_that_is_no_tcp_port_is_refused_by_name(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    env.setenv(name, value)
    assert main(as_json=True) == 2
    assert name in capsys.readouterr().err


def test_with_an_auth0_tenant_there_is_no_dev_idp_and_no_demo_user(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("AUTH0_DOMAIN", "fluentpro-dev.eu.auth0.com")
    env.setenv("AUTH0_AUDIENCE", "https://api.fluentpro.dev")
    status = status_json(capsys)
    assert (status["dev_idp_token_url"], status["demo_users"]) == (None, [])


def test_the_table_aligns_its_labels_and_lists_each_demo_user(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(as_json=False) == 0
    lines = capsys.readouterr().out.splitlines()
    labelled = [line for line in lines if ": " in line]
    assert len({line.index(": ") for line in labelled}) == 1  # one column of colons
    assert any(line.strip().startswith("API URL: http://127.0.0.1:54321") for line in lines)
    for user in DEMO_USERS:
        row = next(line for line in lines if user.email in line)
        assert user.password in row and ", ".join(user.roles) in row


def test_production_is_refused_without_printing_a_key(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("FLUENTPRO_ENV", "production")
    assert main(as_json=True) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "FLUENTPRO_ENV" in err and "development" in err


def test_the_command_line_prints_the_json(tmp_path: Path) -> None:
    environ = {name: value for name, value in os.environ.items() if not name.startswith(PREFIXES)}
    result = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "status", "--json"],
        cwd=tmp_path,  # no .env here
        env=environ,  # FLUENTPRO_ENV unset: a development command means development
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)) == KEYS
    refused = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "status"],
        cwd=tmp_path,
        env={**environ, "FLUENTPRO_ENV": "production"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith("fluentpro status: ")
