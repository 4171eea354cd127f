"""Advisory locks come from one registry (supabase/functions_sql/locks/lock_space.sql): every call, in SQL
or Python, takes the two-key form with `private.lock_space('<name>')` first, each name is registered,
and no two spaces share a number. A literal key elsewhere could silently collide with another feature's."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import pytest

from core.db.migrator import PROJECT_ROOT
from tests.support.database import TestDatabase

REGISTRY = PROJECT_ROOT / "supabase" / "functions_sql" / "locks" / "lock_space.sql"
SOURCES = ("supabase", "core", "jobs", "sidecar", "fluentpro", "localapi", "tests", "bench")
# pg_advisory_lock, pg_try_advisory_xact_lock_shared, pg_advisory_unlock, ... and what follows the paren.
LOCK_CALL = re.compile(r"pg_(?:try_)?advisory_(?:xact_)?(?:un)?lock(?:_shared)?\(\s*([^\n]*)")
FIRST_KEY = re.compile(r"(?:private\.lock_space\('([a-z_]+)'\)|\{POLLING_LOCK\})")
REGISTERED = re.compile(r"when '([a-z_]+)' then return (\d+);")
SCANNED_SUFFIXES = (".sql", ".py")


def registry() -> dict[str, int]:
    return {name: int(number) for name, number in REGISTERED.findall(REGISTRY.read_text(encoding="utf-8"))}


def lock_calls() -> list[tuple[str, str]]:
    """(file, the text after the call's parenthesis) of every advisory-lock call in the project's code."""
    calls = []
    for folder in SOURCES:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix not in SCANNED_SUFFIXES or "node_modules" in path.parts or path == Path(__file__):
                continue
            for match in LOCK_CALL.finditer(path.read_text(encoding="utf-8")):
                calls.append((path.relative_to(PROJECT_ROOT).as_posix(), match.group(1)))
    return calls


def test_the_registry_numbers_each_space_once() -> None:
    spaces = registry()
    assert {"job_outbox", "ai_charge", "dev_idp_ddl"} <= set(spaces)
    assert len(set(spaces.values())) == len(spaces), spaces


def test_every_advisory_lock_takes_its_first_key_from_the_registry() -> None:
    calls = lock_calls()
    assert len(calls) >= 7, calls  # enqueue_job (3), ai_charge, the relay (2), the dev identity provider
    wrong = [(path, text) for path, text in calls if not FIRST_KEY.match(text)]
    assert not wrong, f"take advisory locks as (private.lock_space('<name>'), key): {wrong}"
    unknown = {m.group(1) for _, text in calls if (m := FIRST_KEY.match(text)) and m.group(1)} - set(registry())
    assert not unknown, f"register these lock spaces in {REGISTRY.name}: {sorted(unknown)}"


def test_a_literal_key_is_caught() -> None:
    planted = "select pg_catalog.pg_advisory_xact_lock(hashtext('mine'))"
    (match,) = LOCK_CALL.finditer(planted)
    assert not FIRST_KEY.match(match.group(1))


async def test_an_unknown_space_is_an_error_not_a_null_key(db: TestDatabase) -> None:
    async with db.owner() as conn:
        assert await conn.fetchval("select private.lock_space('job_outbox')") == registry()["job_outbox"]
        with pytest.raises(asyncpg.InvalidParameterValueError, match="no advisory-lock space"):
            await conn.fetchval("select private.lock_space('nobody.registered_this')")
