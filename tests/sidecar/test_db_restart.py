"""The sidecar across a stop and a restart of PostgreSQL: readiness tells, and the pools recover.

The shared test server must not be stopped, so this module's `db` is a database on a private,
throwaway cluster (tests/support/private_postgres.py); the sidecar fixtures build on it unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.fakes.auth0 import FakeAuth0
from tests.jobs.stack import wait_for
from tests.sidecar.conftest import EXCHANGE
from tests.sidecar.forge import access_token
from tests.support.database import TestDatabase
from tests.support.private_postgres import PrivatePostgres, private_database, private_postgres

Client = AsyncTestClient[Any]


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as running:
        yield running


@pytest.fixture
async def db(cluster: PrivatePostgres) -> AsyncIterator[TestDatabase]:
    """Overrides the shared server's per-test clone: these tests stop their server."""
    async with private_database(cluster) as database:
        yield database


async def exchange(client: Client, auth0: FakeAuth0, name: str) -> Any:
    return await client.post("/v1/auth/token", data={**EXCHANGE, "subject_token": access_token(auth0, name)})


async def profile_cache_live(client: Client) -> bool:
    metrics = (await client.get("/metrics")).text
    return "fluentpro_profile_cache_live 1.0" in metrics


async def wait_until_profile_cache_live(client: Client, after: str) -> None:
    async def live() -> bool:
        return await profile_cache_live(client)

    await wait_for(live, f"the profile cache's LISTEN session after {after}")


async def test_ready_is_503_while_the_database_is_down_and_200_once_it_is_back(
    sidecar: Client, auth0: FakeAuth0, cluster: PrivatePostgres
) -> None:
    assert (await sidecar.get("/health/ready")).status_code == 200
    assert (await exchange(sidecar, auth0, "carol")).status_code == 200  # both pools hold connections now

    cluster.stop()
    down = await sidecar.get("/health/ready")
    assert down.status_code == 503
    assert down.json()["checks"] == {"database": "unavailable", "redis": "ok", "job_role_search": "lexical"}
    refused = await exchange(sidecar, auth0, "carol")
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "request.database_unavailable"
    assert await profile_cache_live(sidecar) is False  # its LISTEN session went with the server

    cluster.start()

    async def ready() -> bool:
        return (await sidecar.get("/health/ready")).status_code == 200

    await wait_for(ready, "readiness after the database came back")
    again = await exchange(sidecar, auth0, "carol")
    assert again.status_code == 200, again.text
    await wait_until_profile_cache_live(sidecar, "the database came back")


async def test_exchange_right_after_a_restart_succeeds(
    sidecar: Client, auth0: FakeAuth0, cluster: PrivatePostgres, db: TestDatabase
) -> None:
    first = await exchange(sidecar, auth0, "carol")
    assert first.status_code == 200, first.text
    assert (await sidecar.get("/health/ready")).status_code == 200

    cluster.restart()  # every pooled connection is now dead; no request has found out yet

    second = await exchange(sidecar, auth0, "carol")
    assert second.status_code == 200, second.text
    assert (await sidecar.get("/health/ready")).status_code == 200
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.profiles") == 1
    await wait_until_profile_cache_live(sidecar, "the restart")
