"""Every api function asks private.caller_id() who is calling, first: a token without a subject gets
auth.not_signed_in (401), a subject without a profile profile.not_found (404), a suspended user
auth.profile_suspended (403), whatever the arguments, and nothing is written.

The functions are read from pg_proc, so a new api function is covered the day it lands.
"""

from __future__ import annotations

import uuid

import pytest

from tests.sql.test_onboarding_helpers import create_user, snapshot
from tests.support.database import TestDatabase

# Functions that answer anyone, with the reason. Everything else must refuse an unknown caller.
OPEN_TO_EVERY_CALLER = {
    "job_roles_attribution": "static licence text O*NET's CC BY 4.0 asks us to show wherever roles are shown",
}

API_FUNCTIONS = """
select p.proname as name, coalesce(p.proargnames[1:p.pronargs], '{}') as arguments
from pg_catalog.pg_proc as p
where p.pronamespace = 'api'::regnamespace
order by p.proname
"""


async def _api_functions(db: TestDatabase) -> list[tuple[str, list[str]]]:
    async with db.owner() as conn:
        return [(row["name"], list(row["arguments"])) for row in await conn.fetch(API_FUNCTIONS)]


async def test_every_api_function_refuses_callers_it_does_not_know(db: TestDatabase) -> None:
    carol = await create_user(db, "carol")
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", carol)
    callers = {
        "no subject": (db.api.as_claims({"role": "authenticated"}), 401, "auth.not_signed_in"),
        "no profile": (db.as_user(uuid.uuid4()), 404, "profile.not_found"),
        "suspended": (db.as_user(carol), 403, "auth.profile_suspended"),
    }
    functions = await _api_functions(db)
    assert len(functions) > 20, functions  # the discovery found the api
    before = await snapshot(db)
    wrong = []
    for name, arguments in functions:
        if name in OPEN_TO_EVERY_CALLER:
            continue
        args = dict.fromkeys(arguments)  # every argument null: the caller is refused before any is read
        for who, (client, status, code) in callers.items():
            response = await client.rpc(name, args)
            if (response.status, response.code) != (status, code):
                wrong.append(f"api.{name} as {who}: {response.status} {response.code}")
    assert wrong == []
    assert await snapshot(db) == before


async def test_the_open_functions_exist(db: TestDatabase) -> None:
    assert set(OPEN_TO_EVERY_CALLER) <= {name for name, _ in await _api_functions(db)}


@pytest.mark.parametrize("name", sorted(OPEN_TO_EVERY_CALLER))
async def test_open_functions_read_nothing_of_the_caller(db: TestDatabase, name: str) -> None:
    """An exemption is safe only for a function that touches no table: it has nothing to hide."""
    async with db.owner() as conn:
        body = await conn.fetchval(
            "select p.prosrc from pg_catalog.pg_proc as p where p.pronamespace = 'api'::regnamespace "
            "and p.proname = $1",
            name,
        )
    assert " app." not in body and "private." not in body and "auth." not in body
