"""The dev IdP keeps its users, keys and sessions in PostgreSQL: a restart (a new sidecar on the same
database) forgets nothing, and a taken email stays taken."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import jwt
import pytest
from litestar.testing import AsyncTestClient

from core.db.connect import connect
from sidecar.devidp.core import DEV_USER_GRANT, IdentityProvider, new_key
from sidecar.devidp.durable import DurableIdp
from sidecar.devidp.routes import IdpUnavailable, idp_app
from sidecar.devidp.store import PgIdpStore
from tests.sidecar.conftest import EXCHANGE, SidecarFactory
from tests.sidecar.dev_stack import claims_of, dev_settings
from tests.support.database import TestDatabase

ERIN = {"email": "erin@example.com", "password": "Str0ng!pass", "full_name": "Erin"}


async def profiles_with_email(db: TestDatabase, email: str) -> int:
    async with db.owner() as conn:
        count: int = await conn.fetchval("select count(*) from app.profiles where email = $1", email)
    return count


async def dev_user_tokens(sidecar: AsyncTestClient[Any], username: str, scope: str) -> httpx.Response:
    """The dev IdP's answer to the dev-user grant (no password) for `username`."""
    return await sidecar.post(
        "/dev-idp/oauth/token", data={"grant_type": DEV_USER_GRANT, "username": username, "scope": scope}
    )


async def test_a_signed_up_user_signs_in_after_a_restart_as_the_same_profile(
    make_sidecar: SidecarFactory, db: TestDatabase
) -> None:
    before = await make_sidecar(dev_settings(db.url))
    signed_up = await before.post("/v1/auth/signup", json=ERIN)
    assert signed_up.status_code == 201, signed_up.text

    after = await make_sidecar(dev_settings(db.url))
    login = await after.post("/v1/auth/login", json={"email": ERIN["email"], "password": ERIN["password"]})
    assert login.status_code == 200, login.text
    assert claims_of(login.json()["access_token"])["sub"] == claims_of(signed_up.json()["access_token"])["sub"]


async def test_a_second_signup_with_a_taken_email_is_refused_and_makes_no_profile(
    make_sidecar: SidecarFactory, db: TestDatabase
) -> None:
    first = await make_sidecar(dev_settings(db.url))
    assert (await first.post("/v1/auth/signup", json=ERIN)).status_code == 201
    again = await first.post("/v1/auth/signup", json=ERIN)
    assert (again.status_code, again.json()["code"]) == (409, "auth.email_taken")

    restarted = await make_sidecar(dev_settings(db.url))
    shouted = await restarted.post("/v1/auth/signup", json={**ERIN, "email": "Erin@Example.COM", "full_name": "E2"})
    assert (shouted.status_code, shouted.json()["code"]) == (409, "auth.email_taken")
    assert shouted.json()["details"] == {"field": "email"}
    assert await profiles_with_email(db, ERIN["email"]) == 1


async def test_tokens_keys_and_refresh_tokens_issued_before_a_restart_stay_valid(
    make_sidecar: SidecarFactory, db: TestDatabase
) -> None:
    before = await make_sidecar(dev_settings(db.url))
    issued = await dev_user_tokens(before, "alice", "openid email offline_access")
    assert issued.status_code == 200
    jwks_before = (await before.get("/dev-idp/.well-known/jwks.json")).json()

    after = await make_sidecar(dev_settings(db.url))
    assert (await after.get("/dev-idp/.well-known/jwks.json")).json() == jwks_before
    exchanged = await after.post("/v1/auth/token", data={**EXCHANGE, "subject_token": issued.json()["access_token"]})
    assert exchanged.status_code == 200, exchanged.text
    refresh_token = issued.json()["refresh_token"]
    refreshed = await after.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    assert claims_of(refreshed.json()["access_token"])["sub"] == claims_of(exchanged.json()["access_token"])["sub"]

    assert (await after.post("/v1/auth/logout", json={"refresh_token": refresh_token})).status_code == 204
    once_more = await make_sidecar(dev_settings(db.url))
    revoked = await once_more.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert (revoked.status_code, revoked.json()["code"]) == (401, "auth.invalid_refresh_token")


async def test_the_state_holds_hashes_and_digests_in_a_schema_nobody_else_reads(
    make_sidecar: SidecarFactory, db: TestDatabase
) -> None:
    sidecar = await make_sidecar(dev_settings(db.url))
    issued = await dev_user_tokens(sidecar, "bob", "openid offline_access")
    assert (await sidecar.post("/v1/auth/signup", json=ERIN)).status_code == 201
    conn = await connect(db.url)  # as DATABASE_URL's role, which created the schema: nobody else may read it
    try:
        users = await conn.fetch("select * from dev_idp.users")
        tokens = await conn.fetch("select token_digest from dev_idp.refresh_tokens")
        rls = await conn.fetch(
            "select c.relname, c.relrowsecurity from pg_class as c "
            "where c.relnamespace = 'dev_idp'::regnamespace and c.relkind = 'r'"
        )
        readers = await conn.fetch(
            "select r from unnest(array['anon', 'authenticated', 'service_role']) as r "
            "where has_schema_privilege(r, 'dev_idp', 'usage')"
        )
    finally:
        await conn.close()
    row_text = " ".join(str(value) for row in users for value in row.values())
    assert ERIN["password"] not in row_text
    assert ERIN["password"].encode() not in b"".join(bytes(row["password_hash"]) for row in users)
    assert issued.json()["refresh_token"] not in {row["token_digest"] for row in tokens}
    assert len(tokens) >= 1
    assert {row["relname"]: row["relrowsecurity"] for row in rls} == {
        "users": True,
        "signing_keys": True,
        "refresh_tokens": True,
    }
    assert readers == []


async def test_migrations_never_create_the_dev_idp_schema(db: TestDatabase) -> None:
    async with db.owner() as conn:
        assert await conn.fetchval("select to_regnamespace('dev_idp')") is None


async def test_the_idp_answers_503_while_its_database_is_down() -> None:
    idp = IdentityProvider(issuer="http://dev-idp.localhost/", audience="https://api.fluentpro.dev")
    durable = DurableIdp(idp, PgIdpStore("postgresql://postgres@127.0.0.1:1/fluentpro"))
    client: AsyncTestClient[Any]
    async with AsyncTestClient(idp_app(idp, run=durable.run)) as client:
        keys = await client.get("/.well-known/jwks.json")
        token = await client.post("/oauth/token", data={"grant_type": DEV_USER_GRANT, "username": "alice"})
    assert (keys.status_code, keys.json()) == (503, {"error": "temporarily_unavailable"})
    assert token.status_code == 503
    assert idp.users == {}  # nothing was answered, so nothing was created


async def test_a_rotation_is_kept_newest_first(db: TestDatabase) -> None:
    first = DurableIdp(IdentityProvider(issuer="http://i/", audience="a"), PgIdpStore(db.url))
    await first.ready()
    old_kid = first.idp.keys[0].kid
    rotated = await first.run(first.idp.rotate)
    await first.close()

    second = DurableIdp(IdentityProvider(issuer="http://i/", audience="a", keys=[new_key()]), PgIdpStore(db.url))
    await second.ready()
    assert [key.kid for key in second.idp.keys] == [rotated.kid, old_kid]
    token = second.idp.sign({"sub": "x"})
    assert jwt.get_unverified_header(token)["kid"] == rotated.kid
    await second.close()


async def test_a_change_that_cannot_be_saved_is_answered_503_and_forgotten(db: TestDatabase) -> None:
    durable = DurableIdp(IdentityProvider(issuer="http://i/", audience="a", client_id="c"), PgIdpStore(db.url))
    await durable.ready()
    conn = await connect(db.url)
    try:
        await conn.execute("drop table dev_idp.refresh_tokens, dev_idp.users")
    finally:
        await conn.close()
    signup = {"client_id": "c", "connection": durable.idp.realm, "email": "erin@example.com", "password": "Str0ng!pass"}
    with pytest.raises(IdpUnavailable):
        await durable.run(partial(durable.idp.signup, signup))

    await durable.ready()  # the next call reloads the truth: nobody was signed up
    assert durable.idp.users == {}
    answer = await durable.run(partial(durable.idp.signup, signup))  # and the tables are back
    assert answer["email"] == "erin@example.com"
    await durable.close()
