"""`fluentpro local-api`: never in production, one log line per request with no token in it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from sidecar.db.migrator import PROJECT_ROOT
from tests.localapi.rest.conftest import Served, served, user_token

__all__ = ["served"]


def test_refuses_to_start_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sidecar.cli", "local-api"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "FLUENTPRO_ENV": "production", "LOCAL_API_PORT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "local API" in result.stderr and "FLUENTPRO_ENV=production" in result.stderr


async def test_each_request_is_logged_once_without_its_token(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    token = user_token()
    with caplog.at_level(logging.INFO, logger="localapi"):
        response = await served.http.get("/rest/v1/probe_items?select=id&id=eq.1", headers=served.headers(token))
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "localapi"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /rest/v1/probe_items 200 ")
    assert token not in lines[0] and "eq.1" not in lines[0]
