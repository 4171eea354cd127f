"""The migrator's drift check: an edited applied migration stops it, a function no file defines any more
is dropped when nothing depends on it, and a function no file creates is reported, never dropped."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import asyncpg
import pytest

from core.db.connect import with_database
from core.db.drift import first_difference
from core.db.migrator import PROJECT_ROOT, MigrationError, Migrator
from tests.foundation.conftest import quiet, write
from tests.support.database import server_url


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


@pytest.mark.parametrize(
    ("applied", "now", "differs"),
    [
        ("insert into t values ('a b')", "insert  into t\r\n  values ('a b')", None),  # layout only
        ("insert into t values ('a  b')", "insert into t values ('a b')", 1),  # the data changed
        ("select 1 -- don't\nfrom t where x = 'y  z'", "select 1 -- don't\n  from t where x = 'y  z'", None),
        ("select E'it\\'s  a'", "select E'it\\'s a'", 1),
    ],
)
def test_whitespace_is_drift_only_inside_a_string_literal(applied: str, now: str, differs: int | None) -> None:
    assert first_difference([applied], [now]) == differs


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
