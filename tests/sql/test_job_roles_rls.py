"""Row-level security of the catalogue tables, both sides: what a user may and may not do directly."""

from __future__ import annotations

import pytest

from tests.support.database import TestDatabase
from tests.support.users import create_user

INSERT = "insert into app.job_roles (title, description, source, status, created_by) values ('Kite Pilot', '', {})"


async def test_a_user_may_file_a_custom_role_only_as_themselves_and_only_for_review(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    own = await db.as_user(alice).sql(INSERT.format(f"'custom', 'pending_review', '{alice}'"))
    assert own.status == 204, own.body
    as_bob = await db.as_user(alice).sql(INSERT.format(f"'custom', 'pending_review', '{bob}'"))
    approved = await db.as_user(alice).sql(INSERT.format(f"'custom', 'approved', '{alice}'"))
    assert (as_bob.code, approved.code) == ("42501", "42501")
    assert (await db.as_anon().sql(INSERT.format(f"'custom', 'pending_review', '{alice}'"))).status == 401


@pytest.mark.parametrize(
    "statement",
    [
        "update app.job_roles set status = 'approved' where source = 'custom'",
        "update app.job_roles set title = 'Boss' where onet_code = '11-1011.00'",
        "delete from app.job_roles where onet_code = '11-1011.00'",
        "insert into app.job_role_alternate_titles (job_role_id, title) "
        "select job_role_id, 'CEO' from app.job_roles limit 1",
        "delete from app.job_role_industries",
    ],
)
async def test_users_cannot_change_the_catalogue_or_approve_themselves(db: TestDatabase, statement: str) -> None:
    alice = await create_user(db, "alice")
    await db.as_user(alice).sql(INSERT.format(f"'custom', 'pending_review', '{alice}'"))
    response = await db.as_user(alice).sql(statement)
    assert response.code == "42501" or response.body in ([], None)
    async with db.owner() as conn:
        assert await conn.fetchval("select status from app.job_roles where title = 'Kite Pilot'") == "pending_review"
        assert (
            await conn.fetchval("select title from app.job_roles where onet_code = '11-1011.00'") == "Chief Executives"
        )
        assert await conn.fetchval("select count(*) from app.job_role_industries") > 0


async def test_a_reviewer_may_update_custom_roles_but_not_the_catalogue(db: TestDatabase) -> None:
    rita = await create_user(db, "rita", roles=["job_role_reviewer"])
    alice = await create_user(db, "alice")
    await db.as_user(alice).sql(INSERT.format(f"'custom', 'pending_review', '{alice}'"))
    custom = await db.as_user(rita).sql("update app.job_roles set status = 'rejected' where source = 'custom'")
    assert custom.status == 204, custom.body
    catalogue = await db.as_user(rita).sql(
        "update app.job_roles set status = 'rejected' where onet_code = '11-1011.00'"
    )
    assert catalogue.status == 204
    async with db.owner() as conn:
        assert await conn.fetchval("select status from app.job_roles where title = 'Kite Pilot'") == "rejected"
        assert await conn.fetchval("select status from app.job_roles where onet_code = '11-1011.00'") == "active"
