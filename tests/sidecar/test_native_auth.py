"""Sign-up, login, refresh and logout for native apps, against the fake Auth0 over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.conftest import SidecarFactory
from tests.sidecar.test_token_exchange import assert_refused, decode_minted
from tests.support.database import TestDatabase

Client = AsyncTestClient[Any]
GOOD = {"email": "dora@example.com", "password": "Str0ng!pass", "full_name": "Dora Explorer"}


async def signup(client: Client, **overrides: str) -> Any:
    return await client.post("/v1/auth/signup", json={**GOOD, **overrides})


async def test_signup_creates_the_account_and_signs_in(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    response = await signup(sidecar)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]
    claims = decode_minted(body["access_token"])
    assert claims["auth0_sub"] == auth0.users["dora@example.com"].subject
    async with db.owner() as conn:
        row = await conn.fetchrow("select profile_id, email, full_name from app.profiles")
    assert (str(row["profile_id"]), row["email"], row["full_name"]) == (claims["sub"], GOOD["email"], "Dora Explorer")


@pytest.mark.parametrize(
    ("password", "rules"),
    [
        ("short1!", {"too_short", "uppercase"}),
        ("alllowercase1!", {"uppercase"}),
        ("ALLUPPERCASE1!", {"lowercase"}),
        ("NoDigitsHere!", {"digit"}),
        ("NoSymbols123", {"symbol"}),
        ("Dora12345!x", {"contains_email"}),
        ("", {"too_short", "uppercase", "lowercase", "digit", "symbol"}),
    ],
)
async def test_bad_passwords_are_reported_rule_by_rule(
    sidecar: Client, auth0: FakeAuth0, password: str, rules: set[str]
) -> None:
    response = await signup(sidecar, password=password)
    assert_refused(response, 422, "auth.invalid_signup")
    errors = response.json()["details"]["errors"]
    assert {e["rule"] for e in errors} == rules
    assert {e["field"] for e in errors} == {"password"}
    assert auth0.users == {}  # refused before Auth0 was called


async def test_bad_email_and_name_are_reported_together(sidecar: Client, auth0: FakeAuth0) -> None:
    response = await signup(sidecar, email="not-an-email", full_name=" x ")
    assert_refused(response, 422, "auth.invalid_signup")
    assert {e["field"] for e in response.json()["details"]["errors"]} == {"email", "full_name"}


async def test_missing_fields_are_400(sidecar: Client) -> None:
    response = await sidecar.post("/v1/auth/signup", json={"email": "dora@example.com"})
    assert_refused(response, 400, "request.invalid_body")


async def test_duplicate_email_is_409(sidecar: Client, auth0: FakeAuth0) -> None:
    assert (await signup(sidecar)).status_code == 201
    response = await signup(sidecar, email="DORA@example.com")
    assert_refused(response, 409, "auth.email_taken")
    assert response.json()["details"] == {"field": "email"}


async def test_login_and_wrong_password(sidecar: Client, auth0: FakeAuth0) -> None:
    auth0.add_user("dora@example.com", GOOD["password"], "Dora")
    ok = await sidecar.post("/v1/auth/login", json={"email": "dora@example.com", "password": GOOD["password"]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["refresh_token"]  # offline_access was asked for
    assert decode_minted(ok.json()["access_token"])["role"] == "authenticated"
    wrong = await sidecar.post("/v1/auth/login", json={"email": "dora@example.com", "password": "Wrong!pass1"})
    assert_refused(wrong, 401, "auth.invalid_credentials")
    nobody = await sidecar.post("/v1/auth/login", json={"email": "nobody@example.com", "password": "Wrong!pass1"})
    assert_refused(nobody, 401, "auth.invalid_credentials")


async def test_refresh_then_logout_revokes(sidecar: Client, auth0: FakeAuth0) -> None:
    session = (await signup(sidecar)).json()
    refreshed = await sidecar.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    new_claims = decode_minted(refreshed.json()["access_token"])
    assert new_claims["sub"] == decode_minted(session["access_token"])["sub"]
    assert refreshed.json()["refresh_token"] == session["refresh_token"]
    out = await sidecar.post("/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    assert out.status_code == 204
    again = await sidecar.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert_refused(again, 401, "auth.invalid_refresh_token")


async def test_refresh_with_garbage_is_401(sidecar: Client, auth0: FakeAuth0) -> None:
    response = await sidecar.post("/v1/auth/refresh", json={"refresh_token": "garbage"})
    assert_refused(response, 401, "auth.invalid_refresh_token")


async def test_suspended_user_cannot_log_in(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    session = (await signup(sidecar)).json()
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended'")
    response = await sidecar.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert_refused(response, 403, "auth.profile_suspended")


async def test_auth0_unreachable_is_503(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(issuer="http://127.0.0.1:1/")
    response = await sidecar.post("/v1/auth/login", json={"email": "dora@example.com", "password": GOOD["password"]})
    assert_refused(response, 503, "auth.upstream_unavailable")


async def test_wrong_client_secret_is_502_not_401(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(client_secret="not-the-secret")
    auth0.add_user("dora@example.com", GOOD["password"], "Dora")
    response = await sidecar.post("/v1/auth/login", json={"email": "dora@example.com", "password": GOOD["password"]})
    assert_refused(response, 502, "auth.upstream_error")


async def test_wrappers_without_client_id_are_503(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(client_id=None)
    assert_refused(await signup(sidecar), 503, "auth.not_configured")


async def test_password_auth0_refuses_is_422_weak_password(sidecar: Client, auth0: FakeAuth0) -> None:
    response = await signup(sidecar, password="Password1!")  # passes our rules, in Auth0's dictionary
    assert_refused(response, 422, "auth.weak_password")
    assert response.json()["details"]["errors"][0]["field"] == "password"


async def test_blocked_login_is_429(sidecar: Client, auth0: FakeAuth0) -> None:
    auth0.add_user("dora@example.com", GOOD["password"], "Dora")
    auth0.login_blocked = True
    response = await sidecar.post("/v1/auth/login", json={"email": "dora@example.com", "password": GOOD["password"]})
    assert_refused(response, 429, "auth.too_many_attempts")
