"""A LISTEN session kept up for as long as the app runs: probed now and then, reconnected with backoff.

Notifications sent while the session is down are lost, so a listener is told when it goes live (again)
and when it goes dark, as well as each payload: a cache of database facts starts from nothing when it
goes live, and stops trusting itself when it goes dark. The profile cache (sidecar/auth/profile_cache.py)
listens this way.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

log = logging.getLogger("sidecar.listening")


class ChannelListener:
    """LISTENs on `channel` as service_role; subclasses say what going live, dark and a payload mean."""

    channel: str
    application_name: str  # how the session shows in pg_stat_activity

    def __init__(
        self, dsn: str, *, probe_interval: float = 5.0, probe_timeout: float = 2.0, max_backoff: float = 30.0
    ) -> None:
        self.dsn = dsn
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self.max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None

    async def went_live(self) -> None:
        """LISTEN is (again) in place; notifications sent before now may have been missed."""

    def went_dark(self) -> None:
        """Notifications can no longer be trusted to arrive."""

    def notified(self, payload: str) -> None:
        """One notification on the channel (called on the event loop, so it must not block)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.channel}-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.went_dark()

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self._listen_until_lost()
                backoff = 0.5  # it was up: retry soon
            except (
                OSError,
                TimeoutError,
                asyncpg.PostgresError,  # 57P01-57P03 too: a server restart must not end the listener
                asyncpg.InterfaceError,
                asyncpg.InternalClientError,  # protocol state broken by a connection killed mid-operation
            ) as exc:
                log.warning("%s listener unavailable", self.channel, extra={"error": repr(exc)})
            self.went_dark()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _listen_until_lost(self) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(
            self.dsn, server_settings={"role": "service_role", "application_name": self.application_name}
        )
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(self.channel, self._on_notification)
            await self.went_live()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self.probe_interval)
                except TimeoutError:
                    # A connection can die without a word (a partition): ask it something now and then.
                    await asyncio.wait_for(conn.fetchval("select 1"), self.probe_timeout)
        finally:
            self.went_dark()
            conn.terminate()

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.notified(payload)
