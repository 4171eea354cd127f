"""Connections for single self-contained statements, handed out with no per-call bookkeeping.

The token exchange runs one statement per request (the profile sync, as service_role). asyncpg's Pool
spends about 45 us of CPU per call on things such a statement does not need: a proxy object, a task to
shield each release, a reset hook and idle-connection timers. That was the largest item of an
exchange's CPU time after token verification (bench/token_exchange). Here a connection is taken from a
free list and put back after its statement.

Safety comes from never running anything but one statement outside a transaction, and from
discarding a connection whenever its state is in doubt (it was lost, or its statement was cancelled or
interrupted): a fresh one is opened on demand, never more than `max_size` at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg

Connect = Callable[..., Awaitable[asyncpg.Connection]]


class StatementPool:
    def __init__(
        self,
        dsn: str,
        *,
        max_size: int,
        server_settings: Mapping[str, str] | None = None,
        connect: Connect = asyncpg.connect,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._dsn = dsn
        self._server_settings = dict(server_settings or {})
        self._connect = connect
        # One entry per slot: an open connection, or None for a slot with no connection yet. Last in,
        # first out, so a few warm connections serve a light load and the rest are opened only under load.
        self._slots: asyncio.LifoQueue[asyncpg.Connection | None] = asyncio.LifoQueue()
        for _ in range(max_size):
            self._slots.put_nowait(None)
        self._closed = False

    async def fetchval(self, query: str, *args: Any) -> Any:
        for attempt in (1, 2):
            conn = await self._take()
            try:
                value = await conn.fetchval(query, *args)
            except asyncpg.InternalClientError:
                # asyncpg refuses to start a statement on a connection whose protocol is not idle, before
                # sending anything: the server ended the session while it sat idle and asyncpg has not
                # closed it yet. Replace it, and run the statement once more on a fresh connection.
                self._discard(conn)
                if attempt == 2:
                    raise
                continue
            except asyncpg.PostgresError as exc:
                # The statement failed; the session survives it, unless the server ended the session (FATAL:
                # a terminated backend, a shutdown), which asyncpg may not have noticed yet.
                if getattr(exc, "severity", None) in ("FATAL", "PANIC"):
                    self._discard(conn)
                else:
                    self._give(conn)
                raise
            except BaseException:
                self._discard(conn)  # lost, cancelled or interrupted mid-statement: its state is unknown
                raise
            self._give(conn)
            return value
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """Close the idle connections now; those in use are closed when their statement ends."""
        self._closed = True
        while not self._slots.empty():
            conn = self._slots.get_nowait()
            if conn is not None:
                await conn.close()

    async def _take(self) -> asyncpg.Connection:
        if self._closed:
            raise asyncpg.InterfaceError("the statement pool is closed")
        conn = self._slots.get_nowait() if not self._slots.empty() else await self._slots.get()
        if conn is not None and not conn.is_closed():
            return conn
        try:
            return await self._connect(self._dsn, server_settings=self._server_settings)
        except BaseException:
            self._slots.put_nowait(None)  # give the slot back, still empty
            raise

    def _give(self, conn: asyncpg.Connection) -> None:
        if self._closed or conn.is_closed():
            self._discard(conn)
        else:
            self._slots.put_nowait(conn)

    def _discard(self, conn: asyncpg.Connection) -> None:
        conn.terminate()
        if not self._closed:
            self._slots.put_nowait(None)
