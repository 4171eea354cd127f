"""The schema passes every audit check, and each check fails when its rule is broken on purpose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from tests.support.database import TestDatabase

from . import schema_audit as audit

Check = Callable[[asyncpg.Connection], Awaitable[list[str]]]


async def anon_check(conn: asyncpg.Connection) -> list[str]:
    return await audit.api_functions_open_to_anon(conn, audit.ANON_CALLABLE_API_FUNCTIONS)


CHECKS: dict[str, Check] = {
    "tables_without_rls": audit.tables_without_rls,
    "policies_without_role": audit.policies_without_role,
    "unwrapped_auth_calls_in_policies": audit.unwrapped_auth_calls_in_policies,
    "unsafe_security_definer_functions": audit.unsafe_security_definer_functions,
    "api_functions_open_to_anon": anon_check,
    "api_views_without_security_invoker": audit.api_views_without_security_invoker,
    "policy_columns_without_index": audit.policy_columns_without_index,
}

# One deliberate violation per check, applied to a throw-away copy of the real schema.
VIOLATIONS: dict[str, str] = {
    "tables_without_rls": "create table app.audit_probe (id int primary key)",
    "policies_without_role": """
        create table app.audit_probe (id int primary key, owner uuid);
        create index on app.audit_probe (owner);
        alter table app.audit_probe enable row level security;
        create policy select_all on app.audit_probe for select using (owner = (select auth.uid()))""",
    "unwrapped_auth_calls_in_policies": """
        create table app.audit_probe (id int primary key, owner uuid);
        create index on app.audit_probe (owner);
        alter table app.audit_probe enable row level security;
        create policy select_own on app.audit_probe for select to authenticated using (owner = auth.uid())""",
    "unsafe_security_definer_functions": """
        create function private.audit_probe() returns int language sql security definer as $$ select 1 $$""",
    "api_functions_open_to_anon": """
        create function api.audit_probe() returns int language sql as $$ select 1 $$;
        grant execute on function api.audit_probe() to anon""",
    "api_views_without_security_invoker": "create view api.audit_probe as select 1 as one",
    "policy_columns_without_index": """
        create table app.audit_probe (id int primary key, owner uuid);
        alter table app.audit_probe enable row level security;
        create policy select_own on app.audit_probe for select to authenticated
        using (owner = (select auth.uid()))""",
}


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_schema_passes(db: TestDatabase, name: str) -> None:
    async with db.owner() as conn:
        assert await CHECKS[name](conn) == []


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_check_catches_a_deliberate_violation(db: TestDatabase, name: str) -> None:
    async with db.owner() as conn:
        await conn.execute(VIOLATIONS[name])
        findings = await CHECKS[name](conn)
    assert any("audit_probe" in finding for finding in findings), findings


async def test_wrapped_calls_with_casts_and_operators_pass(db: TestDatabase) -> None:
    async with db.owner() as conn:
        await conn.execute(
            """
            create table app.audit_probe (id int primary key, owner uuid, topic text);
            create index on app.audit_probe (owner);
            create index on app.audit_probe (topic);
            alter table app.audit_probe enable row level security;
            create policy select_own on app.audit_probe for select to authenticated
            using (owner = (select auth.uid()) and topic = (select auth.jwt() ->> 'topic'))
            """
        )
        assert await audit.unwrapped_auth_calls_in_policies(conn) == []
