"""The identity RPCs: api.me, api.update_my_profile and the admin functions, with codes and statuses."""

from __future__ import annotations

import uuid

import pytest

from tests.support.database import TestDatabase
from tests.support.users import create_user

People = dict[str, uuid.UUID]


@pytest.fixture
async def people(db: TestDatabase) -> People:
    return {
        "alice": await create_user(db, "alice"),
        "bob": await create_user(db, "bob"),
        "admin": await create_user(db, "admin", roles=["admin"]),
    }


async def test_me_returns_own_profile_roles_and_permissions(db: TestDatabase, people: People) -> None:
    me = await db.as_user(people["admin"]).rpc("me")
    assert me.status == 200
    assert me.body["profile_id"] == str(people["admin"])
    assert me.body["email"] == "admin@example.com"
    assert me.body["roles"] == ["admin", "learner"]
    assert "users.manage" in me.body["permissions"]
    alice = await db.as_user(people["alice"]).rpc("me")
    assert alice.body["roles"] == ["learner"]
    assert alice.body["permissions"] == []


async def test_me_anon_is_401_and_unknown_subject_is_404(db: TestDatabase) -> None:
    anon = await db.as_anon().rpc("me")
    assert anon.status == 401
    assert anon.code == "42501"
    ghost = await db.as_user(uuid.uuid4()).rpc("me")
    assert ghost.status == 404
    assert ghost.code == "profile.not_found"


async def test_update_my_profile_changes_only_own_name(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["alice"]).rpc("update_my_profile", {"full_name": "  Alice Smith "})
    assert response.status == 200
    assert response.body["full_name"] == "Alice Smith"
    bob = await db.as_user(people["bob"]).rpc("me")
    assert bob.body["full_name"] == "Bob"


@pytest.mark.parametrize("name", ["", " ", "A", "x" * 101, None])
async def test_update_my_profile_rejects_bad_names(db: TestDatabase, people: People, name: str | None) -> None:
    response = await db.as_user(people["alice"]).rpc("update_my_profile", {"full_name": name})
    assert response.status == 422
    assert response.code == "profile.invalid_full_name"
    assert response.body["details"] == {"field": "full_name"}
    me = await db.as_user(people["alice"]).rpc("me")
    assert me.body["full_name"] == "Alice"


@pytest.mark.parametrize(
    ("rpc", "args"),
    [
        ("admin_list_users", {}),
        ("admin_set_user_roles", {"profile_id": "00000000-0000-0000-0000-000000000000", "roles": ["admin"]}),
        ("admin_set_user_status", {"profile_id": "00000000-0000-0000-0000-000000000000", "status": "active"}),
    ],
)
async def test_admin_rpcs_refuse_non_admins(db: TestDatabase, people: People, rpc: str, args: dict) -> None:
    response = await db.as_user(people["alice"]).rpc(rpc, args)
    assert response.status == 403
    assert response.code == "admin.forbidden"
    anon = await db.as_anon().rpc(rpc, args)
    assert anon.status == 401


async def test_user_cannot_grant_themselves_admin_through_the_rpc(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["alice"]).rpc(
        "admin_set_user_roles", {"profile_id": str(people["alice"]), "roles": ["admin"]}
    )
    assert response.status == 403
    me = await db.as_user(people["alice"]).rpc("me")
    assert me.body["roles"] == ["learner"]


async def test_admin_sets_roles_and_learner_stays(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    response = await admin.rpc(
        "admin_set_user_roles", {"profile_id": str(people["alice"]), "roles": ["job_role_reviewer"]}
    )
    assert response.status == 200
    assert response.body["roles"] == ["job_role_reviewer", "learner"]
    cleared = await admin.rpc("admin_set_user_roles", {"profile_id": str(people["alice"]), "roles": []})
    assert cleared.body["roles"] == ["learner"]
    me = await db.as_user(people["alice"]).rpc("me")
    assert me.body["roles"] == ["learner"]


@pytest.mark.parametrize(
    ("args", "status", "code"),
    [
        ({"roles": ["owner", "admin"]}, 422, "admin.unknown_role"),
        ({"roles": None}, 422, "admin.invalid_roles"),
        ({"profile_id": "00000000-0000-0000-0000-000000000000", "roles": []}, 404, "profile.not_found"),
        ({"profile_id": "not-a-uuid", "roles": []}, 400, "22P02"),
    ],
)
async def test_admin_set_roles_bad_input(db: TestDatabase, people: People, args: dict, status: int, code: str) -> None:
    body = {"profile_id": str(people["alice"]), **args}
    response = await db.as_user(people["admin"]).rpc("admin_set_user_roles", body)
    assert response.status == status
    assert response.code == code
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.profile_roles where profile_id = $1", people["alice"]) == 1


async def test_admin_set_roles_unknown_lists_them(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["admin"]).rpc(
        "admin_set_user_roles", {"profile_id": str(people["alice"]), "roles": ["owner", "admin"]}
    )
    assert response.body["details"]["unknown"] == ["owner"]


async def test_admin_cannot_demote_or_suspend_self(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    demote = await admin.rpc("admin_set_user_roles", {"profile_id": str(people["admin"]), "roles": []})
    assert demote.status == 409
    assert demote.code == "admin.cannot_demote_self"
    suspend = await admin.rpc("admin_set_user_status", {"profile_id": str(people["admin"]), "status": "suspended"})
    assert suspend.status == 409
    assert suspend.code == "admin.cannot_suspend_self"


async def test_admin_suspends_and_reactivates(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    response = await admin.rpc("admin_set_user_status", {"profile_id": str(people["bob"]), "status": "suspended"})
    assert response.status == 200
    suspended = await db.as_user(people["bob"]).rpc("me")  # every api function refuses a suspended caller
    assert (suspended.status, suspended.code) == (403, "auth.profile_suspended")
    bad = await admin.rpc("admin_set_user_status", {"profile_id": str(people["bob"]), "status": "banned"})
    assert bad.status == 422
    assert bad.code == "admin.invalid_status"
    back = await admin.rpc("admin_set_user_status", {"profile_id": str(people["bob"]), "status": "active"})
    assert back.status == 200
    assert (await db.as_user(people["bob"]).rpc("me")).body["status"] == "active"


async def test_private_set_status_refuses_non_admins(db: TestDatabase, people: People) -> None:
    response = await db.as_user(people["bob"]).sql("select private.set_profile_status($1, 'active')", people["bob"])
    assert response.status == 403
    assert response.code == "admin.forbidden"


async def test_admin_list_users_pages_through_everyone(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    seen: list[str] = []
    after = None
    for _ in range(5):
        args = {"page_size": 2} | ({"after_profile_id": after} if after else {})
        page = await admin.rpc("admin_list_users", args)
        assert page.status == 200
        assert len(page.body["items"]) <= 2
        seen += [item["profile_id"] for item in page.body["items"]]
        after = page.body["next_after_profile_id"]
        if after is None:
            break
    assert sorted(seen) == sorted(str(v) for v in people.values())
    assert len(seen) == len(set(seen))


async def test_admin_list_users_search_and_bad_paging(db: TestDatabase, people: People) -> None:
    admin = db.as_user(people["admin"])
    found = await admin.rpc("admin_list_users", {"search": "ALICE@"})
    assert [item["profile_id"] for item in found.body["items"]] == [str(people["alice"])]
    bad = await admin.rpc("admin_list_users", {"page_size": 0})
    assert bad.status == 422
    assert bad.code == "admin.invalid_page_size"
    cursor = await admin.rpc("admin_list_users", {"after_profile_id": str(uuid.uuid4())})
    assert cursor.status == 422
    assert cursor.code == "admin.invalid_cursor"
