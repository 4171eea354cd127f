"""The onboarding bugs of the backend this one replaces ("FA" below): a status never written, completion
undone by a later step, validation errors answered as 500, orphaned and duplicate selections, a reset
anyone could run, languages listed but refused; one test each, replayed through the PostgREST emulation."""

from __future__ import annotations

import uuid

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics, snapshot
from tests.support.database import TestDatabase


async def test_status_is_written_and_read_back(db: TestDatabase) -> None:
    """FA never wrote users.onboarding_status, so the summary's is_complete stayed false."""
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    assert (await client.rpc("onboarding_state")).body["status"] == "in_progress"
    await client.rpc("complete_onboarding")
    summary = (await client.rpc("onboarding_summary")).body
    assert (summary["state"]["status"], summary["state"]["is_complete"]) == ("completed", True)


async def test_a_later_action_does_not_reset_completion(db: TestDatabase) -> None:
    """FA recomputed `completed` on every action, so any step after completion flipped it to false."""
    alice = await create_user(db, "alice")
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    await client.rpc("complete_onboarding")
    await client.rpc("set_communication_partners", {"partners": ["suppliers"]})
    state = (await client.rpc("set_native_language", {"native_language": "english"})).body
    assert (state["status"], state["is_complete"]) == ("completed", True)


async def test_validation_errors_are_client_errors_not_500(db: TestDatabase) -> None:
    """FA answered invalid situations, unknown partners and a missing industry with 500."""
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients"]})
    responses = [
        await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["nope"]}),
        await client.rpc("set_partner_situations", {"partner": "nope", "situations": ["meetings"]}),
        await client.rpc("select_job_role", {"job_role_id": str(uuid.uuid4())}),
        await client.rpc("submit_custom_job_role", {"title": "", "description": ""}),
        await client.rpc("onboarding_summary"),  # FA: 500 before step 1
    ]
    assert [r.status for r in responses] == [422, 422, 404, 422, 200]


async def test_situations_of_removed_partners_are_not_left_behind(db: TestDatabase) -> None:
    """FA replaced the partner list but kept the old partners' situation rows (orphans)."""
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients", "suppliers"]})
    await client.rpc("set_partner_situations", {"partner": "suppliers", "situations": ["negotiations"]})
    await client.rpc("set_communication_partners", {"partners": ["clients"]})
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.onboarding_partner_situations") == 0
    orphan = await db.as_user(alice).sql(
        "insert into app.onboarding_partner_situations (profile_id, communication_partner_id, situation_id, priority) "
        f"select '{alice}', communication_partner_id, (select situation_id from app.situations "
        "where slug = 'meetings'), 1 from app.communication_partners where slug = 'suppliers'"
    )
    assert (orphan.status, orphan.code) == (409, "23503")  # even a direct write cannot create one


async def test_duplicates_are_refused(db: TestDatabase) -> None:
    """FA inserted duplicate partner ids as two rows."""
    alice = await create_user(db, "alice")
    client = db.as_user(alice)
    await client.rpc("set_communication_partners", {"partners": ["clients"]})
    before = await snapshot(db)
    partners = await client.rpc("set_communication_partners", {"partners": ["colleagues", "colleagues"]})
    situations = await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"] * 2})
    assert (partners.code, situations.code) == ("onboarding.duplicate_partners", "onboarding.duplicate_situations")
    assert await snapshot(db) == before
    direct = await client.sql(
        "insert into app.onboarding_partners (profile_id, communication_partner_id, priority) "
        f"select '{alice}', communication_partner_id, 2 from app.communication_partners where slug = 'clients'"
    )
    assert (direct.status, direct.code) == (409, "23505")


async def test_situations_need_the_partner_to_be_chosen(db: TestDatabase) -> None:
    """FA's select-situations did not check that the partner was one of the user's."""
    alice = await create_user(db, "alice")
    response = await db.as_user(alice).rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"]})
    assert (response.status, response.code) == (409, "onboarding.partner_not_selected")


async def test_reset_needs_the_permission_for_someone_else(db: TestDatabase) -> None:
    """FA's progress reset had no authorization at all."""
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    await db.as_user(alice).rpc("set_industry", {"industry": "technology"})
    response = await db.as_user(bob).rpc("reset_onboarding", {"profile_id": str(alice)})
    assert (response.status, response.code) == (403, "onboarding.reset_forbidden")


async def test_every_ios_language_is_listed_and_unavailable_ones_are_refused_clearly(db: TestDatabase) -> None:
    """The iOS app offered 12 languages and the backend accepted 3: most choices failed obscurely."""
    alice = await create_user(db, "alice")
    response = await db.as_user(alice).rpc("set_native_language", {"native_language": "japanese"})
    assert (response.status, response.code) == (422, "onboarding.native_language_unavailable")
