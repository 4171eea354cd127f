"""Drift between the files and the database: edited migrations, and functions no file defines any more.

An applied migration is history: the database holds what its statements did then, so a later edit of
the file changes nothing there and silently forks every database built before the edit from every one
built after it. `supabase_migrations.schema_migrations.statements` keeps what was applied (split the
way the Supabase CLI splits, which `sql_split` matches), so an edit shows as a difference.

functions_sql files are re-applied with `create or replace`, which never removes anything: a function
deleted from its file, or whose arguments changed (a new overload beside the old one, which PostgREST
then cannot choose between), would stay in the database forever. The migrator therefore records which
functions each file defined and drops the ones no file defines any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import asyncpg

from core.db.sql_split import skip_block_comment, skip_quoted

SWEPT_SCHEMAS = ("api", "private")
_WHITESPACE = re.compile(r"\s+")

# `create [or replace] function schema.name(` at the start of a statement, after any leading comments.
_CREATE_FUNCTION = re.compile(
    r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*create\s+(?:or\s+replace\s+)?function\s+"
    r'"?([A-Za-z_][\w$]*)"?\s*\.\s*"?([A-Za-z_][\w$]*)"?\s*\(',
    re.IGNORECASE | re.DOTALL,
)


def _normalized(statement: str) -> str:
    """Whitespace runs as one space, except inside string literals (`'a  b'` is data, and editing it is
    drift): a re-indented file or CRLF line endings are not drift. Comments are skipped over whole, so
    an apostrophe in one starts no literal."""
    pieces: list[str] = []
    start = i = 0
    while i < len(statement):
        if statement.startswith("--", i):
            end = statement.find("\n", i)
            i = len(statement) if end == -1 else end + 1
        elif statement.startswith("/*", i):
            i = skip_block_comment(statement, i)
        elif statement[i] == "'":
            escaped = i > 0 and statement[i - 1] in "eE" and (i < 2 or not statement[i - 2].isalnum())
            end = skip_quoted(statement, i, "'", backslash=escaped)
            pieces += [_WHITESPACE.sub(" ", statement[start:i]), statement[i:end]]
            start = i = end
        else:
            i += 1
    pieces.append(_WHITESPACE.sub(" ", statement[start:]))
    return "".join(pieces).strip()


def first_difference(applied: Sequence[str], current: Sequence[str]) -> int | None:
    """The 1-based number of the first statement that differs between what was applied and the file."""
    for index, (before, now) in enumerate(zip(applied, current, strict=False), start=1):
        if _normalized(before) != _normalized(now):
            return index
    if len(applied) != len(current):
        return min(len(applied), len(current)) + 1
    return None


def created_functions(statements: Iterable[str]) -> set[tuple[str, str]]:
    """(schema, name) of every function the statements create in a swept schema, lower-cased."""
    found = set()
    for statement in statements:
        match = _CREATE_FUNCTION.match(statement)
        if match and match.group(1).lower() in SWEPT_SCHEMAS:
            found.add((match.group(1).lower(), match.group(2).lower()))
    return found


async def functions_written_in_this_transaction(conn: asyncpg.Connection, names: set[tuple[str, str]]) -> list[str]:
    """Identities (`api.f(text)`) of the named functions this transaction created or replaced.

    A row of pg_proc written by the current transaction has age(xmin) = 0; that tells the overload a
    `create or replace` just wrote from older ones of the same name. Matching names as well keeps
    functions the file merely granted on or commented (which also rewrites their row) out of it.
    """
    rows = await conn.fetch(
        """
        select p.oid::pg_catalog.regprocedure::text as identity
        from pg_catalog.pg_proc as p
        join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
        where pg_catalog.age(p.xmin) = 0
          and (n.nspname, p.proname) in (select * from unnest($1::text[], $2::text[]))
        order by 1
        """,
        [schema for schema, _ in sorted(names)],
        [name for _, name in sorted(names)],
    )
    return [row["identity"] for row in rows]


async def existing(conn: asyncpg.Connection, identities: Iterable[str]) -> set[str]:
    """Those of the identities that name a function the database has."""
    wanted = sorted(set(identities))
    rows = await conn.fetch(
        "select i from unnest($1::text[]) as i where pg_catalog.to_regprocedure(i) is not null", wanted
    )
    return {row["i"] for row in rows}


async def unknown_functions(conn: asyncpg.Connection, created: set[tuple[str, str]]) -> list[str]:
    """Functions of the swept schemas whose name no file creates: made by hand, or by a deleted file.

    PostgREST exposes every function of `api`, so one no file accounts for is worth a look. Functions
    that belong to an extension are the extension's business and left out.
    """
    rows = await conn.fetch(
        """
        select p.oid::pg_catalog.regprocedure::text as identity, n.nspname as schema, p.proname as name
        from pg_catalog.pg_proc as p
        join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
        where n.nspname = any($1::text[])
          and not exists (
              select from pg_catalog.pg_depend as d
              where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
          )
        order by 1
        """,
        list(SWEPT_SCHEMAS),
    )
    return [row["identity"] for row in rows if (row["schema"], row["name"].lower()) not in created]


def name_of(identity: str) -> tuple[str, str]:
    """(schema, name) of a regprocedure text such as `api.set_industry(text)` or `"api"."f"(integer)`."""
    qualified = identity.split("(", 1)[0]
    schema, _, name = qualified.partition(".")
    return schema.strip('"').lower(), name.strip('"').lower()
