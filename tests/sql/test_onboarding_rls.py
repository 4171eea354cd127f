"""RLS matrix of every onboarding table: the owner, another user, an anonymous caller and an admin
against select, insert, update and delete, run as raw SQL under each role's claims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from tests.sql.test_onboarding_helpers import catalogue_role, create_user, onboard_basics, snapshot
from tests.support.database import TestDatabase

ALL = "all"  # select: every row of the target
CHANGED = "changed"  # a write went through
UNCHANGED = "unchanged"  # a write matched no row (RLS hid them) and changed nothing
DENIED = (403, "42501")
ANON = (401, "42501")

PARTNER = "(select communication_partner_id from app.communication_partners where slug = '{slug}')"
SITUATION = "(select situation_id from app.situations where slug = '{slug}')"

STATEMENTS: dict[str, dict[str, str]] = {
    "onboardings": {
        "select": "select profile_id from app.onboardings where profile_id = '{t}'",
        "insert": "insert into app.onboardings (profile_id) values ('{t}')",
        "update": "update app.onboardings set version = version + 1 where profile_id = '{t}'",
        "delete": "delete from app.onboardings where profile_id = '{t}'",
    },
    "onboarding_partners": {
        "select": "select profile_id from app.onboarding_partners where profile_id = '{t}'",
        "insert": "insert into app.onboarding_partners (profile_id, communication_partner_id, priority) "
        f"values ('{{t}}', {PARTNER.format(slug='suppliers')}, 9)",
        "update": "update app.onboarding_partners set priority = priority + 10 where profile_id = '{t}'",
        "delete": "delete from app.onboarding_partners where profile_id = '{t}'",
    },
    "onboarding_partner_situations": {
        "select": "select profile_id from app.onboarding_partner_situations where profile_id = '{t}'",
        "insert": "insert into app.onboarding_partner_situations "
        "(profile_id, communication_partner_id, situation_id, priority) "
        f"values ('{{t}}', {PARTNER.format(slug='clients')}, {SITUATION.format(slug='phone_calls')}, 9)",
        "update": "update app.onboarding_partner_situations set priority = priority + 10 where profile_id = '{t}'",
        "delete": "delete from app.onboarding_partner_situations where profile_id = '{t}'",
    },
    "onboarding_steps": {
        "select": "select profile_id from app.onboarding_steps where profile_id = '{t}'",
        "insert": "insert into app.onboarding_steps (profile_id, step) values ('{t}', 'industry')",
        "update": "update app.onboarding_steps set step = 'reset' where profile_id = '{t}'",
        "delete": "delete from app.onboarding_steps where profile_id = '{t}'",
    },
}

# table -> operation -> actor -> expected: ALL rows, a row count, or (status, code).
WRITABLE = {
    "select": {"owner": ALL, "other": 0, "anon": ANON, "admin": ALL},
    "insert": {"owner": CHANGED, "other": DENIED, "anon": ANON, "admin": DENIED},
    "update": {"owner": CHANGED, "other": UNCHANGED, "anon": ANON, "admin": UNCHANGED},
    "delete": {"owner": CHANGED, "other": UNCHANGED, "anon": ANON, "admin": UNCHANGED},
}
APPEND_ONLY = {
    "select": WRITABLE["select"],
    "insert": WRITABLE["insert"],
    "update": {"owner": DENIED, "other": DENIED, "anon": ANON, "admin": DENIED},
    "delete": {"owner": DENIED, "other": DENIED, "anon": ANON, "admin": DENIED},
}
EXPECTED = {
    "onboardings": WRITABLE,
    "onboarding_partners": WRITABLE,
    "onboarding_partner_situations": WRITABLE,
    "onboarding_steps": APPEND_ONLY,
}
CASES = [(table, op, actor) for table, ops in EXPECTED.items() for op, actors in ops.items() for actor in actors]


@dataclass
class People:
    alice: uuid.UUID  # has a full onboarding: the target of select, update and delete
    erin: uuid.UUID  # has an onboarding row and the partner clients, nothing else: the target of inserts
    frank: uuid.UUID  # has not started: the target of inserts into app.onboardings
    bob: uuid.UUID
    admin: uuid.UUID


@pytest.fixture
async def people(db: TestDatabase) -> People:
    alice = await create_user(db, "alice")
    erin = await create_user(db, "erin")
    frank = await create_user(db, "frank")
    bob = await create_user(db, "bob")
    admin = await create_user(db, "admin", roles=["admin"])
    await onboard_basics(db, alice, await catalogue_role(db))
    client = db.as_user(alice)
    assert (await client.rpc("set_communication_partners", {"partners": ["clients", "colleagues"]})).ok
    assert (await client.rpc("set_partner_situations", {"partner": "clients", "situations": ["meetings"]})).ok
    async with db.owner() as conn:
        await conn.execute("insert into app.onboardings (profile_id) values ($1)", erin)
        await conn.execute(
            f"insert into app.onboarding_partners (profile_id, communication_partner_id, priority) "
            f"values ($1, {PARTNER.format(slug='clients')}, 1)",
            erin,
        )
    return People(alice=alice, erin=erin, frank=frank, bob=bob, admin=admin)


@pytest.mark.parametrize(("table", "op", "actor"), CASES)
async def test_rls_matrix(db: TestDatabase, people: People, table: str, op: str, actor: str) -> None:
    target = people.alice
    if op == "insert":
        target = people.frank if table == "onboardings" else people.erin
    owner = target
    clients = {
        "owner": db.as_user(owner),
        "other": db.as_user(people.bob),
        "anon": db.as_anon(),
        "admin": db.as_user(people.admin),
    }
    async with db.owner() as conn:
        existing = await conn.fetchval(f"select count(*) from app.{table} where profile_id = $1", target)
    assert existing > 0 or op == "insert"  # the matrix must have rows to see, change or delete
    expected = EXPECTED[table][op][actor]
    before = await snapshot(db)

    response = await clients[actor].sql(STATEMENTS[table][op].format(t=target))

    if isinstance(expected, tuple):
        assert (response.status, response.code) == expected, response.body
        assert await snapshot(db) == before
    elif op == "select":
        assert response.status == 200, response.body
        assert len(response.body) == (existing if expected == ALL else expected)
    else:  # RETURNING cannot pass through the emulation's sql(): compare the tables instead
        assert response.status == 204, response.body
        assert (await snapshot(db) != before) == (expected == CHANGED)
