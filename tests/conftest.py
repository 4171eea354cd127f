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
from tests.support.private_postgres import PrivatePostgres
from tests.support.run_cluster import start_for_run, stop_for_run

# Unset, FLUENTPRO_ENV means production; processes the tests start inherit `test` unless they say otherwise.
os.environ.setdefault("FLUENTPRO_ENV", "test")
# The processes tests start (`fluentpro dev`, serve) search lexically: encoding the whole seeded
# catalogue would cost each of them a core for half a minute. tests/sidecar/test_semantic_search.py
# turns the encoder on, over a small catalogue.
os.environ.setdefault("JOB_ROLE_ENCODER", "off")

__all__ = ["client_stack"]
_RUN_CLUSTER = pytest.StashKey[PrivatePostgres | None]()


def pytest_configure(config: pytest.Config) -> None:
    # Only the controlling process starts the run's server; xdist workers inherit TEST_DATABASE_URL.
    if not hasattr(config, "workerinput"):
        config.stash[_RUN_CLUSTER] = start_for_run()


def pytest_unconfigure(config: pytest.Config) -> None:
    cluster = config.stash.get(_RUN_CLUSTER, None)
    if cluster is not None:
        stop_for_run(cluster)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the one `fluentpro dev` stack run in one xdist worker (`--dist loadgroup`), which then
    starts that stack once; every other test goes wherever a worker is free."""
    for item in items:
        if "client_stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("client_stack"))


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
