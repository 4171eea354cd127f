"""Hostile shapes sent without a token: each answers a 4xx problem document with a stable code, and
logs at most one line about it (never a traceback, which an attacker could use to flood the logs).

The shapes: JSON that cannot be decoded (truncated, NaN, a 100,000-digit number, 100,000 nested
brackets) on every JSON route, and subject tokens whose header or payload segment breaks the JWS
decoding (5,000 nested arrays; non-ASCII text after a header naming the tenant's real key).
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient

from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.conftest import EXCHANGE

Client = AsyncTestClient[Any]
JSON_ROUTES = [
    "/v1/auth/token",
    "/v1/auth/signup",
    "/v1/auth/login",
    "/v1/auth/refresh",
    "/v1/auth/logout",
    "/v1/job-roles/search",
    "/v1/ai/practice-scenario",
]
UNREADABLE_JSON = {
    "truncated": b"{",
    "nan": b'{"a":NaN}',
    "infinity": b'{"a":-Infinity}',
    "huge_integer": b'{"a":' + b"9" * 100_000 + b"}",
    "huge_top_level_integer": b"9" * 100_000,
    "deep_arrays": b"[" * 100_000 + b"]" * 100_000,
    "deep_objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "invalid_utf8": b'{"a":"\xff\xfe"}',
    "lone_surrogate": b'{"a":"\\ud800"}',
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assert_quiet_refusal(response: Any, caplog: pytest.LogCaptureFixture, statuses: set[int]) -> dict[str, Any]:
    assert response.status_code in statuses, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["code"] and body["code"] != "request.failed"
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    assert len([r for r in caplog.records if r.name.startswith("sidecar")]) <= 1
    return body


@pytest.mark.parametrize("route", JSON_ROUTES)
async def test_unreadable_json_is_a_quiet_400(sidecar: Client, caplog: pytest.LogCaptureFixture, route: str) -> None:
    caplog.set_level(logging.INFO)
    for shape, content in UNREADABLE_JSON.items():
        caplog.clear()
        response = await sidecar.post(route, content=content, headers={"content-type": "application/json"})
        body = assert_quiet_refusal(response, caplog, {400})
        assert body["code"] == "request.invalid_body", shape
        assert len(response.content) < 2_000, shape  # nothing of the body is echoed


def subject_tokens(auth0: FakeAuth0) -> dict[str, str]:
    key = auth0.keys[0]
    signature = b64(b"\x01" * 256)
    published = b64(json.dumps({"alg": "RS256", "kid": key.kid, "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": "auth0|x"}).encode())
    nested = b64(b"[" * 5_000 + b"]" * 5_000)
    nan_header = b64(b'{"alg":NaN}')

    def signed(head: str, body: str) -> str:
        rs256 = jwt.get_algorithm_by_name("RS256")
        return f"{head}.{body}.{b64(rs256.sign(f'{head}.{body}'.encode(), key.private))}"

    return {
        "nested_header": f"{nested}.{claims}.{signature}",
        "nested_payload": signed(published, nested),
        "non_ascii_payload": f"{published}.é{claims}.{signature}",
        "non_ascii_signature": f"{published}.{claims}.{signature}é",
        "non_ascii_header": f"é{published}.{claims}.{signature}",
        "nan_header": f"{nan_header}.{claims}.{signature}",
    }


@pytest.mark.parametrize("form", [True, False])
async def test_hostile_subject_tokens_are_a_quiet_401(
    sidecar: Client, auth0: FakeAuth0, caplog: pytest.LogCaptureFixture, form: bool
) -> None:
    caplog.set_level(logging.INFO)
    for shape, token in subject_tokens(auth0).items():
        caplog.clear()
        body = {**EXCHANGE, "subject_token": token}
        response = await (
            sidecar.post("/v1/auth/token", data=body) if form else sidecar.post("/v1/auth/token", json=body)
        )
        refused = assert_quiet_refusal(response, caplog, {401})
        assert refused["code"] == "auth.invalid_token", shape
