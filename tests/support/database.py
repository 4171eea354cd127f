"""Per-test databases cloned from a template that the real migrator builds once per test run.

Names carry the pid of the test process so that several runs on one server never collide, and
databases left by a killed run are dropped at the next start.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from core.db.connect import assume_owner, connect, with_database
from core.db.migrator import Migrator
from localapi.rest.emulator import Client, PostgrestEmulator

PREFIX = "fp_test_"
_counter = itertools.count(1)


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def drop_stale_databases() -> None:
    """Drop databases of test runs whose process is gone."""
    admin = await connect(with_database(server_url(), "postgres"))
    try:
        for (name,) in await admin.fetch("select datname from pg_database where datname like $1", PREFIX + "%"):
            pid = name[len(PREFIX) :].split("_")[0]
            if pid.isdigit() and not _alive(int(pid)):
                await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def build_template(log: Any = None) -> str:
    name = f"{PREFIX}{os.getpid()}_template"
    admin = await connect(with_database(server_url(), "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    conn = await connect(with_database(server_url(), name))
    try:
        await Migrator(conn, log=log or (lambda _line: None)).migrate()
    finally:
        await conn.close()
    return name


async def drop_database(name: str) -> None:
    admin = await connect(with_database(server_url(), "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


class BackgroundDropper:
    """Drops used test databases off the critical path.

    DROP DATABASE forces a checkpoint and PostgreSQL runs drops one at a time (about half a second
    each here), while cloning the template takes a tenth of that. Dropping in the background lets
    that wait overlap the tests that follow instead of adding to every teardown.
    """

    def __init__(self, concurrency: int = 2) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._pending: set[asyncio.Task[None]] = set()

    def drop(self, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._drop(name))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _drop(self, name: str) -> None:
        async with self._slots:
            await drop_database(name)

    async def wait(self) -> None:
        while self._pending:
            await asyncio.gather(*list(self._pending))


@dataclass
class TestDatabase:
    """One isolated database, with the PostgREST emulation and an owner connection at hand."""

    __test__ = False  # not a test class, despite its name

    name: str
    api: PostgrestEmulator

    @property
    def url(self) -> str:
        return with_database(server_url(), self.name)

    @asynccontextmanager
    async def owner(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection acting as the migration owner (Supabase's `postgres`): setup and inspection."""
        conn = await connect(self.url)
        try:
            await assume_owner(conn)
            yield conn
        finally:
            await conn.close()

    def as_user(self, user_id: Any, **claims: Any) -> Client:
        return self.api.as_user(user_id, **claims)

    def as_anon(self) -> Client:
        return self.api.as_anon()

    def as_service(self) -> Client:
        return self.api.as_service()


async def clone(template: str) -> TestDatabase:
    name = f"{PREFIX}{os.getpid()}_{next(_counter)}"
    admin = await connect(with_database(server_url(), "postgres"))
    try:
        await admin.execute(f'create database "{name}" template "{template}"')
    finally:
        await admin.close()
    api = await PostgrestEmulator(with_database(server_url(), name)).start()
    return TestDatabase(name=name, api=api)
