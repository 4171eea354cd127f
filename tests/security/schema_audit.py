"""Catalog checks in the spirit of Supabase's database linter (splinter), written for our schemas.

Each check returns its findings as readable strings; an empty list means the schema passes.
"""

from __future__ import annotations

import re

import asyncpg

OUR_SCHEMAS = ["api", "app", "private"]
EXPOSED = ["api"]

# api functions that anonymous callers may execute, on purpose. Anything else granted to anon fails.
ANON_CALLABLE_API_FUNCTIONS: frozenset[str] = frozenset()

_BARE_CALL = re.compile(r"auth\.(uid|jwt|role|email)\(\)|current_setting\(", re.I)


async def tables_without_rls(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select format('%I.%I', n.nspname, c.relname) as name from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1",
        ["app", "private"],
    )
    return [f"{r['name']}: row-level security is not enabled" for r in rows]


async def policies_without_role(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select format('%I.%I', schemaname, tablename) as tab, policyname from pg_policies "
        "where (schemaname = any($1) or (schemaname, tablename) = ('realtime', 'messages')) "
        "and roles = '{public}' order by 1, 2",
        OUR_SCHEMAS,
    )
    return [f"{r['tab']} policy {r['policyname']}: applies to PUBLIC; name a role (to authenticated)" for r in rows]


async def unwrapped_auth_calls_in_policies(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select format('%I.%I', schemaname, tablename) as tab, policyname, "
        "coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr from pg_policies "
        "where schemaname = any($1) or (schemaname, tablename) = ('realtime', 'messages') order by 1, 2",
        OUR_SCHEMAS,
    )
    findings = []
    for row in rows:
        remainder = _without_scalar_subqueries(row["expr"])
        if _BARE_CALL.search(remainder):
            findings.append(
                f"{row['tab']} policy {row['policyname']}: auth.*() or current_setting() is not wrapped in a "
                "select, so it runs once per row instead of once per statement"
            )
    return findings


def _without_scalar_subqueries(expr: str) -> str:
    """The policy text with every `( SELECT ... )` removed: what is left runs once per row."""
    out = []
    i = 0
    while i < len(expr):
        match = re.compile(r"\(\s*SELECT\b", re.I).match(expr, i)
        if match is None:
            out.append(expr[i])
            i += 1
            continue
        depth = 0
        j = i
        while j < len(expr):
            depth += {"(": 1, ")": -1}.get(expr[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    return "".join(out)


async def unsafe_security_definer_functions(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as fn, "
        "n.nspname = any($2) as exposed, "
        "coalesce(exists (select from unnest(p.proconfig) c where c like 'search_path=%'), false) as pinned "
        "from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where p.prosecdef and n.nspname = any($1) order by 1",
        OUR_SCHEMAS,
        EXPOSED,
    )
    findings = []
    for row in rows:
        if not row["pinned"]:
            findings.append(f"{row['fn']}: security definer without a fixed search_path")
        if row["exposed"]:
            findings.append(f"{row['fn']}: security definer in an exposed schema (put it in private)")
    return findings


async def api_functions_open_to_anon(conn: asyncpg.Connection, allowed: frozenset[str]) -> list[str]:
    rows = await conn.fetch(
        "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname = 'api' and has_function_privilege('anon', p.oid, 'execute') order by 1"
    )
    return [
        f"api.{r['proname']}: executable by anon but not on the explicit list"
        for r in rows
        if r["proname"] not in allowed
    ]


async def api_views_without_security_invoker(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'api' and c.relkind in ('v', 'm') "
        "and not coalesce('security_invoker=true' = any(c.reloptions) or 'security_invoker=on' = any(c.reloptions), "
        "false) order by 1"
    )
    return [f"api.{r['relname']}: view without security_invoker, so it would bypass row-level security" for r in rows]


async def policy_columns_without_index(conn: asyncpg.Connection) -> list[str]:
    """Columns that a policy's USING clause reads (it filters rows) must be part of some index."""
    rows = await conn.fetch(
        """
        select format('%I.%I', n.nspname, c.relname) as tab, pol.polname,
               pg_get_expr(pol.polqual, pol.polrelid) as qual,
               array(select a.attname from pg_attribute a
                     where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                       and not exists (select from pg_index i where i.indrelid = c.oid and a.attnum = any(i.indkey)))
                 as unindexed
        from pg_policy pol
        join pg_class c on c.oid = pol.polrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and pol.polqual is not null
        order by 1, 2
        """,
        OUR_SCHEMAS,
    )
    findings = []
    for row in rows:
        qual = re.sub(r"'(?:[^']|'')*'", "''", row["qual"])  # column names inside literals do not count
        for column in row["unindexed"]:
            if re.search(rf'(?<![\w."]){re.escape(column)}(?![\w"])', qual):
                findings.append(f"{row['tab']}.{column}: read by policy {row['polname']} but in no index")
    return findings
