"""The demo users a development sidecar creates at start: each signs in with the known password and
holds its roles, in the database as in its token; nowhere but in development."""

from __future__ import annotations

import dataclasses

import pytest

from core.db.connect import connect
from core.settings import DEV_JWT_SECRET, Environment
from sidecar.auth.passwords import password_errors
from sidecar.devidp.core import DEV_USER_GRANT
from sidecar.devidp.demo import DEMO_USERS, DemoUser
from tests.fakes.auth0 import FakeAuth0Server
from tests.sidecar.conftest import EXCHANGE, SidecarFactory, sidecar_settings
from tests.sidecar.dev_stack import Client, claims_of, dev_settings
from tests.support.database import TestDatabase

BY_NAME = {user.name: user for user in DEMO_USERS}


async def sign_in(sidecar: Client, user: DemoUser) -> str:
    response = await sidecar.post("/v1/auth/login", json={"email": user.email, "password": user.password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def roles_in_database(db: TestDatabase) -> dict[str, list[str]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select p.email::text as email, array_agg(pr.role_id order by pr.role_id) as roles, count(*) over "
            "(partition by p.email) as profiles from app.profiles as p join app.profile_roles as pr using (profile_id) "
            "group by p.profile_id, p.email"
        )
    assert all(row["profiles"] == 1 for row in rows)  # one profile per email, however often it started
    return {row["email"]: list(row["roles"]) for row in rows}


async def test_each_demo_user_signs_in_and_holds_their_roles(make_sidecar: SidecarFactory, db: TestDatabase) -> None:
    sidecar = await make_sidecar(dev_settings(db.url))
    db.api.jwt_keys = DEV_JWT_SECRET.encode()
    tokens = {user.name: await sign_in(sidecar, user) for user in DEMO_USERS}
    for user in DEMO_USERS:
        assert claims_of(tokens[user.name])["app_roles"] == sorted(user.roles)

    admin, reviewer, learner = (db.api.with_token(tokens[name]) for name in ("admin", "reviewer", "learner"))
    listed = await admin.rpc("admin_list_users", {"page_size": 50})
    assert listed.status == 200
    assert {item["email"] for item in listed.body["items"]} >= {user.email for user in DEMO_USERS}
    for caller in (reviewer, learner):
        refused = await caller.rpc("admin_list_users", {"page_size": 50})
        assert (refused.status, refused.code) == (403, "admin.forbidden")

    assert (await reviewer.rpc("custom_job_roles_pending_review", {"max_results": 10})).status == 200
    not_reviewer = await learner.rpc("custom_job_roles_pending_review", {"max_results": 10})
    assert (not_reviewer.status, not_reviewer.code) == (403, "job_roles.review_forbidden")


async def test_seeding_again_changes_nothing_and_restores_a_changed_password(
    make_sidecar: SidecarFactory, db: TestDatabase
) -> None:
    first = await make_sidecar(dev_settings(db.url))
    before = await roles_in_database(db)
    assert {email: before[email] for email in (user.email for user in DEMO_USERS)} == {
        user.email: sorted(user.roles) for user in DEMO_USERS
    }
    learner = BY_NAME["learner"]
    await sign_in(first, learner)
    conn = await connect(db.url)  # the role that owns the dev IdP's schema
    try:  # the stored password drifts (an older seed, a hand edit): the next start restores it
        await conn.execute("update dev_idp.users set salt = '\\x00' where email = $1", learner.email)
    finally:
        await conn.close()

    restarted = await make_sidecar(dev_settings(db.url))
    assert await roles_in_database(db) == before
    await sign_in(restarted, learner)


async def test_the_dev_user_grant_named_admin_is_the_demo_admin(make_sidecar: SidecarFactory, db: TestDatabase) -> None:
    sidecar = await make_sidecar(dev_settings(db.url))
    issued = await sidecar.post("/dev-idp/oauth/token", data={"grant_type": DEV_USER_GRANT, "username": "admin"})
    exchanged = await sidecar.post("/v1/auth/token", data={**EXCHANGE, "subject_token": issued.json()["access_token"]})
    assert exchanged.status_code == 200, exchanged.text
    assert (
        claims_of(exchanged.json()["access_token"])["sub"] == claims_of(await sign_in(sidecar, BY_NAME["admin"]))["sub"]
    )
    assert "admin" in claims_of(exchanged.json()["access_token"])["app_roles"]


@pytest.mark.parametrize("environment", [Environment.TEST, Environment.DEVELOPMENT])
async def test_no_demo_user_where_no_dev_idp_runs(
    make_sidecar: SidecarFactory, auth0_server: FakeAuth0Server, db: TestDatabase, environment: Environment
) -> None:
    """Demo users come with the dev IdP only: not in test, nor in development against a real Auth0
    tenant, where their public passwords would open real accounts."""
    settings = sidecar_settings(db.url, auth0_server.url)
    sidecar = await make_sidecar(settings=dataclasses.replace(settings, environment=environment))
    assert (await sidecar.get("/health/live")).status_code == 200  # started: the lifespan has run
    async with db.owner() as conn:
        count = await conn.fetchval(
            "select count(*) from app.profiles where email = any($1::text[])", [user.email for user in DEMO_USERS]
        )
    assert count == 0


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda user: user.name)
def test_demo_passwords_meet_the_signup_policy(user: DemoUser) -> None:
    assert password_errors(user.password, email=user.email) == []
