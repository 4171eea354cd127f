"""The onboarding state is computed with definer rights (a cached plpgsql plan), so row-level security
does not guard it: private.caller_id() alone does. These tests prove that rule gives exactly what
row-level security would: for learners in every state, the state equals the same query run as the
learner under RLS, and no call can reach another learner's state.
"""

from __future__ import annotations

import uuid

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics
from tests.support.database import TestDatabase

COMPUTATION = "private.onboarding__state_of(uuid)"
UNDER_RLS = "private.onboarding__state_under_rls"


async def _rls_copy(db: TestDatabase) -> None:
    """The very same function text as an invoker function: what the query returns under the caller's RLS."""
    async with db.owner() as conn:
        definition: str = await conn.fetchval("select pg_catalog.pg_get_functiondef($1::regprocedure)", COMPUTATION)
        assert "SECURITY DEFINER" in definition
        copy = (
            definition.replace("private.onboarding__state_of(", f"{UNDER_RLS}(")
            .replace("onboarding__state_of.target", "onboarding__state_under_rls.target")
            .replace(" SECURITY DEFINER", "")
        )
        await conn.execute(copy)
        await conn.execute(f"grant execute on function {UNDER_RLS}(uuid) to authenticated")


async def _learners(db: TestDatabase) -> dict[str, uuid.UUID]:
    """Learners in each state a client can see: untouched, part-way, with and without situations,
    completed, and reset after completing."""
    role = await catalogue_role(db)
    people = {name: await create_user(db, name) for name in ("new", "one_step", "basics", "partners", "done", "reset")}
    assert (await db.as_user(people["one_step"]).rpc("set_industry", {"industry": "technology"})).ok
    for name in ("basics", "partners", "done", "reset"):
        await onboard_basics(db, people[name], role)
    for name in ("partners", "done", "reset"):
        client = db.as_user(people[name])
        assert (await client.rpc("set_communication_partners", {"partners": ["clients", "colleagues"]})).ok
    for name in ("done", "reset"):
        client = db.as_user(people[name])
        assert (await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"]})).ok
        assert (await client.rpc("complete_onboarding")).ok
    assert (await db.as_user(people["reset"]).rpc("reset_onboarding")).ok
    return people


async def test_the_state_is_what_row_level_security_would_return(db: TestDatabase) -> None:
    await _rls_copy(db)
    people = await _learners(db)
    statuses = set()
    for name, learner in people.items():
        client = db.as_user(learner)
        definer = await client.rpc("onboarding_state")
        assert definer.ok, (name, definer.body)
        under_rls = await client.sql(f"select {UNDER_RLS}($1) as state", learner)
        assert under_rls.ok, (name, under_rls.body)
        assert definer.body == under_rls.body[0]["state"], name
        assert definer.body["profile_id"] == str(learner)
        statuses.add(definer.body["status"])
    assert statuses == {"not_started", "in_progress", "completed"}  # the learners cover every status


async def test_no_call_reaches_another_learners_state(db: TestDatabase) -> None:
    people = await _learners(db)
    alice, bob = people["done"], people["partners"]
    client = db.as_user(alice)
    # The computation takes a target, so no API role may run it.
    for who in (client, db.as_service()):
        refused = await who.sql(f"select {COMPUTATION.split('(')[0]}($1) as state", bob)
        assert (refused.status, refused.code) == (403, "42501"), refused.body
    # The readers take no target: they answer with the caller's own state, whatever the caller sends.
    mine = await client.sql("select private.onboarding__state() as state")
    assert mine.body[0]["state"]["profile_id"] == str(alice)
    changed = await client.sql("select private.onboarding__changed_state() as state")
    assert changed.body[0]["state"]["profile_id"] == str(alice)
    # A broadcast state left in the transaction by someone else's change is not handed out.
    forged = await client.sql(
        "select set_config('fluentpro.onboarding_state', $1, true), private.onboarding__changed_state() as state",
        f'{{"profile_id": "{bob}", "status": "completed"}}',
    )
    assert forged.body[0]["state"]["profile_id"] == str(alice)
    assert forged.body[0]["state"]["communication_partners"] != []


async def test_callers_it_does_not_know_get_no_state(db: TestDatabase) -> None:
    people = await _learners(db)
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", people["done"])
    suspended = await db.as_user(people["done"]).sql("select private.onboarding__state() as state")
    assert (suspended.status, suspended.code) == (403, "auth.profile_suspended")
    nobody = await db.api.as_claims({"role": "authenticated"}).sql("select private.onboarding__state() as state")
    assert (nobody.status, nobody.code) == (401, "auth.not_signed_in")
