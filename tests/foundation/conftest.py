"""Fixtures of the migrator tests: an empty scratch database, and a project tree to migrate into it."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from core.db.connect import connect, with_database
from core.db.migrator import PROJECT_ROOT
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
