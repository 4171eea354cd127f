"""What `supabase_migrations.function_files` says about each functions_sql file, and its orphans.

Each row holds a file's content hash and the functions (`api.f(text)`) it defined when applied. A
file is applied again when its content changed, when its row predates the `functions` column, or
when a function it defined is missing (`supabase db reset` on a database where this table survived).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import asyncpg

from core.db import drift
from core.db.sql_split import split_statements

RECORD = (
    "insert into supabase_migrations.function_files (path, hash, functions) values ($1, $2, $3) "
    "on conflict (path) do update set hash = excluded.hash, functions = excluded.functions"
)


class OrphanNotDroppable(RuntimeError):
    """A function no file defines any more has dependents; the message names it and them."""


@dataclass(frozen=True, slots=True)
class FunctionRecords:
    hashes: dict[str, str]
    functions: dict[str, list[str] | None]
    present: set[str]  # the recorded functions the database still has

    @classmethod
    async def read(cls, conn: asyncpg.Connection) -> FunctionRecords:
        rows = await conn.fetch("select path, hash, functions from supabase_migrations.function_files")
        functions = {row["path"]: row["functions"] for row in rows}
        present = await drift.existing(conn, [i for listed in functions.values() for i in listed or ()])
        return cls({row["path"]: row["hash"] for row in rows}, functions, present)

    def defined(self, paths: Iterable[str]) -> set[str]:
        return {i for path in paths for i in self.functions.get(path) or ()}

    def needs_applying(self, path: str, digest: str) -> bool:
        functions = self.functions.get(path)
        return self.hashes.get(path) != digest or functions is None or not set(functions) <= self.present

    def orphans_expected(self, files: dict[str, tuple[str, str]]) -> list[str]:
        """For `status`, without applying anything: functions of deleted files, and of changed files
        whose text no longer creates a function of that name (`files` maps path to digest and text)."""
        orphans = set()
        for path, listed in self.functions.items():
            for identity in set(listed or ()) & self.present:
                digest, text = files.get(path, ("", ""))
                if path not in files or (
                    self.hashes.get(path) != digest
                    and drift.name_of(identity) not in drift.created_functions(split_statements(text))
                ):
                    orphans.add(identity)
        return sorted(orphans)


async def drop_orphans(
    conn: asyncpg.Connection,
    before: FunctionRecords,
    current_paths: set[str],
    kept_names: set[tuple[str, str]],
    log: Callable[[str], None],
) -> None:
    """Drop what functions_sql files defined and none defines now; forget the rows of deleted files.

    Only functions a functions_sql file created are candidates: the migrator re-creates all of those
    from the files on every change, so one that no file defines is a leftover (a deleted function, or
    an old overload beside a new signature, which PostgREST could not choose between) and dropping it
    loses nothing. Functions created by migrations are history that only a new migration may change,
    so a name a migration creates (`kept_names`) is never dropped here, even if a file once defined it.
    """
    now = await FunctionRecords.read(conn)
    candidates = before.defined(before.functions) - now.defined(current_paths)
    orphans = sorted(i for i in await drift.existing(conn, candidates) if drift.name_of(i) not in kept_names)
    gone = sorted(set(now.functions) - current_paths)
    if not orphans and not gone:
        return
    async with conn.transaction():
        for identity in orphans:
            log(f"functions: dropping {identity}, which no file defines any more")
            try:
                await conn.execute(f"drop function {identity}")
            except asyncpg.PostgresError as exc:
                raise OrphanNotDroppable(
                    f"{identity} is no longer defined by any file, but it cannot be dropped: {exc.sqlstate} {exc}\n"
                    "Drop or change what depends on it in a new migration."
                ) from exc
        await conn.execute("delete from supabase_migrations.function_files where path = any($1::text[])", gone)
