"""private.sync_auth0_profile: the token exchange's registration and profile sync (service_role only)."""

from __future__ import annotations

import json
from typing import Any

from tests.support.database import TestDatabase
from tests.support.users import create_user

SYNC = "select private.sync_auth0_profile($1, $2, $3, $4) as result"


async def sync(db: TestDatabase, subject: str, email: str | None, verified: bool | None, name: str | None) -> Any:
    response = await db.as_service().sql(SYNC, subject, email, verified, name)
    assert response.status == 200, response.body
    return (
        response.body[0]["result"]
        if isinstance(response.body[0]["result"], dict)
        else json.loads(response.body[0]["result"])
    )


async def test_first_sync_registers_a_learner(db: TestDatabase) -> None:
    result = await sync(db, "auth0|carol", "carol@example.com", True, "Carol")
    assert result["created"] is True
    assert result["status"] == "active"
    assert result["roles"] == ["learner"]
    again = await sync(db, "auth0|carol", "carol@example.com", True, "Carol")
    assert again["created"] is False
    assert again["profile_id"] == result["profile_id"]


async def test_sync_keeps_email_verification_and_name_current(db: TestDatabase) -> None:
    await sync(db, "auth0|carol", "carol@example.com", False, "Carol")
    await sync(db, "auth0|carol", "Carol.New@example.com", True, "Carol New")
    async with db.owner() as conn:
        row = await conn.fetchrow("select email, email_verified, full_name from app.profiles")
    assert dict(row) == {"email": "Carol.New@example.com", "email_verified": True, "full_name": "Carol New"}


async def test_sync_keeps_facts_the_token_does_not_carry(db: TestDatabase) -> None:
    await sync(db, "auth0|carol", "carol@example.com", True, "Carol")
    await sync(db, "auth0|carol", None, None, None)
    async with db.owner() as conn:
        row = await conn.fetchrow("select email, email_verified, full_name from app.profiles")
    assert dict(row) == {"email": "carol@example.com", "email_verified": True, "full_name": "Carol"}


async def test_sync_reports_suspension_and_roles(db: TestDatabase) -> None:
    admin = await create_user(db, "admin", roles=["admin"])
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", admin)
    result = await sync(db, "auth0|admin", "admin@example.com", True, "Admin")
    assert result["status"] == "suspended"
    assert result["roles"] == ["admin", "learner"]


async def test_sync_is_not_callable_by_users_or_anon(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    for client in (db.as_user(alice), db.as_anon()):
        response = await client.sql(SYNC, "auth0|mallory", "m@example.com", True, "M")
        assert response.code == "42501"
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.profiles") == 1
