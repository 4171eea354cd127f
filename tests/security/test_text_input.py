"""Text PostgreSQL cannot store (NUL) or should not (control characters, unbounded lengths) is refused
before anything is written anywhere, Auth0 included; and text that got into Auth0 anyway (an account
made before these checks) no longer locks its owner out."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.test_acting_as import our_token
from tests.sidecar.test_token_exchange import assert_refused
from tests.support.database import TestDatabase
from tests.support.users import create_user

Client = AsyncTestClient[Any]
GOOD = {"email": "dora@example.com", "password": "Str0ng!pass", "full_name": "Dora Explorer"}
CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\x85"]


@pytest.mark.parametrize("field", ["full_name", "email", "password"])
async def test_signup_refuses_control_characters_before_auth0_is_called(
    sidecar: Client, auth0: FakeAuth0, field: str
) -> None:
    for char in CONTROL:
        value = GOOD[field][:3] + char + GOOD[field][3:]
        response = await sidecar.post("/v1/auth/signup", json={**GOOD, field: value})
        assert_refused(response, 400, "request.invalid_body")
        assert [e["field"] for e in response.json()["details"]["errors"]] == [field], char
    assert auth0.users == {}  # no account was made at the identity provider


async def test_signup_with_a_nul_in_the_name_leaves_no_orphan_and_a_clean_retry_works(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase
) -> None:
    refused = await sidecar.post("/v1/auth/signup", json={**GOOD, "full_name": "Dora\x00Explorer"})
    assert_refused(refused, 400, "request.invalid_body")
    created = await sidecar.post("/v1/auth/signup", json=GOOD)
    assert created.status_code == 201, created.text
    async with db.owner() as conn:
        assert await conn.fetchval("select full_name from app.profiles") == "Dora Explorer"


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/v1/auth/login", {"email": "dora\x00@example.com", "password": "Str0ng!pass"}),
        ("/v1/auth/login", {"email": "dora@example.com", "password": "x" * 5_000}),
        ("/v1/auth/login", {"email": "d" * 5_000 + "@example.com", "password": "Str0ng!pass"}),
        ("/v1/auth/refresh", {"refresh_token": "abc\x00def"}),
        ("/v1/auth/refresh", {"refresh_token": "r" * 20_000}),
        ("/v1/auth/logout", {"refresh_token": "abc\ndef"}),
        ("/v1/auth/signup", {**GOOD, "full_name": "D" * 5_000}),
    ],
)
async def test_native_auth_bounds_text_before_auth0_is_called(
    sidecar: Client, auth0: FakeAuth0, route: str, body: dict[str, str]
) -> None:
    response = await sidecar.post(route, json=body)
    assert_refused(response, 400, "request.invalid_body")
    assert auth0.forwarded_for == []  # Auth0's token endpoint was not called
    assert auth0.users == {}


async def test_an_account_with_a_nul_in_its_auth0_name_can_sign_in(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase
) -> None:
    """Accounts Auth0 already holds with such a name (made before sign-up checked it) are not locked out."""
    auth0.add_user("dora@example.com", GOOD["password"], "Dora\x00Explorer\x1b")
    for _ in range(2):
        response = await sidecar.post(
            "/v1/auth/login", json={"email": "dora@example.com", "password": GOOD["password"]}
        )
        assert response.status_code == 200, response.text
    async with db.owner() as conn:
        assert await conn.fetchval("select full_name from app.profiles") == "Dora Explorer"


async def test_a_nul_in_a_search_title_gets_a_documented_code(sidecar: Client, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    headers = {"Authorization": f"Bearer {our_token(alice)}"}
    for body in ({"title": "nurse\x00"}, {"title": "nurse", "description": "cares\x00 for patients"}):
        response = await sidecar.post("/v1/job-roles/search", json=body, headers=headers)
        assert_refused(response, 400, "request.invalid_text")
        assert "0x00" not in response.text  # PostgreSQL's own message is not passed on
