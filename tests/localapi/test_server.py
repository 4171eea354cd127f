"""`fluentpro local-api`: never in production, one log line per request with no token in it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import aiohttp
import httpx
import pytest

from core.db.migrator import PROJECT_ROOT
from localapi.realtime import RealtimeServer
from localapi.server import LocalApiServer
from tests.localapi.rest.conftest import KEYS, Served, served, user_token

__all__ = ["served"]


def test_refuses_to_start_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "local-api"],
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


async def test_realtime_is_served_on_the_same_base_url(served: Served) -> None:
    """Supabase serves Realtime beside the Data API: /realtime/v1/websocket on the same origin."""
    assert served.db.api.verifier is not None
    realtime = RealtimeServer(served.db.url, served.db.api.verifier)
    server = await LocalApiServer(served.db.api, KEYS, realtime).start()
    try:
        url = f"{server.url.replace('http://', 'ws://')}/realtime/v1/websocket?apikey={KEYS.anon}&vsn=1.0.0"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.send_json({"topic": "phoenix", "event": "heartbeat", "payload": {}, "ref": "1"})
            reply = await ws.receive_json()
        assert (reply["event"], reply["payload"]["status"], reply["ref"]) == ("phx_reply", "ok", "1")
        async with httpx.AsyncClient(base_url=server.url) as http:
            rows = await http.get("/rest/v1/probe_items?select=id&id=eq.1", headers=served.headers(user_token()))
        assert rows.json() == [{"id": 1}]
    finally:
        await server.close()


async def test_browsers_may_call_from_another_origin(served: Served) -> None:
    """PostgREST docs, References > CORS (preflight answered, any origin, Content-Range exposed)."""
    preflight = await served.http.options(
        "/rest/v1/rpc/probe_add",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apikey, authorization, content-profile, x-client-info",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "apikey, authorization, content-profile" in preflight.headers["access-control-allow-headers"]
    assert "POST" in preflight.headers["access-control-allow-methods"]
    response = await served.http.get(
        "/rest/v1/probe_items?select=id&limit=1", headers={**served.headers(), "Origin": "http://localhost:3000"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Content-Range" in response.headers["access-control-expose-headers"]
