"""Every bad onboarding input gets its stable code and HTTP status (never a 500), and writes nothing:
no choice, no history row, no Realtime message, no job."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics, snapshot
from tests.support.database import TestDatabase

RANDOM_ID = "5b0f0b8e-8d0c-4c4e-9a53-3c1d2f0e7a11"

BAD_CALLS: list[tuple[str, dict[str, Any], int, str, Any]] = [
    ("set_native_language", {"native_language": "klingon"}, 422, "onboarding.unknown_native_language",
     {"unknown": ["klingon"]}),
    ("set_native_language", {"native_language": "spanish"}, 422, "onboarding.native_language_unavailable",
     {"native_language": "spanish"}),
    ("set_native_language", {"native_language": None}, 400, "onboarding.invalid_argument",
     {"argument": "native_language"}),
    ("set_industry", {"industry": "Banking & Finance"}, 422, "onboarding.unknown_industry",
     {"unknown": ["Banking & Finance"]}),
    ("set_industry", {"industry": None}, 400, "onboarding.invalid_argument", {"argument": "industry"}),
    ("select_job_role", {"job_role_id": RANDOM_ID}, 404, "onboarding.job_role_not_found", {"job_role_id": RANDOM_ID}),
    ("select_job_role", {"job_role_id": "not-a-uuid"}, 400, "22P02", None),
    ("select_job_role", {"job_role_id": None}, 400, "onboarding.invalid_argument", {"argument": "job_role_id"}),
    ("submit_custom_job_role", {"title": "A", "description": "Balances the books."}, 422,
     "onboarding.invalid_custom_job_role", {"errors": [{"field": "title", "message": "must be 2 to 200 characters"}]}),
    ("submit_custom_job_role", {"title": "x" * 201, "description": "short"}, 422, "onboarding.invalid_custom_job_role",
     {"errors": [{"field": "title", "message": "must be 2 to 200 characters"},
                 {"field": "description", "message": "must be 10 to 1000 characters"}]}),
    ("submit_custom_job_role", {"title": "   ", "description": "y" * 1001}, 422, "onboarding.invalid_custom_job_role",
     {"errors": [{"field": "title", "message": "must be 2 to 200 characters"},
                 {"field": "description", "message": "must be 10 to 1000 characters"}]}),
    ("submit_custom_job_role", {"title": None, "description": None}, 422, "onboarding.invalid_custom_job_role",
     {"errors": [{"field": "title", "message": "must be 2 to 200 characters"},
                 {"field": "description", "message": "must be 10 to 1000 characters"}]}),
    ("set_communication_partners", {"partners": []}, 422, "onboarding.no_partners", None),
    ("set_communication_partners", {"partners": None}, 422, "onboarding.no_partners", None),
    ("set_communication_partners", {"partners": ["clients", "suppliers", "clients"]}, 422,
     "onboarding.duplicate_partners", {"duplicates": ["clients"]}),
    ("set_communication_partners", {"partners": ["clients", "aliens", "Clients"]}, 422, "onboarding.unknown_partners",
     {"unknown": ["aliens", "Clients"]}),
    ("set_communication_partners", {"partners": ["clients", None]}, 400, "onboarding.invalid_argument",
     {"argument": "partners"}),
    ("set_communication_partners", {"partners": "clients"}, 400, "22P02", None),
    ("set_partner_situations", {"partner": "suppliers", "situations": ["meetings"]}, 409,
     "onboarding.partner_not_selected", {"partner": "suppliers"}),
    ("set_partner_situations", {"partner": "aliens", "situations": ["meetings"]}, 422, "onboarding.unknown_partners",
     {"unknown": ["aliens"]}),
    ("set_partner_situations", {"partner": None, "situations": ["meetings"]}, 400, "onboarding.invalid_argument",
     {"argument": "partners"}),
    ("set_partner_situations", {"partner": "clients", "situations": []}, 422, "onboarding.no_situations", None),
    ("set_partner_situations", {"partner": "clients", "situations": ["meetings", "meetings"]}, 422,
     "onboarding.duplicate_situations", {"duplicates": ["meetings"]}),
    ("set_partner_situations", {"partner": "clients", "situations": ["meetings", "karaoke", "dancing"]}, 422,
     "onboarding.unknown_situations", {"unknown": ["karaoke", "dancing"]}),
    ("reset_onboarding", {"profile_id": RANDOM_ID}, 403, "onboarding.reset_forbidden", None),
]  # fmt: skip


@pytest.fixture
async def alice(db: TestDatabase) -> uuid.UUID:
    """Alice has chosen everything and has partners with situations: there is something to damage."""
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    assert (await client.rpc("set_communication_partners", {"partners": ["clients", "colleagues"]})).ok
    assert (await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"]})).ok
    return alice


@pytest.mark.parametrize(("name", "args", "status", "code", "details"), BAD_CALLS)
async def test_bad_input_is_refused_with_its_code_and_writes_nothing(
    db: TestDatabase, alice: uuid.UUID, name: str, args: dict[str, Any], status: int, code: str, details: Any
) -> None:
    before = await snapshot(db)
    response = await db.as_user(alice).rpc(name, args)
    assert (response.status, response.code) == (status, code), response.body
    if code.startswith("onboarding."):
        assert response.body["details"] == details
    assert await snapshot(db) == before


async def test_incomplete_onboarding_cannot_complete(db: TestDatabase) -> None:
    bob = await create_user(db, "bob")
    client = db.as_user(bob)
    response = await client.rpc("complete_onboarding")
    assert (response.status, response.code) == (409, "onboarding.incomplete")
    assert response.body["details"] == {"missing": ["native_language", "industry", "job_role"]}
    await client.rpc("set_industry", {"industry": "real_estate"})
    before = await snapshot(db)
    response = await client.rpc("complete_onboarding")
    assert response.body["details"] == {"missing": ["native_language", "job_role"]}
    assert await snapshot(db) == before


async def test_other_users_private_roles_and_unselectable_roles(db: TestDatabase, alice: uuid.UUID) -> None:
    bob = await create_user(db, "bob")
    bobs_role = (
        await db.as_user(bob).rpc(
            "submit_custom_job_role", {"title": "Ship Chandler", "description": "Supplies ships in port."}
        )
    ).body["job_role"]["job_role_id"]
    rejected = await catalogue_role(
        db, "Rejected Role", source="custom", status="rejected", onet_code=None, created_by=alice
    )
    before = await snapshot(db)
    hidden = await db.as_user(alice).rpc("select_job_role", {"job_role_id": bobs_role})
    assert (hidden.status, hidden.code) == (404, "onboarding.job_role_not_found")  # never reveal it exists
    refused = await db.as_user(alice).rpc("select_job_role", {"job_role_id": str(rejected)})
    assert (refused.status, refused.code) == (422, "onboarding.job_role_not_selectable")
    assert refused.body["details"] == {"job_role_id": str(rejected), "status": "rejected"}
    direct = await db.as_user(alice).sql(f"update app.onboardings set job_role_id = '{bobs_role}'")
    assert (direct.status, direct.code) == (422, "onboarding.job_role_not_selectable")
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("onboarding_state", {}),
        ("onboarding_summary", {}),
        ("set_native_language", {"native_language": "english"}),
        ("set_industry", {"industry": "technology"}),
        ("select_job_role", {"job_role_id": RANDOM_ID}),
        ("submit_custom_job_role", {"title": "Night Auditor", "description": "Balances the books at night."}),
        ("set_communication_partners", {"partners": ["clients"]}),
        ("set_partner_situations", {"partner": "clients", "situations": ["meetings"]}),
        ("complete_onboarding", {}),
        ("reset_onboarding", {}),
    ],
)
async def test_callers_without_an_active_profile_are_refused_first(
    db: TestDatabase, name: str, args: dict[str, Any]
) -> None:
    anon = await db.as_anon().rpc(name, args)
    assert (anon.status, anon.code) == (401, "42501")
    stranger = await db.as_user(uuid.uuid4()).rpc(name, args)
    assert (stranger.status, stranger.code) == (404, "profile.not_found")
    no_subject = await db.api.as_claims({"role": "authenticated"}).rpc(name, args)
    assert (no_subject.status, no_subject.code) == (401, "auth.not_signed_in")
    carol = await create_user(db, "carol")
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", carol)
    before = await snapshot(db)
    suspended = await db.as_user(carol).rpc(name, args)
    assert (suspended.status, suspended.code) == (403, "auth.profile_suspended")
    assert await snapshot(db) == before


async def test_authorization_is_checked_before_arguments(db: TestDatabase) -> None:
    response = await db.as_user(uuid.uuid4()).rpc("set_communication_partners", {"partners": ["aliens"]})
    assert response.code == "profile.not_found"
