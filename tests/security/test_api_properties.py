"""Property: whatever a signed-in user sends to any api function, the answer is a success or one
of the declared error codes (never a 5xx, never an undeclared code), and an error writes nothing.

The functions are discovered from the database, so every new api function is covered the day it lands.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings

from core.db.connect import connect_as_owner
from localapi.rest.emulator import PostgrestEmulator
from localapi.rest.routines import RoutineInfo
from tests.foundation.test_error_catalogue import catalogued
from tests.support.database import TestDatabase
from tests.support.users import create_user

from .api_fuzz import arguments

# PostgreSQL's own answers that are right for bad input (docs/error_codes.md, "Standard SQLSTATEs").
STANDARD_CODES = frozenset(
    {
        "22P02",  # invalid text representation (a word where a number or uuid belongs)
        "22P05",  # untranslatable character (\u0000 in JSON text)
        "22021",  # invalid byte sequence
        "22003",  # numeric value out of range
        "22023",  # invalid parameter value
        "22007",  # invalid datetime format
        "22008",  # datetime field overflow
        "2202E",  # array subscript error
        "22004",  # null value not allowed
        "23502",  # not-null violation
        "23503",  # foreign key violation
        "23505",  # unique violation
        "23514",  # check violation
        "42501",  # insufficient privilege
        "PGRST202",  # no such function for these arguments
    }
)
EXAMPLES_PER_FUNCTION = 30

# "An error writes nothing", checked through transaction ids, cheaply: every transaction that
# writes gets one. If no transaction committed between two probes of ours, nothing was written.
# Transaction ids are cluster-wide, so other databases' commits (or autovacuum's) can fall in
# between; then every row of our tables whose xmin lies in that range is looked for. (Hashing every
# table instead costs seconds per call once the catalogue and its search index are loaded.)
XACT_PROBE = "select pg_current_xact_id()::text::bigint"
COMMITTED_BETWEEN = """
select count(*) from generate_series($1::bigint + 1, $2::bigint - 1) as x
where pg_xact_status(x::text::xid8) = 'committed'
"""
OUR_TABLES = """
select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname in ('app', 'private') and c.relkind = 'r'
"""


async def rows_written_between(owner: asyncpg.Connection, before: int, after: int) -> list[str]:
    if await owner.fetchval(COMMITTED_BETWEEN, before, after) == 0:
        return []
    written = []
    for (table,) in await owner.fetch(OUR_TABLES):
        if await owner.fetchval(
            f"select exists (select from {table} where xmin::text::bigint > $1 and xmin::text::bigint < $2)",
            before,
            after,
        ):
            written.append(table)
    return written


def check(info: RoutineInfo, api: PostgrestEmulator, client_claims: dict[str, Any], allowed: frozenset[str]) -> None:
    """Run the property for one function on a loop of its own (Hypothesis drives synchronous code)."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(api.start())
        owner = loop.run_until_complete(connect_as_owner(api.dsn))

        @settings(
            max_examples=EXAMPLES_PER_FUNCTION,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(arguments(info))
        def one_call(args: dict[str, Any]) -> None:
            loop.run_until_complete(_call(api, owner, info, args, client_claims, allowed))

        try:
            one_call()
        finally:
            loop.run_until_complete(owner.close())
    finally:
        loop.run_until_complete(api.close())
        loop.close()


async def _call(
    api: PostgrestEmulator,
    owner: asyncpg.Connection,
    info: RoutineInfo,
    args: dict[str, Any],
    claims: dict[str, Any],
    allowed: frozenset[str],
) -> None:
    before = await owner.fetchval(XACT_PROBE)
    response = await api.as_claims(claims).rpc(info.name, args)
    assert response.status < 500, f"api.{info.name}({args!r}) -> {response.status} {response.body}"
    if response.ok:
        return
    assert response.code in allowed, f"api.{info.name}({args!r}) -> undeclared code {response.code}: {response.body}"
    written = await rows_written_between(owner, before, await owner.fetchval(XACT_PROBE))
    assert not written, f"api.{info.name}({args!r}) failed but wrote to {written}"


@pytest.fixture
async def fuzz_target(db: TestDatabase) -> tuple[TestDatabase, dict[str, Any]]:
    alice = await create_user(db, "alice")
    claims = dict(db.as_user(alice).claims or {})
    return db, claims


def test_every_api_function_answers_only_declared_codes(fuzz_target: tuple[TestDatabase, dict[str, Any]]) -> None:
    db, claims = fuzz_target
    allowed = STANDARD_CODES | catalogued()
    probe = PostgrestEmulator(db.url)
    asyncio.run(_load_routines(probe))
    routines = [info for infos in probe.routines.values() for info in infos]
    assert routines, "no api functions found"
    for info in sorted(routines, key=lambda r: r.name):
        check(info, PostgrestEmulator(db.url), claims, allowed)


async def _load_routines(api: PostgrestEmulator) -> None:
    await api.start()
    await api.close()


def test_the_property_catches_an_undeclared_failure(fuzz_target: tuple[TestDatabase, dict[str, Any]]) -> None:
    """Negative control: a function that fails with a 5xx must make the property fail."""
    db, claims = fuzz_target

    async def plant() -> None:
        conn = await connect_as_owner(db.url)
        await conn.execute(
            "create function api.fuzz_probe(t text) returns int language sql as $$ select 1 / length(t) $$; "
            "grant execute on function api.fuzz_probe(text) to authenticated"
        )
        await conn.close()

    asyncio.run(plant())
    probe = PostgrestEmulator(db.url)
    asyncio.run(_load_routines(probe))
    info = probe.routines["fuzz_probe"][0]
    with pytest.raises(AssertionError, match="fuzz_probe"):
        check(info, PostgrestEmulator(db.url), claims, STANDARD_CODES)
