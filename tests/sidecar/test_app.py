"""The frame: health, request ids, problem documents, metrics, OpenAPI, CORS, unavailable dependencies."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.settings import DatabaseSettings, RedisSettings
from sidecar.errors import database_unavailable
from tests.fakes.auth0 import FakeAuth0, FakeAuth0Server
from tests.sidecar.conftest import SidecarFactory, sidecar_settings
from tests.sidecar.forge import access_token
from tests.sidecar.test_token_exchange import assert_refused, exchange
from tests.support.database import TestDatabase

Client = AsyncTestClient[Any]


async def test_live_and_ready(sidecar: Client) -> None:
    live = await sidecar.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = await sidecar.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "job_role_search": "lexical"}}


async def test_ready_is_503_when_redis_is_down(
    make_sidecar: SidecarFactory, db: TestDatabase, auth0_server: FakeAuth0Server
) -> None:
    settings = dataclasses.replace(
        sidecar_settings(db.url, auth0_server.url), redis=RedisSettings(url="redis://127.0.0.1:1/0")
    )
    ready = await (await make_sidecar(settings)).get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "redis": "unavailable", "job_role_search": "lexical"}


async def test_database_down_answers_503_not_500(
    make_sidecar: SidecarFactory, auth0: FakeAuth0, auth0_server: FakeAuth0Server
) -> None:
    settings = dataclasses.replace(
        sidecar_settings("postgresql://postgres@127.0.0.1:1/none", auth0_server.url),
        database=DatabaseSettings(url="postgresql://postgres@127.0.0.1:1/none", pool_min=1, pool_max=2),
    )
    client = await make_sidecar(settings)
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    assert_refused(await exchange(client, access_token(auth0)), 503, "request.database_unavailable")


@pytest.mark.parametrize(
    ("sqlstate", "unavailable"),
    [
        *[(code, True) for code in ("08006", "57P01", "57P02", "57P03", "53300")],
        *[(code, False) for code in ("57014", "23505", "40001", "XX000")],
    ],
)
def test_which_database_errors_mean_unavailable(sqlstate: str, unavailable: bool) -> None:
    # Unavailable answers 503 request.database_unavailable (retry later), not the statement's own error.
    assert database_unavailable(sqlstate) is unavailable


async def test_request_id_is_made_or_kept_and_echoed(sidecar: Client) -> None:
    made = await sidecar.get("/health/live")
    assert len(made.headers["x-request-id"]) == 32
    kept = await sidecar.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    bad = await sidecar.get("/health/live", headers={"X-Request-ID": "no spaces\nor newlines"})
    assert bad.headers["x-request-id"] != "no spaces\nor newlines"


async def test_unknown_route_is_a_problem_document(sidecar: Client) -> None:
    response = await sidecar.get("/v1/nowhere", headers={"X-Request-ID": "req-1"})
    assert_refused(response, 404, "request.not_found")
    body = response.json()
    assert body["type"] == "urn:fluentpro:error:request.not_found"
    assert body["instance"] == "/v1/nowhere"
    assert body["request_id"] == "req-1"


async def test_wrong_method_is_405_problem(sidecar: Client) -> None:
    assert_refused(await sidecar.get("/v1/auth/token"), 405, "request.method_not_allowed")


async def test_metrics_count_requests(sidecar: Client) -> None:
    await sidecar.get("/health/live")
    metrics = await sidecar.get("/metrics")
    assert metrics.status_code == 200
    assert "fluentpro_requests_total" in metrics.text
    assert 'path="/health/live"' in metrics.text


async def test_metrics_need_the_token_when_one_is_set(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, db: TestDatabase
) -> None:
    settings = sidecar_settings(db.url, auth0_server.url)
    token = "scraper-token-0123456789"
    sidecar = await make_sidecar(
        dataclasses.replace(settings, http=dataclasses.replace(settings.http, metrics_token=token))
    )
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {token}"}):
        refused = await sidecar.get("/metrics", headers=headers)
        assert_refused(refused, 401, "metrics.unauthorized")
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "fluentpro_" not in refused.text
    allowed = await sidecar.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200
    assert "fluentpro_requests_total" in allowed.text


async def test_metrics_include_queue_health(sidecar: Client, db: TestDatabase) -> None:
    async with db.owner() as conn:
        await conn.execute("select private.enqueue_job('learning_plans__generate', '{}'::jsonb)")
    metrics = (await sidecar.get("/metrics")).text
    assert "fluentpro_jobs_collector_up 1.0" in metrics
    assert 'fluentpro_jobs_rows{kind="learning_plans__generate",status="pending"} 1.0' in metrics


async def test_openapi_document_and_docs_page(sidecar: Client) -> None:
    schema = await sidecar.get("/docs/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/v1/auth/token", "/v1/auth/signup", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"} <= set(paths)
    page = await sidecar.get("/docs")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]


async def test_cors_allows_configured_origins_only(sidecar: Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await sidecar.options("/v1/auth/token", headers={"Origin": "https://app.fluentpro.test", **preflight})
    assert allowed.headers.get("access-control-allow-origin") == "https://app.fluentpro.test"
    other = await sidecar.options("/v1/auth/token", headers={"Origin": "https://evil.example.com", **preflight})
    assert other.headers.get("access-control-allow-origin") is None


def test_log_lines_are_json_with_the_request_id() -> None:
    import json
    import logging

    from sidecar.observability import JsonFormatter, request_id_var

    record = logging.LogRecord("sidecar.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.code = "auth.invalid_token"
    token = request_id_var.set("req-42")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "hello world"
    assert line["level"] == "warning"
    assert line["request_id"] == "req-42"
    assert line["code"] == "auth.invalid_token"
