"""Profiles: the RLS matrix (owner, other user, anon, admin x select/insert/update/delete) and the
columns a user may never change on their own row (status, email, subject)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.database import TestDatabase
from tests.support.users import create_user

People = dict[str, uuid.UUID]


async def stored(db: TestDatabase, column: str, profile_id: uuid.UUID) -> object:
    async with db.owner() as conn:
        return await conn.fetchval(f"select {column} from app.profiles where profile_id = $1", profile_id)


async def suspend(db: TestDatabase, profile_id: uuid.UUID) -> None:
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", profile_id)


@pytest.fixture
async def people(db: TestDatabase) -> dict[str, uuid.UUID]:
    return {
        "alice": await create_user(db, "alice"),
        "bob": await create_user(db, "bob"),
        "admin": await create_user(db, "admin", roles=["admin"]),
    }


async def test_select_owner_sees_own_row_other_user_sees_nothing(db: TestDatabase, people: People) -> None:
    own = await db.as_user(people["alice"]).sql("select profile_id, email from app.profiles")
    assert own.status == 200
    assert own.body == [{"profile_id": str(people["alice"]), "email": "alice@example.com"}]
    other = await db.as_user(people["bob"]).sql("select * from app.profiles where profile_id = $1", people["alice"])
    assert other.status == 200
    assert other.body == []


async def test_select_admin_sees_everyone(db: TestDatabase, people: People) -> None:
    rows = await db.as_user(people["admin"]).sql("select profile_id from app.profiles")
    assert rows.status == 200
    assert {row["profile_id"] for row in rows.body} == {str(v) for v in people.values()}


async def test_select_anon_is_refused(db: TestDatabase, people: People) -> None:
    response = await db.as_anon().sql("select * from app.profiles")
    assert response.status == 401
    assert response.code == "42501"


@pytest.mark.parametrize("who", ["alice", "admin", None])
async def test_insert_is_refused_for_everyone(db: TestDatabase, people: People, who: str | None) -> None:
    client = db.as_user(people[who]) if who else db.as_anon()
    response = await client.sql("insert into app.profiles (auth0_subject) values ('auth0|mallory')")
    assert response.status == (403 if who else 401)
    assert response.code == "42501"


async def test_update_owner_changes_own_name(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["alice"]).sql(
        "update app.profiles set full_name = 'Alice A.' where profile_id = $1", people["alice"]
    )
    assert response.status == 204
    assert await stored(db, "full_name", people["alice"]) == "Alice A."


async def test_update_other_user_row_changes_nothing(db: TestDatabase, people: People) -> None:
    for who in ("bob", "admin"):
        response = await db.as_user(people[who]).sql(
            "update app.profiles set full_name = 'hacked' where profile_id = $1", people["alice"]
        )
        assert response.status == 204
    assert await stored(db, "full_name", people["alice"]) == "Alice"


@pytest.mark.parametrize("column", ["status", "email", "auth0_subject", "email_verified", "profile_id"])
async def test_update_owner_cannot_touch_protected_columns(db: TestDatabase, people: People, column: str) -> None:
    values = {"status": "'active'", "email": "'x@example.com'", "auth0_subject": "'auth0|x'"}
    value = values.get(column, "default")
    response = await db.as_user(people["alice"]).sql(
        f"update app.profiles set {column} = {value} where profile_id = $1", people["alice"]
    )
    assert response.status == 403
    assert response.code == "42501"


async def test_suspended_user_cannot_lift_own_suspension(db: TestDatabase, people: People) -> None:
    await suspend(db, people["bob"])
    response = await db.as_user(people["bob"]).sql(
        "update app.profiles set status = 'active' where profile_id = $1", people["bob"]
    )
    assert response.status == 403
    assert response.code == "42501"
    assert await stored(db, "status", people["bob"]) == "suspended"


@pytest.mark.parametrize("who", ["alice", "admin", None])
async def test_delete_is_refused_for_everyone(db: TestDatabase, people: People, who: str | None) -> None:
    client = db.as_user(people[who]) if who else db.as_anon()
    response = await client.sql("delete from app.profiles where profile_id = $1", people["alice"])
    assert response.status == (403 if who else 401)
    assert response.code == "42501"


async def test_updated_at_moves_on_update(db: TestDatabase, people: People) -> None:
    before = await stored(db, "updated_at", people["alice"])
    await db.as_user(people["alice"]).sql(
        "update app.profiles set full_name = 'Alice B.' where profile_id = $1", people["alice"]
    )
    after = await stored(db, "updated_at", people["alice"])
    assert after > before  # type: ignore[operator]
