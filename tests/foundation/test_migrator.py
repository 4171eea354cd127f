"""The migrator: Supabase CLI tracking, all-or-nothing files, idempotence, re-applied functions."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from sidecar.db.connect import connect, with_database
from sidecar.db.migrator import PROJECT_ROOT, MigrationError, Migrator
from tests.support.database import PREFIX, drop_database, server_url

_scratch = itertools.count(1)


@pytest.fixture
async def empty_db() -> AsyncIterator[asyncpg.Connection]:
    name = f"{PREFIX}{os.getpid()}_scratch_{next(_scratch)}"
    admin = await connect(with_database(server_url(), "postgres"))
    await admin.execute(f'create database "{name}"')
    await admin.close()
    conn = await connect(with_database(server_url(), name))
    try:
        yield conn
    finally:
        await conn.close()
        await drop_database(name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project tree with the real compat layer and hand-written migrations."""
    shutil.copytree(PROJECT_ROOT / "supabase" / "compat", tmp_path / "supabase" / "compat")
    (tmp_path / "supabase" / "migrations").mkdir()
    (tmp_path / "supabase" / "functions_sql").mkdir()
    (tmp_path / "seeds").mkdir()
    write(
        tmp_path,
        "supabase/migrations/20260101000000_create_things.sql",
        "create schema app;\ncreate table app.things (id int primary key, note text);\n"
        "-- a comment; with a semicolon\ncomment on table app.things is 'Things; with a semicolon.';",
    )
    return tmp_path


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def quiet(_line: str) -> None:
    return None


async def test_tracking_table_has_the_supabase_cli_shape_and_rows(empty_db: asyncpg.Connection, project: Path) -> None:
    await Migrator(empty_db, project, log=quiet, loaders=()).migrate()
    columns = await empty_db.fetch(
        "select column_name, data_type, is_nullable from information_schema.columns "
        "where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by ordinal_position"
    )
    assert [(c["column_name"], c["data_type"], c["is_nullable"]) for c in columns] == [
        ("version", "text", "NO"),
        ("statements", "ARRAY", "YES"),
        ("name", "text", "YES"),
    ]
    primary_key = await empty_db.fetchval(
        "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) "
        "where i.indrelid = 'supabase_migrations.schema_migrations'::regclass and i.indisprimary"
    )
    assert primary_key == "version"
    row = await empty_db.fetchrow("select version, name, statements from supabase_migrations.schema_migrations")
    assert (row["version"], row["name"]) == ("20260101000000", "create_things")
    assert len(row["statements"]) == 3
    assert row["statements"][2].startswith("-- a comment; with a semicolon")


async def test_a_failing_migration_names_the_statement_and_leaves_nothing(
    empty_db: asyncpg.Connection, project: Path
) -> None:
    write(
        project,
        "supabase/migrations/20260102000000_break_things.sql",
        "create table app.half (id int);\ninsert into app.things values (1, 'kept?');\nselect 1/0;",
    )
    with pytest.raises(MigrationError) as failure:
        await Migrator(empty_db, project, log=quiet, loaders=()).migrate()
    text = str(failure.value)
    assert "supabase/migrations/20260102000000_break_things.sql" in text
    assert "statement 3 of 3" in text and "select 1/0" in text and "22012" in text
    # The first file is applied and recorded; nothing of the failing one is.
    assert await empty_db.fetchval("select to_regclass('app.half')") is None
    assert await empty_db.fetchval("select count(*) from app.things") == 0
    versions = await empty_db.fetch("select version from supabase_migrations.schema_migrations")
    assert [r["version"] for r in versions] == ["20260101000000"]


async def test_migrating_twice_changes_nothing(empty_db: asyncpg.Connection, project: Path) -> None:
    write(
        project,
        "supabase/functions_sql/api_count.sql",
        "create or replace function app.count_things() returns bigint language sql\n"
        "as $$ select count(*) from app.things $$;",
    )
    write(project, "seeds/010_things.sql", "insert into app.things values (1, 'one') on conflict (id) do nothing;")
    lines: list[str] = []
    first = await Migrator(empty_db, project, log=lines.append, loaders=()).migrate()
    assert first.up_to_date
    snapshot = await _catalog_snapshot(empty_db)
    lines.clear()
    second = await Migrator(empty_db, project, log=lines.append, loaders=()).migrate()
    assert second.up_to_date
    assert [line for line in lines if not line.startswith("compat:")] == []
    assert await _catalog_snapshot(empty_db) == snapshot


async def test_a_changed_functions_sql_file_is_reapplied(empty_db: asyncpg.Connection, project: Path) -> None:
    body = "create or replace function app.answer() returns int language sql immutable as $$ select {} $$;"
    write(project, "supabase/functions_sql/answer.sql", body.format(41))
    migrator = Migrator(empty_db, project, log=quiet, loaders=())
    await migrator.migrate()
    assert await empty_db.fetchval("select app.answer()") == 41
    write(project, "supabase/functions_sql/answer.sql", body.format(42))
    assert (await migrator.status()).functions_changed == ["supabase/functions_sql/answer.sql"]
    await migrator.migrate()
    assert await empty_db.fetchval("select app.answer()") == 42


async def test_status_lists_applied_and_pending(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = Migrator(empty_db, project, log=quiet, loaders=())
    await migrator.migrate()
    write(project, "supabase/migrations/20260103000000_add_column.sql", "alter table app.things add column extra int;")
    status = await migrator.status()
    assert status.applied == ["supabase/migrations/20260101000000_create_things.sql"]
    assert status.pending == ["supabase/migrations/20260103000000_add_column.sql"]
    assert not status.up_to_date


async def test_reset_rebuilds_our_schemas(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = Migrator(empty_db, project, log=quiet, loaders=())
    await migrator.migrate()
    await empty_db.execute("insert into app.things values (7, 'gone after reset')")
    await migrator.reset()
    assert await empty_db.fetchval("select count(*) from app.things") == 0
    assert await empty_db.fetchval("select count(*) from supabase_migrations.schema_migrations") == 1


async def test_migrations_run_as_a_non_superuser(empty_db: asyncpg.Connection, project: Path) -> None:
    """A migration that needs superuser powers fails here, as it would on a hosted project."""
    write(
        project, "supabase/migrations/20260104000000_needs_superuser.sql", "create extension if not exists plpython3u;"
    )
    with pytest.raises(MigrationError) as failure:
        await Migrator(empty_db, project, log=quiet, loaders=()).migrate()
    assert "20260104000000_needs_superuser.sql" in str(failure.value)


async def _catalog_snapshot(conn: asyncpg.Connection) -> list[tuple[str, ...]]:
    rows = await conn.fetch(
        "select n.nspname, c.relname, c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname in ('app', 'api', 'private', 'supabase_migrations') order by 1, 2"
    )
    things = await conn.fetch("select * from app.things order by id")
    return [tuple(r) for r in rows] + [tuple(str(v) for v in r) for r in things]


async def test_an_edited_applied_migration_is_an_error_that_names_it(
    empty_db: asyncpg.Connection, project: Path
) -> None:
    migrator = Migrator(empty_db, project, log=quiet, loaders=())
    await migrator.migrate()
    path = "supabase/migrations/20260101000000_create_things.sql"
    original = (project / path).read_text(encoding="utf-8")
    # Re-indenting or CRLF line endings change nothing that was applied.
    write(project, path, original.replace("\n", "\r\n").replace("create table", "create   table"))
    assert (await migrator.status()).drifted == []
    write(project, path, original.replace("note text", "note text, extra int"))
    assert (await migrator.status()).drifted == [f"{path} (statement 2 differs from what was applied)"]
    assert not (await migrator.status()).up_to_date
    with pytest.raises(MigrationError) as failure:
        await migrator.migrate()
    assert path in str(failure.value) and "new migration" in str(failure.value)
    assert "run `fluentpro db reset`" in str(failure.value)  # the usual fix before the first release
    write(project, path, original + "\ncreate index things_note on app.things (note);")
    assert (await migrator.status()).drifted == [f"{path} (statement 4 differs from what was applied)"]


SCHEMAS = "supabase/migrations/20260101000001_create_api.sql", "create schema api;\ncreate schema private;"
FN = "create or replace function api.{}({}) returns int language sql as $$ select 1 $$;\n"


async def migrated_with_functions(conn: asyncpg.Connection, project: Path, *files: tuple[str, str]) -> Migrator:
    """A migrated project of the api and private schemas and these functions_sql files (path, text)."""
    write(project, *SCHEMAS)
    for path, text in files:
        write(project, path, text)
    migrator = Migrator(conn, project, log=quiet, loaders=())
    await migrator.migrate()
    return migrator


async def test_a_function_no_file_defines_any_more_is_dropped(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = await migrated_with_functions(
        empty_db,
        project,
        ("supabase/functions_sql/pair.sql", FN.format("kept", "") + FN.format("removed", "a int")),
        ("supabase/functions_sql/lone.sql", FN.format("lone", "")),
    )
    assert await _api_functions(empty_db) == ["api.kept()", "api.lone()", "api.removed(integer)"]

    write(project, "supabase/functions_sql/pair.sql", FN.format("kept", ""))
    (project / "supabase/functions_sql/lone.sql").unlink()
    status = await migrator.status()
    assert status.orphaned == ["api.lone()", "api.removed(integer)"]
    assert not status.up_to_date
    lines: list[str] = []
    await Migrator(empty_db, project, log=lines.append, loaders=()).migrate()
    assert await _api_functions(empty_db) == ["api.kept()"]
    assert "functions: dropping api.removed(integer), which no file defines any more" in lines
    assert await empty_db.fetchval("select count(*) from supabase_migrations.function_files") == 1
    assert (await migrator.status()).up_to_date


async def test_a_changed_signature_leaves_no_old_overload(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = await migrated_with_functions(
        empty_db, project, ("supabase/functions_sql/f.sql", FN.format("f", "a int"))
    )
    write(project, "supabase/functions_sql/f.sql", FN.format("f", "a int, b text default null"))
    await migrator.migrate()
    assert await _api_functions(empty_db) == ["api.f(integer,text)"]


async def test_functions_a_migration_creates_are_never_dropped(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = await migrated_with_functions(
        empty_db, project, ("supabase/functions_sql/moved.sql", FN.format("moved", ""))
    )
    # The function moves into a migration: the functions_sql file goes, the function stays.
    (project / "supabase/functions_sql/moved.sql").unlink()
    write(project, "supabase/migrations/20260105000000_keep_moved.sql", FN.format("moved", ""))
    await migrator.migrate()
    assert await _api_functions(empty_db) == ["api.moved()"]


async def test_an_orphan_with_dependents_fails_naming_it(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = await migrated_with_functions(
        empty_db, project, ("supabase/functions_sql/used.sql", FN.format("used", ""))
    )
    await empty_db.execute("create view api.uses as select api.used() as one")
    (project / "supabase/functions_sql/used.sql").unlink()
    with pytest.raises(MigrationError) as failure:
        await migrator.migrate()
    assert "api.used() is no longer defined by any file" in str(failure.value)
    assert "2BP01" in str(failure.value)
    assert await _api_functions(empty_db) == ["api.used()"]


async def test_functions_missing_from_the_database_are_applied_again(
    empty_db: asyncpg.Connection, project: Path
) -> None:
    """A reset that dropped our schemas but kept the tracking tables must not pass for up to date."""
    migrator = await migrated_with_functions(empty_db, project, ("supabase/functions_sql/f.sql", FN.format("f", "")))
    await empty_db.execute("drop function api.f()")
    assert (await migrator.status()).functions_changed == ["supabase/functions_sql/f.sql"]
    await migrator.migrate()
    assert await _api_functions(empty_db) == ["api.f()"]


async def _api_functions(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where n.nspname = 'api' order by 1"
    )
    return [row["f"] for row in rows]


async def test_status_calls_a_database_built_from_migrations_alone_half_built(
    empty_db: asyncpg.Connection, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What `supabase start` or `supabase db reset` leaves: supabase/migrations applied, nothing else."""
    migrations_only = tmp_path_factory.mktemp("migrations_only")
    shutil.copytree(project / "supabase", migrations_only / "supabase")
    write(
        project,
        "supabase/functions_sql/answer.sql",
        "create function app.answer() returns int language sql as $$ select 42 $$;",
    )
    write(project, "seeds/010_things.sql", "insert into app.things values (1, 'one') on conflict (id) do nothing;")
    await Migrator(empty_db, migrations_only, log=quiet, loaders=()).migrate()

    migrator = Migrator(empty_db, project, log=quiet, loaders=())
    status = await migrator.status()
    assert (status.pending, status.functions_changed, status.seeds_changed) == (
        [],
        ["supabase/functions_sql/answer.sql"],
        ["seeds/010_things.sql"],
    )
    [step] = status.next_steps()
    assert step.startswith("half-built: the migrations are applied but supabase/functions_sql/ and seeds/ are not")
    assert "run `fluentpro db migrate`" in step
    assert (await migrator.migrate()).next_steps() == []


async def test_migrations_the_supabase_cli_applied_are_not_drift(
    empty_db: asyncpg.Connection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The drift check compares with the statements the CLI records when `supabase db push` applies a file."""
    cli = PROJECT_ROOT / "tools" / "supabase-cli" / "node_modules" / ".bin" / "supabase"
    if not cli.exists():
        pytest.skip("the Supabase CLI is not installed (make supabase-cli): this comparison cannot run here")
    workdir = tmp_path_factory.mktemp("cli_project")
    shutil.copytree(PROJECT_ROOT / "supabase" / "migrations", workdir / "supabase" / "migrations")
    shutil.copy(PROJECT_ROOT / "supabase" / "config.toml", workdir / "supabase" / "config.toml")
    migrator = Migrator(empty_db, PROJECT_ROOT, log=quiet, loaders=())
    await migrator.prepare()  # compat only: the CLI expects a Supabase-shaped database
    url = with_database(server_url(), await empty_db.fetchval("select current_database()")) + "?sslmode=disable"
    pushed = await asyncio.to_thread(
        subprocess.run,
        [str(cli), "db", "push", "--db-url", url, "--workdir", str(workdir), "--yes"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode == 0, pushed.stderr
    status = await migrator.status()
    assert status.pending == [] and len(status.applied) == len(migrator.migration_files())
    assert status.drifted == []


async def test_functions_no_file_creates_are_reported_not_dropped(empty_db: asyncpg.Connection, project: Path) -> None:
    migrator = await migrated_with_functions(empty_db, project, ("supabase/functions_sql/f.sql", FN.format("f", "")))
    await empty_db.execute("create function api.by_hand(a int) returns int language sql as $$ select a $$")
    status = await migrator.migrate()
    assert status.unknown == ["api.by_hand(integer)"] and not status.up_to_date
    assert any(step.startswith("unknown functions: no file creates them") for step in status.next_steps())
    assert await _api_functions(empty_db) == ["api.by_hand(integer)", "api.f()"]


async def test_the_project_itself_migrates_to_up_to_date(empty_db: asyncpg.Connection) -> None:
    """Every function of the real files is accounted for: none unknown, none orphaned, no drift."""
    status = await Migrator(empty_db, PROJECT_ROOT, log=quiet, loaders=()).migrate()
    assert (status.unknown, status.orphaned, status.drifted, status.functions_changed) == ([], [], [], [])
