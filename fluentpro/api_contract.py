"""The api contract: every function and view of schema `api` with its signature, grants and comment.

`tests/contract/api_snapshot.json` holds the contract as committed; a test compares it with the one
the migrations build, so no change of the public api slips in unnoticed. `docs/api.md` is rendered
from the same data, i.e. from the database's own comments. Against the last released contract
(`api_release`), every breaking change (`api_compat`) must be declared.

    python -m fluentpro.api_contract                  # check: exit 1 and list the differences
    python -m fluentpro.api_contract --update         # rewrite the snapshot and docs/api.md
    python -m fluentpro.api_contract --release 1.1.0  # record the contract as released 1.1.0

Both build a scratch database from the migrations on the server of DATABASE_URL (a superuser on plain
PostgreSQL, as for the first `fluentpro db migrate`), or read `--from-database URL` as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from core.db.connect import connect, with_database
from core.db.migrator import PROJECT_ROOT, Migrator
from core.settings import DatabaseSettings
from fluentpro.api_release import RELEASED_PATH, ReleaseError, load_declared, load_released, release, release_problems

SNAPSHOT_PATH = PROJECT_ROOT / "tests" / "contract" / "api_snapshot.json"
DOCS_PATH = PROJECT_ROOT / "docs" / "api.md"
API_ROLES = ("anon", "authenticated", "service_role")

_FUNCTIONS_SQL = """
select
    p.proname as name,
    pg_catalog.pg_get_function_arguments(p.oid) as arguments,
    pg_catalog.pg_get_function_result(p.oid) as returns,
    case p.provolatile when 'i' then 'immutable' when 's' then 'stable' else 'volatile' end as volatility,
    p.prosecdef as security_definer,
    coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') as comment,
    array(
        select r from unnest($1::text[]) as r where pg_catalog.has_function_privilege(r, p.oid, 'execute')
    ) as callable_by
from pg_catalog.pg_proc as p
join pg_catalog.pg_namespace as n on p.pronamespace = n.oid
where n.nspname = 'api' and p.prokind = 'f'
order by p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
"""

# The columns of relation `c` (a view, table or composite type), in order, as JSON text.
_COLUMNS_OF_C = """(
        select pg_catalog.json_agg(pg_catalog.json_build_object(
            'name', a.attname,
            'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
            'comment', coalesce(pg_catalog.col_description(c.oid, a.attnum), '')
        ) order by a.attnum)
        from pg_catalog.pg_attribute as a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    )::text as columns"""

_RELATIONS_SQL = f"""
select
    c.relname as name,
    case c.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind,
    coalesce('security_invoker=true' = any(c.reloptions), false) as security_invoker,
    coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '') as comment,
    array(
        select r from unnest($1::text[]) as r where pg_catalog.has_table_privilege(r, c.oid, 'select')
    ) as readable_by,
    {_COLUMNS_OF_C}
from pg_catalog.pg_class as c
join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
where n.nspname = 'api' and c.relkind in ('v', 'm', 'r', 'p')
order by c.relname
"""  # noqa: S608 (built from constants only)


# Composite types of schema api: what a `returns setof api.<type>` function answers with.
_TYPES_SQL = f"""
select
    c.relname as name,
    coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), '') as comment,
    {_COLUMNS_OF_C}
from pg_catalog.pg_class as c
join pg_catalog.pg_namespace as n on c.relnamespace = n.oid
join pg_catalog.pg_type as t on t.oid = c.reltype
where n.nspname = 'api' and c.relkind = 'c'
order by c.relname
"""  # noqa: S608 (built from constants only)


async def read_contract(conn: asyncpg.Connection) -> dict[str, Any]:
    """The contract as the database describes it: plain JSON data, sorted, stable across runs."""
    functions = [
        {**dict(row), "callable_by": list(row["callable_by"])}
        for row in await conn.fetch(_FUNCTIONS_SQL, list(API_ROLES))
    ]
    relations = [
        {**dict(row), "readable_by": list(row["readable_by"]), "columns": json.loads(row["columns"] or "[]")}
        for row in await conn.fetch(_RELATIONS_SQL, list(API_ROLES))
    ]
    types = [{**dict(row), "columns": json.loads(row["columns"] or "[]")} for row in await conn.fetch(_TYPES_SQL)]
    return {"functions": functions, "relations": relations, "types": types}


def _signature(function: dict[str, Any]) -> str:
    return f"api.{function['name']}({function['arguments']}) returns {function['returns']}"


def render_snapshot(contract: dict[str, Any]) -> str:
    return json.dumps(contract, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_docs(contract: dict[str, Any]) -> str:
    lines = [
        "# API reference",
        "",
        "Generated from the database's own comments by `python -m fluentpro.api_contract --update`; do not edit by",
        "hand. Clients call a function as `POST /rest/v1/rpc/<name>` with a JSON object of named arguments",
        "(stable and immutable ones also as `GET`), and read a view as `GET /rest/v1/<name>`, with a Supabase",
        "JWT. Errors carry a stable `code`: see [error_codes.md](error_codes.md).",
        "",
        "## Functions",
        "",
    ]
    for function in contract["functions"]:
        lines += [
            f"### `{function['name']}`",
            "",
            f"`{_signature(function)}`",
            "",
            f"{function['volatility']}; callable by: {', '.join(function['callable_by']) or 'nobody'}",
            "",
            function["comment"] or "_No comment._",
            "",
        ]
    lines += ["## Views", ""]
    for relation in contract["relations"]:
        lines += [
            f"### `{relation['name']}`",
            "",
            f"{relation['kind']}; readable by: {', '.join(relation['readable_by']) or 'nobody'}",
            "",
            relation["comment"] or "_No comment._",
            "",
            "| column | type | description |",
            "| --- | --- | --- |",
        ]
        lines += [f"| `{c['name']}` | `{c['type']}` | {c['comment']} |" for c in relation["columns"]]
        lines.append("")
    if contract.get("types"):
        lines += ["## Types", "", "Rows of these types are what `setof api.<type>` functions return.", ""]
    for composite in contract.get("types", []):
        lines += [
            f"### `{composite['name']}`",
            "",
            composite["comment"] or "_No comment._",
            "",
            "| column | type | description |",
            "| --- | --- | --- |",
        ]
        lines += [f"| `{c['name']}` | `{c['type']}` | {c['comment']} |" for c in composite["columns"]]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


@asynccontextmanager
async def scratch_database(server_url: str, purpose: str) -> AsyncIterator[str]:
    """A database migrated from the files on the server of `server_url`, dropped on exit; yields its URL."""
    name = f"fluentpro_{purpose}_{os.getpid()}"
    admin = await connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
        url = with_database(server_url, name)
        conn = await connect(url)
        try:
            await Migrator(conn, log=lambda _line: None).migrate()
        finally:
            await conn.close()
        yield url
    finally:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.close()


async def build_and_read(server_url: str) -> dict[str, Any]:
    """Migrate a scratch database on the server, read its contract, drop it."""
    async with scratch_database(server_url, "api_contract") as url:
        return await read_from(url)


async def read_from(url: str) -> dict[str, Any]:
    conn = await connect(url)
    try:
        return await read_contract(conn)
    finally:
        await conn.close()


def _write_snapshot_and_docs(contract: dict[str, Any]) -> None:
    SNAPSHOT_PATH.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT_PATH.write_text(render_snapshot(contract), encoding="utf-8")
    DOCS_PATH.write_text(render_docs(contract), encoding="utf-8")
    print(f"wrote {SNAPSHOT_PATH.relative_to(PROJECT_ROOT)} and {DOCS_PATH.relative_to(PROJECT_ROOT)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fluentpro.api_contract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the snapshot and docs/api.md")
    parser.add_argument(
        "--release", metavar="VERSION", help="record the contract as released VERSION (docs/api_compatibility.md)"
    )
    parser.add_argument("--from-database", metavar="URL", help="read this migrated database instead of building one")
    args = parser.parse_args(argv)
    if args.from_database:
        contract = asyncio.run(read_from(args.from_database))
    else:
        contract = asyncio.run(build_and_read(DatabaseSettings.from_env().url))
    if args.release:
        try:
            release(args.release, contract)
        except ReleaseError as exc:
            print(f"api contract: cannot release {args.release}:\n{exc}", file=sys.stderr)
            return 1
        _write_snapshot_and_docs(contract)
        print(f"released api {args.release}: wrote {RELEASED_PATH.relative_to(PROJECT_ROOT)}")
        return 0
    problems = release_problems(load_released(), contract, load_declared())
    for problem in problems:
        print(f"BREAKING: {problem}", file=sys.stderr)
    if args.update:
        _write_snapshot_and_docs(contract)
        return 0
    committed = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8")) if SNAPSHOT_PATH.exists() else None
    unchanged = (
        committed == contract and DOCS_PATH.exists() and DOCS_PATH.read_text(encoding="utf-8") == render_docs(contract)
    )
    if not unchanged:
        print("api contract changed: review it, then run `python -m fluentpro.api_contract --update`", file=sys.stderr)
    elif not problems:
        print("api contract: unchanged")
    return 0 if unchanged and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
