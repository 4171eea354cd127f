"""The bearer guard and acting_as: our token is checked strictly, and SQL runs as that user under RLS."""

from __future__ import annotations

import time
import uuid
from typing import Any

import asyncpg
import jwt
import pytest
from litestar.testing import AsyncTestClient

from sidecar.acting import acting_as
from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.conftest import ES256_KEY, TOKEN_ISSUER, TOKEN_KID
from tests.sidecar.forge import access_token
from tests.sidecar.test_token_exchange import assert_refused, exchange
from tests.support.database import TestDatabase
from tests.support.users import create_user

Client = AsyncTestClient[Any]


def our_token(user: uuid.UUID | str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": str(user),
        "aud": "authenticated",
        "role": "authenticated",
        "iat": now,
        "exp": now + 600,
        "app_roles": ["learner"],
        "auth0_sub": f"auth0|{user}",
    }
    claims.update(overrides)
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, ES256_KEY, algorithm="ES256", headers={"kid": TOKEN_KID}
    )


async def test_exchanged_token_reads_own_profile(sidecar: Client, auth0: FakeAuth0) -> None:
    token = (await exchange(sidecar, access_token(auth0, "carol"))).json()["access_token"]
    me = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "carol@example.com"
    assert me.json()["roles"] == ["learner"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "auth.missing_token"),
        ("Basic abc", "auth.missing_token"),
        ("Bearer not-a-jwt", "auth.invalid_token"),
    ],
)
async def test_missing_or_malformed_bearer_is_401(sidecar: Client, header: str | None, code: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = await sidecar.get("/v1/me", headers=headers)
    assert_refused(response, 401, code)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 60}, "auth.token_expired"),
        ({"iss": "https://someone-else.example.com"}, "auth.invalid_token"),
        ({"aud": "anon"}, "auth.invalid_token"),
        ({"role": "service_role"}, "auth.invalid_token"),
        ({"sub": "auth0|not-a-uuid"}, "auth.invalid_token"),
        ({"iat": None}, "auth.invalid_token"),
    ],
)
async def test_our_token_is_checked_strictly(sidecar: Client, db: TestDatabase, overrides: dict, code: str) -> None:
    alice = await create_user(db, "alice")
    response = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {our_token(alice, **overrides)}"})
    assert_refused(response, 401, code)
    good = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {our_token(alice)}"})
    assert good.status_code == 200


async def test_an_auth0_token_is_not_accepted_as_ours(sidecar: Client, auth0: FakeAuth0) -> None:
    response = await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {access_token(auth0)}"})
    assert_refused(response, 401, "auth.invalid_token")


async def test_hs256_token_with_a_guessed_secret_is_refused(sidecar: Client, db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    forged = jwt.encode(
        {
            "iss": TOKEN_ISSUER,
            "sub": str(alice),
            "aud": "authenticated",
            "role": "authenticated",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
        },
        "super-secret-jwt-token-with-at-least-32-characters-long",
        algorithm="HS256",
    )
    assert_refused(
        await sidecar.get("/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401, "auth.invalid_token"
    )


async def write_then_fail(pool: asyncpg.Pool, bob: uuid.UUID) -> None:
    async with acting_as(pool, {"sub": str(bob)}) as conn:
        await conn.execute("update app.profiles set full_name = 'Bobby' where profile_id = $1", bob)
        raise RuntimeError("the handler failed after writing")


async def test_acting_as_applies_rls_and_the_postgrest_settings(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    pool = await asyncpg.create_pool(db.url, min_size=1, max_size=2)
    try:
        async with acting_as(pool, {"sub": str(alice), "role": "anon", "aud": "authenticated"}) as conn:
            seen = await conn.fetch("select profile_id from app.profiles")
            settings = await conn.fetchrow(
                "select current_user as role, current_setting('search_path') as path, "
                "current_setting('statement_timeout') as timeout, auth.uid() as uid, auth.jwt() ->> 'role' as claim"
            )
        assert [r["profile_id"] for r in seen] == [alice]
        assert dict(settings) == {
            "role": "authenticated",
            "path": '"api", "extensions"',
            "timeout": "8s",
            "uid": alice,
            "claim": "authenticated",
        }
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(pool, {"sub": str(alice)}) as conn:
                await conn.execute("update app.profiles set status = 'active' where profile_id = $1", alice)
        with pytest.raises(RuntimeError):
            await write_then_fail(pool, bob)
        async with pool.acquire() as conn:
            assert await conn.fetchval("select full_name from app.profiles where profile_id = $1", bob) == "Bob"
            assert await conn.fetchval("select current_user") == "postgres"  # nothing leaks past the transaction
    finally:
        await pool.close()
