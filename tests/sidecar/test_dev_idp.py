"""Development mode: with no Auth0 tenant, the dev identity provider makes the whole flow work."""

from __future__ import annotations

import jwt
import pytest

from core.settings import DEV_JWT_SECRET, Auth0Settings, Environment, Settings, TokenSettings
from sidecar.app import create_app
from sidecar.devidp.core import IdentityProvider, IdpError
from tests.sidecar.conftest import EXCHANGE, SidecarFactory, sidecar_settings
from tests.sidecar.dev_stack import Client, dev_settings
from tests.support.database import TestDatabase


@pytest.fixture
async def dev_sidecar(make_sidecar: SidecarFactory, db: TestDatabase) -> Client:
    return await make_sidecar(dev_settings(db.url))


async def test_named_dev_user_signs_in_end_to_end(dev_sidecar: Client, db: TestDatabase) -> None:
    issued = await dev_sidecar.post(
        "/dev-idp/oauth/token", data={"grant_type": "urn:fluentpro:dev-user", "username": "alice"}
    )
    assert issued.status_code == 200
    upstream = issued.json()["access_token"]
    assert jwt.decode(upstream, options={"verify_signature": False})["sub"] == "auth0|dev-alice"
    exchanged = await dev_sidecar.post("/v1/auth/token", data={**EXCHANGE, "subject_token": upstream})
    assert exchanged.status_code == 200, exchanged.text
    token = exchanged.json()["access_token"]
    claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="authenticated")
    db.api.jwt_keys = DEV_JWT_SECRET.encode()  # a local Supabase (CLI) verifies with this same secret
    me = await db.api.with_token(token).rpc("me")
    assert me.status == 200
    assert me.body["profile_id"] == claims["sub"]
    assert me.body["email"] == "alice@example.com"


async def test_native_signup_and_login_work_against_the_dev_idp(dev_sidecar: Client) -> None:
    body = {"email": "erin@example.com", "password": "Str0ng!pass", "full_name": "Erin"}
    assert (await dev_sidecar.post("/v1/auth/signup", json=body)).status_code == 201
    login = await dev_sidecar.post("/v1/auth/login", json={"email": body["email"], "password": body["password"]})
    assert login.status_code == 200
    assert login.json()["refresh_token"]


def test_dev_idp_is_never_built_outside_development(db: TestDatabase) -> None:
    settings = Settings(
        environment=Environment.TEST,
        database=sidecar_settings(db.url, "http://127.0.0.1:1").database,
        redis=sidecar_settings(db.url, "http://127.0.0.1:1").redis,
        auth0=Auth0Settings(
            issuer="http://dev-idp.localhost/", audience="x", jwks_url="http://dev-idp.localhost/j", dev_idp=True
        ),
        tokens=TokenSettings(issuer="fluentpro-sidecar", secret="y" * 40),
        http=sidecar_settings(db.url, "http://127.0.0.1:1").http,
    )
    from core.settings import SettingsError

    with pytest.raises(SettingsError, match="dev identity provider"):
        create_app(settings)


def test_userinfo_accepts_a_token_signed_before_a_rotation_and_refuses_a_withdrawn_key() -> None:
    idp = IdentityProvider(issuer="http://dev-idp.localhost/", audience="https://api.fluentpro.dev")
    user = idp.dev_user("carol")
    before = idp.tokens_for(user, scope="openid email")["access_token"]
    idp.rotate()
    assert idp.userinfo(before)["email"] == "carol@example.com"
    idp.rotate(keep_old=False)
    with pytest.raises(IdpError) as refused:
        idp.userinfo(before)
    assert (refused.value.status, refused.value.body["error"]) == (401, "invalid_token")
