"""schemathesis against the sidecar's own OpenAPI document, with a valid token, a garbage token and
none: no 5xx, and every response matches the document (status, content type, body schema)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fakes.openai_server import API_KEY, running_fake_openai
from tests.jobs.stack import JobStack, claim_redis_db, release_redis_db, wait_for
from tests.security.hostile_json import hostile_bodies
from tests.support.database import TestDatabase

from .conftest import JWT_SECRET, free_port, sign_in

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 25
# Hostile raw bodies per operation: schemathesis serialises what it generates, so never sends these.
HOSTILE_BODIES_PER_OPERATION = 40
# Monitoring endpoints are plain text or process probes, not part of the JSON contract.
SKIPPED = {"/metrics"}


@pytest.fixture
async def sidecar_url(db: TestDatabase, tmp_path: Any) -> AsyncIterator[str]:
    redis_db = claim_redis_db()
    port = free_port()
    with running_fake_openai() as fake:
        stack = JobStack(
            database_url=db.url,
            redis_db=redis_db,
            log_dir=tmp_path,
            overrides={
                "FLUENTPRO_ENV": "development",
                "PORT": str(port),
                "SUPABASE_JWT_SECRET": JWT_SECRET,
                "OPENAI_API_KEY": API_KEY,
                "OPENAI_BASE_URL": fake.url,
                "ACCESS_LOG": "false",
            },
        )
        stack.start("serve")
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base) as http:

                async def ready() -> bool:
                    try:
                        return (await http.get("/health/ready")).status_code == 200
                    except httpx.HTTPError:
                        return False

                await wait_for(ready, "the sidecar to be ready", stack)
            yield base
        finally:
            stack.stop_all()
            release_redis_db(redis_db)


@pytest.fixture
async def tokens(sidecar_url: str) -> dict[str, str | None]:
    async with httpx.AsyncClient(base_url=sidecar_url) as http:
        valid = await sign_in(http, "alice")
    return {"valid": valid.token, "garbage": "not.a.jwt", "none": None}


def operations(base: str) -> Iterator[Any]:
    schema = schemathesis.openapi.from_url(f"{base}/docs/openapi.json")
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path not in SKIPPED:
            yield operation


def test_every_operation_conforms_with_any_token(sidecar_url: str, tokens: dict[str, str | None]) -> None:
    checked = 0
    for operation in operations(sidecar_url):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), token=st.sampled_from(sorted(tokens)))
        def conforms(case: Any, token: str) -> None:
            bearer = tokens[token]
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            response = case.call(base_url=sidecar_url, headers=headers)
            case.validate_response(response, checks=CHECKS)

        conforms()
        checked += 1
    assert checked >= 5, "the OpenAPI document lists fewer operations than the sidecar serves"


def body_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, list[str], set[int]]]:
    """(method, path, the body's field names, the documented statuses) of each operation taking JSON."""
    schemas = document.get("components", {}).get("schemas", {})
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content and method != "post":
                continue
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
            statuses = {int(status) for status in operation["responses"] if status.isdigit()}
            yield method.upper(), path, sorted(schema.get("properties", {})), statuses


def refuses_hostile_bodies(
    http: httpx.Client, operation: tuple[str, str, list[str], set[int]], tokens: dict[str, str | None]
) -> None:
    method, path, fields, statuses = operation

    @settings(
        max_examples=HOSTILE_BODIES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=hostile_bodies(fields), token=st.sampled_from(sorted(tokens)))
    def refused_cleanly(body: bytes, token: str) -> None:
        bearer = tokens[token]
        headers = {"content-type": "application/json"}
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        response = http.request(method, path, content=body, headers=headers)
        shown = f"{method} {path} {body[:80]!r}... -> {response.status_code} {response.text[:300]}"
        assert response.status_code < 500, shown
        assert response.status_code in statuses, shown
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json"), shown

    refused_cleanly()


def test_every_json_operation_refuses_hostile_bodies_with_a_documented_4xx(
    sidecar_url: str, tokens: dict[str, str | None]
) -> None:
    """Deep nesting, NaN, huge integers, lone surrogates, invalid UTF-8, truncation: never a 5xx."""
    document = httpx.get(f"{sidecar_url}/docs/openapi.json").json()
    operations = [op for op in body_operations(document) if op[1] not in SKIPPED]
    assert len(operations) >= 5, operations
    with httpx.Client(base_url=sidecar_url, timeout=30) as http:
        for operation in operations:
            refuses_hostile_bodies(http, operation, tokens)
