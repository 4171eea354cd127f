"""Fixtures shared by every test: a template database built once from the real migrations, and a
fresh clone of it per test with the PostgREST emulation attached."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import client_stack  # one `fluentpro dev` stack for tests/clients and tests/docs
from tests.support.database import (
    BackgroundDropper,
    TestDatabase,
    build_template,
    clone,
    drop_database,
    drop_stale_databases,
)

# Unset, FLUENTPRO_ENV means production; processes the tests start inherit `test` unless they say otherwise.
os.environ.setdefault("FLUENTPRO_ENV", "test")

__all__ = ["client_stack"]


@pytest.fixture(scope="session")
async def dropper() -> AsyncIterator[BackgroundDropper]:
    background = BackgroundDropper()
    yield background
    await background.wait()


@pytest.fixture(scope="session")
async def template_db(dropper: BackgroundDropper) -> AsyncIterator[str]:
    await drop_stale_databases()
    name = await build_template()
    yield name
    await dropper.wait()  # clones first: a template cannot be dropped while copies are being made
    await drop_database(name)


@pytest.fixture
async def db(template_db: str, dropper: BackgroundDropper) -> AsyncIterator[TestDatabase]:
    database = await clone(template_db)
    try:
        yield database
    finally:
        await database.api.close()
        dropper.drop(database.name)
