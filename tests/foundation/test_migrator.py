"""The migrator: Supabase CLI tracking, all-or-nothing files, idempotence, re-applied functions."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from core.db.migrator import PROJECT_ROOT, MigrationError, Migrator
from tests.foundation.conftest import quiet, write


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


async def test_the_project_itself_migrates_to_up_to_date(empty_db: asyncpg.Connection) -> None:
    """Every function of the real files is accounted for: none unknown, none orphaned, no drift."""
    status = await Migrator(empty_db, PROJECT_ROOT, log=quiet, loaders=()).migrate()
    assert (status.unknown, status.orphaned, status.drifted, status.functions_changed) == ([], [], [], [])
