"""Roles and permissions: the catalogue, grants of roles (admin only), and private.has_permission."""

from __future__ import annotations

import uuid

import pytest

from tests.support.database import TestDatabase
from tests.support.users import create_user

People = dict[str, uuid.UUID]
REVIEWER_ROW = "profile_id = $1 and role_id = 'job_role_reviewer'"


@pytest.fixture
async def people(db: TestDatabase) -> dict[str, uuid.UUID]:
    return {
        "alice": await create_user(db, "alice"),
        "bob": await create_user(db, "bob"),
        "admin": await create_user(db, "admin", roles=["admin"]),
        "reviewer": await create_user(db, "reviewer", roles=["job_role_reviewer"]),
    }


async def has_permission(db: TestDatabase, user: uuid.UUID, permission: str) -> bool:
    response = await db.as_user(user).sql("select private.has_permission($1) as ok", permission)
    assert response.status == 200
    return bool(response.body[0]["ok"])


async def test_everyone_is_a_learner(db: TestDatabase, people: People) -> None:
    async with db.owner() as conn:
        rows = await conn.fetch("select profile_id, role_id from app.profile_roles where role_id = 'learner'")
    assert {r["profile_id"] for r in rows} == set(people.values())


@pytest.mark.parametrize(
    ("who", "permission", "expected"),
    [
        ("admin", "users.manage", True),
        ("admin", "job_roles.review", True),
        ("admin", "jobs.view_all", True),
        ("reviewer", "job_roles.review", True),
        ("reviewer", "users.manage", False),
        ("alice", "users.manage", False),
        ("alice", "job_roles.review", False),
        ("admin", "no.such_permission", False),
    ],
)
async def test_has_permission_reads_the_tables(
    db: TestDatabase, people: People, who: str, permission: str, expected: bool
) -> None:
    assert await has_permission(db, people[who], permission) is expected


async def test_has_permission_is_fresh_after_revoke_and_suspend(db: TestDatabase, people: People) -> None:
    assert await has_permission(db, people["reviewer"], "job_roles.review")
    async with db.owner() as conn:
        await conn.execute(f"delete from app.profile_roles where {REVIEWER_ROW}", people["reviewer"])
    assert not await has_permission(db, people["reviewer"], "job_roles.review")
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", people["admin"])
    assert not await has_permission(db, people["admin"], "users.manage")


async def test_has_permission_ignores_role_claims_in_the_token(db: TestDatabase, people: People) -> None:
    client = db.as_user(people["alice"], app_roles=["admin"], user_role="admin")
    response = await client.sql("select private.has_permission('users.manage') as ok")
    assert response.body == [{"ok": False}]


async def test_anon_has_no_permission(db: TestDatabase) -> None:
    response = await db.as_anon().sql("select private.has_permission('users.manage') as ok")
    assert response.status == 200
    assert response.body == [{"ok": False}]


@pytest.mark.parametrize("table", ["app.roles", "app.permissions", "app.role_permissions"])
async def test_catalogue_readable_by_users_not_by_anon(db: TestDatabase, people: People, table: str) -> None:
    seen = await db.as_user(people["alice"]).sql(f"select * from {table}")
    assert seen.status == 200
    assert len(seen.body) >= 3
    anon = await db.as_anon().sql(f"select * from {table}")
    assert anon.status == 401
    assert anon.code == "42501"


@pytest.mark.parametrize("who", ["alice", "admin", None])
@pytest.mark.parametrize(
    "statement",
    [
        "insert into app.roles (role_id, description) values ('owner', 'x')",
        "update app.roles set description = 'x'",
        "delete from app.roles where role_id = 'job_role_reviewer'",
        "insert into app.permissions (permission_id, description) values ('x.y', 'x')",
        "update app.permissions set description = 'x'",
        "delete from app.permissions",
        "insert into app.role_permissions (role_id, permission_id) values ('learner', 'users.manage')",
        "update app.role_permissions set role_id = 'learner'",
        "delete from app.role_permissions",
    ],
)
async def test_catalogue_is_read_only_even_for_admins(
    db: TestDatabase, people: People, who: str | None, statement: str
) -> None:
    client = db.as_user(people[who]) if who else db.as_anon()
    response = await client.sql(statement)
    assert response.status == (403 if who else 401)
    assert response.code == "42501"


async def test_profile_roles_owner_sees_own_other_user_sees_nothing(db: TestDatabase, people: People) -> None:
    own = await db.as_user(people["reviewer"]).sql("select role_id from app.profile_roles order by role_id")
    assert own.body == [{"role_id": "job_role_reviewer"}, {"role_id": "learner"}]
    other = await db.as_user(people["alice"]).sql(
        "select role_id from app.profile_roles where profile_id = $1", people["reviewer"]
    )
    assert other.body == []
    admin = await db.as_user(people["admin"]).sql(
        "select role_id from app.profile_roles where profile_id = $1", people["reviewer"]
    )
    assert len(admin.body) == 2
    anon = await db.as_anon().sql("select * from app.profile_roles")
    assert anon.status == 401


async def test_user_cannot_grant_themselves_a_role(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["alice"]).sql(
        "insert into app.profile_roles (profile_id, role_id) values ($1, 'admin')", people["alice"]
    )
    assert response.status == 403
    assert response.code == "42501"
    assert not await has_permission(db, people["alice"], "users.manage")


async def test_admin_grants_and_revokes_roles(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    granted = await admin.sql(
        "insert into app.profile_roles (profile_id, role_id) values ($1, 'job_role_reviewer')",
        people["alice"],
    )
    assert granted.status == 204
    assert await has_permission(db, people["alice"], "job_roles.review")
    revoked = await admin.sql(f"delete from app.profile_roles where {REVIEWER_ROW}", people["alice"])
    assert revoked.status == 204
    assert not await has_permission(db, people["alice"], "job_roles.review")


async def test_user_cannot_drop_roles_of_others_or_themselves(db: TestDatabase, people: People) -> None:
    for target in ("reviewer", "alice"):
        response = await db.as_user(people["alice"]).sql(
            "delete from app.profile_roles where profile_id = $1", people[target]
        )
        assert response.status == 204
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.profile_roles") == 6


@pytest.mark.parametrize("who", ["alice", "admin"])
async def test_nobody_updates_profile_roles_in_place(db: TestDatabase, people: People, who: str) -> None:
    response = await db.as_user(people[who]).sql("update app.profile_roles set role_id = 'admin'")
    assert response.status == 403
    assert response.code == "42501"


async def test_anon_cannot_write_profile_roles(db: TestDatabase, people: People) -> None:
    insert = await db.as_anon().sql(
        "insert into app.profile_roles (profile_id, role_id) values ($1, 'admin')", people["alice"]
    )
    assert insert.status == 401
    delete = await db.as_anon().sql("delete from app.profile_roles")
    assert delete.status == 401
    assert delete.code == "42501"
