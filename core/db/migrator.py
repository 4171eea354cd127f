"""The migrator: compat (plain PostgreSQL only), then migrations, then functions_sql, then seeds.

Migrations are tracked in `supabase_migrations.schema_migrations(version, name, statements)` exactly
as the Supabase CLI tracks them, so `supabase db push` and this migrator agree about what is applied.
Each file runs in one transaction together with its history row, so a failing file leaves nothing.
functions_sql files and seeds are tracked by content hash and re-applied when they change.
Drift is an error or repaired (see `drift`): an applied migration whose file changed stops the run,
and a function that a functions_sql file defined but no file defines any more is dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from core.db import drift
from core.db.connect import assume_owner, is_supabase
from core.db.function_files import RECORD, FunctionRecords, OrphanNotDroppable, drop_orphans
from core.db.seed_loaders import LOADERS, SeedLoader
from core.db.sql_split import split_statements
from core.db.status import Status

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OUR_SCHEMAS = ("api", "app", "private")
_MIGRATION_NAME = re.compile(r"^([0-9]+)_(.*)\.sql$")

_TRACKING_DDL = [
    "set lock_timeout = '4s'",
    "create schema if not exists supabase_migrations",
    "create table if not exists supabase_migrations.schema_migrations (version text not null primary key)",
    "alter table supabase_migrations.schema_migrations add column if not exists statements text[]",
    "alter table supabase_migrations.schema_migrations add column if not exists name text",
    "create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null)",
    # Ours, beside the CLI's: which functions_sql file was applied with which content.
    "create table if not exists supabase_migrations.function_files "
    "(path text not null primary key, hash text not null)",
    # The identities (`api.f(text)`) each file defined when it was applied: what to drop once no file does.
    "alter table supabase_migrations.function_files add column if not exists functions text[]",
    "reset lock_timeout",
]


class MigrationError(RuntimeError):
    """A file failed; the message names the file, the statement and the database's error."""


@dataclass(frozen=True, slots=True)
class SqlFile:
    path: Path
    relative: str

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class Migrator:
    def __init__(
        self,
        conn: asyncpg.Connection,
        root: Path = PROJECT_ROOT,
        log: Callable[[str], None] = print,
        loaders: Sequence[SeedLoader] = LOADERS,
    ):
        self.conn = conn
        self.root = root
        self.log = log
        self.loaders = loaders

    # -- files -------------------------------------------------------------------------------
    def _files(self, folder: str) -> list[SqlFile]:
        """SQL files of a folder, subfolders included, in the order of their relative paths."""
        base = self.root / "supabase" / folder if folder != "seeds" else self.root / "seeds"
        found = [SqlFile(p, p.relative_to(self.root).as_posix()) for p in base.rglob("*.sql")]
        return sorted(found, key=lambda f: f.relative)

    def migration_files(self) -> list[tuple[str, str, SqlFile]]:
        found = []
        for file in self._files("migrations"):
            if file.path.parent.name != "migrations":
                continue  # the Supabase CLI reads only the folder itself
            match = _MIGRATION_NAME.match(file.path.name)
            if match is None:
                self.log(f"skipping {file.relative}: not named <version>_<name>.sql")
                continue
            found.append((match.group(1), match.group(2), file))
        return found

    # -- steps -------------------------------------------------------------------------------
    async def prepare(self) -> None:
        """Apply compat where the platform's objects are missing; then act as the owner role."""
        await self.conn.execute("reset role")  # prepare may run twice on one connection
        if await is_supabase(self.conn):
            self.log("compat: Supabase database detected, nothing to add")
        else:
            if not await self.conn.fetchval("select rolsuper from pg_catalog.pg_roles where rolname = current_user"):
                raise MigrationError(
                    "compat: this plain PostgreSQL lacks Supabase's roles and schemas, and creating them needs a "
                    "superuser; connect as one (DATABASE_URL) for the first migrate"
                )
            for file in self._files("compat"):
                await self._run_file(file, record=None)
            await assume_owner(self.conn)
        for statement in _TRACKING_DDL:
            await self.conn.execute(statement)

    async def migrate(self) -> Status:
        await self.prepare()
        drifted = await self._drifted_migrations()
        if drifted:
            raise MigrationError(
                "applied migrations were edited after they were applied, so databases built before and after the "
                "edit differ:\n  " + "\n  ".join(drifted) + "\nOn a development database, run `fluentpro db reset` "
                "(`make db-reset`): it rebuilds the database from the files as they are (until the first release, "
                "changes are folded into the migrations they amend, so this is the usual fix). A database whose "
                "data must be kept needs each file restored as it was applied (`git log -p <file>`) and the change "
                "put in a new migration."
            )
        applied = await self._applied_versions()
        for version, name, file in self.migration_files():
            if version in applied:
                continue
            self.log(f"migrate: {file.relative}")
            await self._run_file(file, record=(version, name))
        await self.apply_functions()
        await self.seed(force=False)
        return await self.status(prepared=True)

    async def apply_functions(self) -> None:
        """Apply new and changed functions_sql files, then drop the functions no file defines any more."""
        before = await FunctionRecords.read(self.conn)
        files = self._files("functions_sql")
        for file in files:
            digest = file.digest
            if not before.needs_applying(file.relative, digest):
                continue
            self.log(f"functions: {file.relative}")
            await self._run_file(file, after_functions=(file.relative, digest))
        migrations_create = drift.created_functions(
            statement for _, _, file in self.migration_files() for statement in split_statements(file.text)
        )
        try:
            await drop_orphans(self.conn, before, {f.relative for f in files}, migrations_create, self.log)
        except OrphanNotDroppable as exc:
            raise MigrationError(str(exc)) from exc

    async def seed(self, *, force: bool) -> None:
        known = dict(await self.conn.fetch("select path, hash from supabase_migrations.seed_files"))
        record = (
            "insert into supabase_migrations.seed_files (path, hash) values ($1, $2) "
            "on conflict (path) do update set hash = excluded.hash"
        )
        for file in self._files("seeds"):
            digest = file.digest
            if force or known.get(file.relative) != digest:
                self.log(f"seed: {file.relative}")
                await self._run_file(file, after=(record, file.relative, digest))
        for loader in self.loaders:
            digest = loader.digest(self.root)
            if force or known.get(loader.name) != digest:
                self.log(f"seed: {loader.name}")
                async with self.conn.transaction():
                    await loader.load(self.conn, self.root, self.log)
                    await self.conn.execute(record, loader.name, digest)

    async def reset(self) -> Status:
        """Drop our schemas and everything recorded about them, then migrate and seed from scratch."""
        await self.prepare()
        async with self.conn.transaction():
            for schema in OUR_SCHEMAS:
                await self.conn.execute(f"drop schema if exists {schema} cascade")
            # Policies and triggers our migrations put on platform tables outlive our schemas.
            for (policy,) in await self.conn.fetch(
                "select policyname from pg_catalog.pg_policies where schemaname = 'realtime' and tablename = 'messages'"
            ):
                await self.conn.execute(f'drop policy "{policy}" on realtime.messages')
            await self.conn.execute(
                "delete from supabase_migrations.schema_migrations; delete from supabase_migrations.seed_files; "
                "delete from supabase_migrations.function_files"
            )
        self.log("reset: dropped " + ", ".join(OUR_SCHEMAS))
        return await self.migrate()

    async def status(self, *, prepared: bool = False) -> Status:
        if not prepared:
            await self.prepare()
        applied_versions = await self._applied_versions()
        applied: list[str] = []
        pending: list[str] = []
        for version, _name, file in self.migration_files():
            (applied if version in applied_versions else pending).append(file.relative)
        records = await FunctionRecords.read(self.conn)
        files = {f.relative: (f.digest, f.text) for f in self._files("functions_sql")}
        seeds = dict(await self.conn.fetch("select path, hash from supabase_migrations.seed_files"))
        orphaned = records.orphans_expected(files)
        created = drift.created_functions(
            statement
            for file in self._files("migrations") + self._files("functions_sql")
            for statement in split_statements(file.text)
        )
        return Status(
            applied=applied,
            pending=pending,
            drifted=await self._drifted_migrations(),
            orphaned=orphaned,
            unknown=[i for i in await drift.unknown_functions(self.conn, created) if i not in orphaned],
            functions_changed=[path for path, (digest, _) in files.items() if records.needs_applying(path, digest)],
            seeds_changed=[f.relative for f in self._files("seeds") if seeds.get(f.relative) != f.digest]
            + [loader.name for loader in self.loaders if seeds.get(loader.name) != loader.digest(self.root)],
        )

    # -- helpers -----------------------------------------------------------------------------
    async def _drifted_migrations(self) -> list[str]:
        """Applied migrations whose file no longer holds the statements that were applied."""
        rows = await self.conn.fetch("select version, statements from supabase_migrations.schema_migrations")
        applied = {row["version"]: row["statements"] for row in rows if row["statements"] is not None}
        drifted = []
        for version, _name, file in self.migration_files():
            if version in applied:
                index = drift.first_difference(applied[version], split_statements(file.text))
                if index is not None:
                    drifted.append(f"{file.relative} (statement {index} differs from what was applied)")
        return drifted

    async def _applied_versions(self) -> set[str]:
        rows = await self.conn.fetch("select version from supabase_migrations.schema_migrations")
        return {row["version"] for row in rows}

    async def _run_file(
        self,
        file: SqlFile,
        *,
        record: tuple[str, str] | None = None,
        after: tuple[str, str, str] | None = None,
        after_functions: tuple[str, str] | None = None,
    ) -> None:
        statements = split_statements(file.text)
        async with self.conn.transaction():
            for index, statement in enumerate(statements, start=1):
                try:
                    await self.conn.execute(statement)
                except asyncpg.PostgresError as exc:
                    raise MigrationError(
                        f"{file.relative}: statement {index} of {len(statements)} failed, nothing of this file "
                        f"was applied.\n  error: {exc.sqlstate} {exc}\n  statement: {_excerpt(statement)}"
                    ) from exc
            if record is not None:
                await self.conn.execute(
                    "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
                    record[0],
                    record[1],
                    statements,
                )
            if after is not None:
                await self.conn.execute(*after)
            if after_functions is not None:
                defined = await drift.functions_written_in_this_transaction(
                    self.conn, drift.created_functions(statements)
                )
                await self.conn.execute(RECORD, *after_functions, defined)


def _excerpt(statement: str, limit: int = 400) -> str:
    flat = " ".join(statement.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
