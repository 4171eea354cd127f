"""Committed private broadcasts, read from PostgreSQL and published to the hub in commit order.

The compat trigger on realtime.messages NOTIFYs `realtime_messages` for each private broadcast when
its transaction commits: the row itself as JSON when it fits in a notification, else just its id.
One LISTEN connection receives them in commit order, reads the id-only rows in one query per batch,
and publishes every row in that same order.

What is guaranteed. While the LISTEN connection is up: every committed private broadcast is
published once, in commit order; a rolled-back one never is. When that connection is lost, the
listener reconnects (backing off up to `reconnect_max_seconds`), LISTENs again, and then replays the
rows inserted since its last confirmed contact with the server, less `replay_window_seconds` (a
transaction's rows carry its start time, so a transaction that began earlier can commit later);
ids already published are skipped, so nothing is doubled. A broadcast whose transaction began more
than the window before the loss and committed during it is missed; replayed rows are ordered by
insertion time, not commit time. Notifications received but not yet published when the loss
happened are kept and published after the reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict, deque
from datetime import datetime, timedelta

import asyncpg

from core.db.connect import connect_as_owner

from .frames import Broadcast
from .hub import Hub

CHANNEL = "realtime_messages"
BATCH = 500
REMEMBERED_IDS = 100_000

log = logging.getLogger("localapi.realtime")

# A terminated backend shows up as a PostgresError (57P01) or an InterfaceError, depending on timing.
CONNECTION_LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class BroadcastListener:
    def __init__(
        self,
        database_url: str,
        hub: Hub,
        *,
        replay_window_seconds: float = 30.0,
        reconnect_max_seconds: float = 5.0,
        keepalive_seconds: float = 5.0,
    ) -> None:
        self._url = database_url
        self._hub = hub
        self._replay_window = timedelta(seconds=replay_window_seconds)
        self._reconnect_max = reconnect_max_seconds
        self._keepalive = keepalive_seconds
        self._pending: deque[str] = deque()  # notifications not yet published; kept across reconnects
        self._wake = asyncio.Event()
        self._published: OrderedDict[str, None] = OrderedDict()
        self._last_contact: datetime | None = None  # server time of the last confirmed contact
        self._task: asyncio.Task[None] | None = None
        self.reconnects = 0
        self._reconnected = asyncio.Condition()
        self.backend_pid: int | None = None  # the LISTEN connection's server process, for logs and tests

    async def start(self) -> None:
        """Listen now (so a failure to reach the database is raised here), then keep listening."""
        conn = await self._open()
        self._task = asyncio.create_task(self._run(conn), name="realtime-listener")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def listening_again(self, reconnects: int) -> None:
        """Return once the listener has reconnected more than `reconnects` times in all."""
        async with self._reconnected:
            await self._reconnected.wait_for(lambda: self.reconnects > reconnects)

    async def _open(self) -> asyncpg.Connection:
        conn = await connect_as_owner(self._url)
        try:
            await conn.add_listener(CHANNEL, self._on_notify)
            conn.add_termination_listener(lambda _conn: self._wake.set())
            contact = await conn.fetchval("select localtimestamp")
            if self._last_contact is not None:
                await self._replay(conn, since=self._last_contact - self._replay_window)
        except BaseException:
            await _close_quietly(conn)
            raise
        self._last_contact = contact
        self.backend_pid = conn.get_server_pid()
        return conn

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        self._pending.append(payload)
        self._wake.set()

    async def _run(self, conn: asyncpg.Connection | None) -> None:
        delay = 0.1
        while True:
            if conn is None:
                await asyncio.sleep(delay)
                try:
                    conn = await self._open()
                except CONNECTION_LOST as exc:
                    log.warning("realtime listener: reconnect failed (%s); retrying", exc.__class__.__name__)
                    delay = min(delay * 2, self._reconnect_max)
                    continue
                async with self._reconnected:
                    self.reconnects += 1
                    self._reconnected.notify_all()
                log.info("realtime listener: listening again")
            delay = 0.1
            try:
                await self._pump(conn)
            except CONNECTION_LOST as exc:
                log.warning("realtime listener: connection lost (%s); reconnecting", exc.__class__.__name__)
            finally:
                await _close_quietly(conn)
            conn = None

    async def _pump(self, conn: asyncpg.Connection) -> None:
        last_contact = time.monotonic()
        while True:
            if not self._pending:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._keepalive)
            idle = not self._pending
            if self._pending:
                notifications = [self._pending[i] for i in range(min(BATCH, len(self._pending)))]
                await self._publish_notified(conn, notifications)
                for _ in notifications:  # only once published: a failed read is retried after a reconnect
                    self._pending.popleft()
            if idle or time.monotonic() - last_contact >= self._keepalive:
                # Also how a lost connection is noticed while nothing is sent.
                self._last_contact = await conn.fetchval("select localtimestamp")
                last_contact = time.monotonic()

    async def _publish_notified(self, conn: asyncpg.Connection, notifications: list[str]) -> None:
        """Publish a batch in notification order: rows carried whole as they are, id-only ones read
        in one query (a row gone by then, e.g. a dropped partition, is skipped)."""
        ids = [n for n in notifications if not n.startswith("{")]
        fetched: dict[str, Broadcast] = {}
        if ids:
            rows = await conn.fetch(
                "select id::text, topic, event, payload::text from realtime.messages where id = any($1::uuid[])", ids
            )
            fetched = {row["id"]: _from_row(row) for row in rows}
        for notification in notifications:
            message = _from_notification(notification) if notification.startswith("{") else fetched.get(notification)
            if message is not None:
                self._publish(message)

    async def _replay(self, conn: asyncpg.Connection, *, since: datetime) -> None:
        topics = self._hub.topics()
        if not topics:
            return
        rows = await conn.fetch(
            "select id::text, topic, event, payload::text from realtime.messages "
            "where extension = 'broadcast' and private is true and inserted_at >= $1 and topic = any($2::text[]) "
            "order by inserted_at, id",
            since,
            topics,
        )
        for row in rows:
            self._publish(_from_row(row))

    def _publish(self, message: Broadcast) -> None:
        row_id = message.id or ""  # always set: these are rows of realtime.messages
        if row_id in self._published:
            return
        self._published[row_id] = None
        while len(self._published) > REMEMBERED_IDS:
            self._published.popitem(last=False)
        self._hub.publish(message)


def _from_row(row: asyncpg.Record) -> Broadcast:
    payload = json.loads(row["payload"]) if row["payload"] is not None else None
    return Broadcast(topic=row["topic"], event=row["event"] or "", payload=payload, id=row["id"])


def _from_notification(notification: str) -> Broadcast:
    row = json.loads(notification)  # written by the compat trigger: {id, topic, event, payload}
    return Broadcast(topic=row["topic"], event=row["event"] or "", payload=row["payload"], id=row["id"])


async def _close_quietly(conn: asyncpg.Connection) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(conn.close(), timeout=2)
    if not conn.is_closed():
        conn.terminate()
