"""StatementPool against a real PostgreSQL: reuse, the size bound, and what happens to a connection
whose state is in doubt (a failed statement keeps it; a lost or cancelled one is replaced)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from core.db.statement_pool import StatementPool
from tests.support.database import TestDatabase

PID = "select pg_backend_pid()"


async def test_runs_statements_as_the_configured_role_on_one_warm_connection(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=4, server_settings={"role": "service_role"})
    try:
        assert await pool.fetchval("select current_user") == "service_role"
        assert await pool.fetchval("select $1::int + 1", 41) == 42
        assert len({await pool.fetchval(PID) for _ in range(5)}) == 1  # sequential calls reuse one connection
    finally:
        await pool.close()


async def test_never_opens_more_than_max_size_connections(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=3)
    try:
        pids = await asyncio.gather(*(pool.fetchval("select pg_backend_pid() from pg_sleep(0.05)") for _ in range(12)))
        assert len(set(pids)) == 3
    finally:
        await pool.close()


async def test_a_failed_statement_keeps_its_connection(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=1)
    try:
        pid = await pool.fetchval(PID)
        with pytest.raises(asyncpg.DivisionByZeroError):
            await pool.fetchval("select 1 / 0")
        assert await pool.fetchval(PID) == pid
    finally:
        await pool.close()


async def test_a_lost_connection_is_replaced(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=1)
    try:
        pid = await pool.fetchval(PID)
        admin = await asyncpg.connect(db.url)  # a superuser: the pool's sessions belong to one
        try:
            await admin.execute("select pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        try:
            new_pid = await pool.fetchval(PID)  # the loss was noticed before the statement: a new connection
        except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
            new_pid = await pool.fetchval(PID)  # noticed during it: that call failed, the slot came back
        assert new_pid != pid
    finally:
        await pool.close()


async def test_a_cancelled_statement_discards_its_connection(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=1)
    try:
        pid = await pool.fetchval(PID)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await pool.fetchval("select pg_sleep(5)")
        # The next statement runs at once on a new connection, not behind the cancelled one.
        assert await pool.fetchval(PID) != pid
    finally:
        await pool.close()


async def test_a_failed_connect_gives_the_slot_back(db: TestDatabase) -> None:
    attempts = 0

    async def flaky_connect(dsn: str, **kwargs: object) -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionRefusedError("database down")
        return await asyncpg.connect(dsn, **kwargs)  # type: ignore[arg-type]

    pool = StatementPool(db.url, max_size=1, connect=flaky_connect)
    try:
        with pytest.raises(ConnectionRefusedError):
            await pool.fetchval(PID)
        assert await pool.fetchval("select 1") == 1  # the only slot is usable again
    finally:
        await pool.close()


async def test_close_closes_idle_connections_and_refuses_new_statements(db: TestDatabase) -> None:
    pool = StatementPool(db.url, max_size=2)
    pid = await pool.fetchval(PID)
    await pool.close()
    async with db.owner() as conn:
        assert not await conn.fetchval("select exists (select from pg_stat_activity where pid = $1)", pid)
    with pytest.raises(asyncpg.InterfaceError):
        await pool.fetchval(PID)


def test_max_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_size"):
        StatementPool("postgresql://localhost/x", max_size=0)
