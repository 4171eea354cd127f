"""POST /v1/auth/token: a valid exchange, and every way a token must be refused (RFC 8725 attacks)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from litestar.testing import AsyncTestClient

from sidecar.devidp.core import NAMESPACE, new_key
from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.conftest import ES256_KEY, EXCHANGE, TOKEN_ISSUER, TOKEN_KID
from tests.sidecar.forge import access_token, claims_for, hs256_with_public_key, unsigned
from tests.support.database import TestDatabase
from tests.support.users import create_user

Client = AsyncTestClient[Any]
MINTED_CLAIMS = {"iss", "sub", "aud", "role", "iat", "exp", "session_id", "auth0_sub", "app_roles"}


async def exchange(client: Client, token: str, *, form: bool = True, **extra: str) -> Any:
    body = {**EXCHANGE, "subject_token": token, **extra}
    if form:
        return await client.post("/v1/auth/token", data=body)
    return await client.post("/v1/auth/token", json=body)


def decode_minted(token: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256"
    assert header["kid"] == TOKEN_KID
    return jwt.decode(
        token, ES256_KEY.public_key(), algorithms=["ES256"], audience="authenticated", issuer=TOKEN_ISSUER
    )


def assert_refused(response: Any, status: int, code: str, reason: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    if reason is not None:
        assert body["details"]["reason"] == reason


async def test_valid_exchange_registers_and_mints(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    response = await exchange(sidecar, access_token(auth0, "carol"))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert body["expires_in"] == 600
    claims = decode_minted(body["access_token"])
    assert set(claims) == MINTED_CLAIMS
    assert claims["role"] == "authenticated"
    assert claims["aud"] == "authenticated"
    assert claims["auth0_sub"] == "auth0|carol"
    assert claims["app_roles"] == ["learner"]
    assert claims["exp"] - claims["iat"] == 600
    uuid.UUID(claims["session_id"])
    async with db.owner() as conn:
        row = await conn.fetchrow("select profile_id, email, full_name, email_verified from app.profiles")
    assert str(row["profile_id"]) == claims["sub"]
    assert (row["email"], row["full_name"], row["email_verified"]) == ("carol@example.com", "Carol", True)


async def test_json_body_works_and_second_exchange_keeps_the_profile(sidecar: Client, auth0: FakeAuth0) -> None:
    first = decode_minted((await exchange(sidecar, access_token(auth0, "carol"), form=False)).json()["access_token"])
    second = decode_minted((await exchange(sidecar, access_token(auth0, "carol"))).json()["access_token"])
    assert first["sub"] == second["sub"]
    assert first["session_id"] != second["session_id"]


async def test_minted_token_works_in_postgrest_as_that_user(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase
) -> None:
    bob = await create_user(db, "bob", roles=["job_role_reviewer"])
    token = (await exchange(sidecar, access_token(auth0, "bob"))).json()["access_token"]
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(ES256_KEY.public_key(), as_dict=True)
    db.api.jwt_keys = {"keys": [{**jwk, "kid": TOKEN_KID, "alg": "ES256", "use": "sig"}]}
    me = await db.api.with_token(token).rpc("me")
    assert me.status == 200
    assert me.body["profile_id"] == str(bob)
    assert me.body["roles"] == ["job_role_reviewer", "learner"]
    assert set(decode_minted(token)) == MINTED_CLAIMS
    assert decode_minted(token)["app_roles"] == ["job_role_reviewer", "learner"]


async def test_upstream_role_claims_are_ignored(sidecar: Client, auth0: FakeAuth0) -> None:
    token = access_token(
        auth0, "mallory", role="service_role", app_roles=["admin"], **{"https://fluentpro.app/roles": ["admin"]}
    )
    claims = decode_minted((await exchange(sidecar, token)).json()["access_token"])
    assert claims["role"] == "authenticated"
    assert claims["app_roles"] == ["learner"]
    assert set(claims) == MINTED_CLAIMS


async def test_suspended_user_gets_403(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    bob = await create_user(db, "bob")
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", bob)
    assert_refused(await exchange(sidecar, access_token(auth0, "bob")), 403, "auth.profile_suspended")


class FromNow(int):
    """A time claim given as seconds from the moment the test runs."""


@pytest.mark.parametrize(
    ("overrides", "status", "code", "reason"),
    [
        ({"exp": FromNow(-120)}, 401, "auth.token_expired", "expired"),
        ({"nbf": FromNow(600)}, 401, "auth.invalid_token", "not_yet_valid"),
        ({"iat": FromNow(600)}, 401, "auth.invalid_token", "not_yet_valid"),
        ({"iat": None}, 401, "auth.invalid_token", "missing_claim"),
        ({"exp": None}, 401, "auth.invalid_token", "missing_claim"),
        ({"sub": None}, 401, "auth.invalid_token", "missing_claim"),
        ({"iss": "https://evil.example.com/"}, 401, "auth.invalid_token", "issuer"),
        ({"iss": None}, 401, "auth.invalid_token", "missing_claim"),
        ({"aud": "https://another-api.example.com"}, 401, "auth.invalid_token", "audience"),
        ({"aud": None}, 401, "auth.invalid_token", "missing_claim"),
    ],
)
async def test_bad_claims_are_refused(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase, overrides: dict, status: int, code: str, reason: str
) -> None:
    now = int(time.time())  # at run time: parameters are built at collection, maybe minutes earlier
    claims = {k: now + v if isinstance(v, FromNow) else v for k, v in overrides.items()}
    assert_refused(await exchange(sidecar, access_token(auth0, **claims)), status, code, reason)
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.profiles") == 0


async def test_small_leeway_accepts_slight_clock_skew(sidecar: Client, auth0: FakeAuth0) -> None:
    response = await exchange(sidecar, access_token(auth0, exp=int(time.time()) - 5, iat=int(time.time()) + 5))
    assert response.status_code == 200


async def test_alg_none_is_refused(sidecar: Client, auth0: FakeAuth0) -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": auth0.keys[0].kid}, claims_for(auth0))
    assert_refused(await exchange(sidecar, token), 401, "auth.invalid_token", "algorithm")


async def test_hs256_signed_with_the_rsa_public_key_is_refused(sidecar: Client, auth0: FakeAuth0) -> None:
    token = hs256_with_public_key(auth0, claims_for(auth0))
    assert_refused(await exchange(sidecar, token), 401, "auth.invalid_token", "algorithm")


async def test_tampered_payload_fails_the_signature(sidecar: Client, auth0: FakeAuth0) -> None:
    head, _, signature = access_token(auth0, "alice").split(".")
    _, body, _ = access_token(auth0, "admin").split(".")
    assert_refused(await exchange(sidecar, f"{head}.{body}.{signature}"), 401, "auth.invalid_token", "signature")


async def test_unknown_crit_header_is_refused(sidecar: Client, auth0: FakeAuth0) -> None:
    token = access_token(auth0, headers={"crit": ["exp-ext"], "exp-ext": True})
    assert_refused(await exchange(sidecar, token), 401, "auth.invalid_token", "crit")


async def test_jku_and_embedded_jwk_are_never_followed(sidecar: Client, auth0: FakeAuth0) -> None:
    attacker = new_key()
    headers = {"jku": "http://127.0.0.1:1/jwks.json", "jwk": attacker.public_jwk(), "x5u": "http://127.0.0.1:1/x"}
    token = access_token(auth0, key=attacker, headers=headers)
    assert_refused(await exchange(sidecar, token), 401, "auth.invalid_token", "unknown_key")


async def test_id_token_is_not_an_access_token(sidecar: Client, auth0: FakeAuth0) -> None:
    auth0.add_user("dora@example.com", "Str0ng!pass", "Dora")
    tokens = auth0.token(
        {
            "grant_type": "password",
            "username": "dora@example.com",
            "password": "Str0ng!pass",
            "client_id": auth0.client_id,
            "client_secret": auth0.client_secret,
            "scope": "openid",
        }
    )
    assert_refused(await exchange(sidecar, tokens["id_token"]), 401, "auth.invalid_token", "audience")
    assert (await exchange(sidecar, tokens["access_token"])).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"grant_type": "password"}, 400, "auth.unsupported_grant_type"),
        ({"subject_token_type": "urn:ietf:params:oauth:token-type:id_token"}, 400, "auth.unsupported_token_type"),
        ({"subject_token": ""}, 400, "request.invalid_body"),
        ({"subject_token": "not-a-jwt"}, 401, "auth.invalid_token"),
    ],
)
async def test_malformed_requests(sidecar: Client, auth0: FakeAuth0, body: dict, status: int, code: str) -> None:
    response = await sidecar.post("/v1/auth/token", data={**EXCHANGE, "subject_token": access_token(auth0), **body})
    assert_refused(response, status, code)


async def test_non_form_non_json_body_is_400(sidecar: Client) -> None:
    response = await sidecar.post("/v1/auth/token", content=b"x", headers={"content-type": "text/plain"})
    assert_refused(response, 400, "request.invalid_body")


async def test_registration_without_profile_claims_asks_userinfo_once(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase
) -> None:
    fay = auth0.add_user("fay@example.com", "Str0ng!pass", "Fay")
    bare = {NAMESPACE + "email": None, NAMESPACE + "name": None, NAMESPACE + "email_verified": None}
    token = access_token(auth0, "fay", sub=fay.subject, **bare)
    assert (await exchange(sidecar, token)).status_code == 200
    async with db.owner() as conn:
        row = await conn.fetchrow("select email, full_name from app.profiles where auth0_subject = $1", fay.subject)
    assert (row["email"], row["full_name"]) == ("fay@example.com", "Fay")
