"""The outbox relay (`fluentpro relay`): moves due outbox rows to RQ, and repairs what got lost.

It LISTENs on a direct connection, but a notification is only a wake-up: it sweeps for due rows on
start, after every reconnect, on every notification and every `sweep_interval` seconds, so a missed
NOTIFY (relay down, connection killed) delays a job by at most one interval. Rows are claimed with
`for update skip locked` (several relays never claim the same row), put on RQ with job id = outbox id,
and marked dispatched in the same transaction. The reconciler, on the same cadence, counts attempts
whose lease ran out as failed, and puts back to pending the rows whose RQ job vanished (Redis lost
its data) or stopped waiting without the worker starting them. Every `retention_interval` seconds it
also deletes done and dead rows past their retention, a bounded batch per statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import NamedTuple

import asyncpg
from redis import Redis
from redis.exceptions import RedisError

from core.db.connect import DatabaseUnavailable, assume_owner, connect, redact
from core.settings import DatabaseSettings, RedisSettings, load_dotenv
from jobs import outbox, registry, transport
from jobs.settings import JobSettings

log = logging.getLogger("fluentpro.jobs.relay")
# After a sweep that dispatched something, poll every HOT_POLL s for HOT_WINDOW s; after one that
# dispatched BUSY_BATCH rows or more, also hold, for all but the last WARM_TAIL s of that window, the
# advisory lock that tells private.enqueue_job not to NOTIFY.
HOT_POLL = 0.02
HOT_WINDOW = 1.0
WARM_TAIL = 0.5
BUSY_BATCH = 2
# A purge deletes at most this many batches of each status per turn of the loop: a large backlog
# (retention shortened, or a relay down for days) is worked off over several turns, each delaying the
# next sweep by a few short statements only. The next turn purges again at once while rows are left.
PURGE_ROUNDS = 5
# Key 2 of the job_outbox lock space (supabase/functions_sql/locks/lock_space.sql): "a relay is polling",
# peeked at by private.enqueue_job.
POLLING_LOCK = "private.lock_space('job_outbox'), 2"
# The relay's own writes (claims, marks, repairs) need no WAL flush at commit: if a crash loses them,
# the rows are simply due again, and RQ's unique job id absorbs the second dispatch.
SESSION = {"application_name": "fluentpro_relay", "synchronous_commit": "off"}
# InternalClientError: asyncpg's protocol state broke, as when the server kills the connection in the
# middle of an operation (pg_terminate_backend); the connection is unusable, so reconnect like any loss.
# A server restart (reliability catalogue R04) adds three SQLSTATEs that asyncpg does not count as
# connection errors: 57P01 (fast shutdown) and 57P02 (crash) end a session in the middle of a statement,
# and 57P03 refuses new connections while the server shuts down or starts up. Without them, the relay
# exited on its first reconnect during a `pg_ctl restart` and no row was dispatched until a human came.
CONNECTION_ERRORS = (
    OSError,
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)


class Purged(NamedTuple):
    done: int
    dead: int
    more: bool  # a status still had rows past retention after PURGE_ROUNDS batches


class Pacer:
    """When the relay sweeps next, and whether it holds the "relay is polling" advisory lock.

    Under load, NOTIFYs serialize the enqueueing commits; while the relay polls fast anyway it tells
    enqueuers not to send them. It lets the lock go WARM_TAIL s before it stops polling fast, so an
    enqueuer that saw the lock and commits a moment later is still found by a poll."""

    def __init__(self, sweep_interval: float) -> None:
        self.sweep_interval = sweep_interval
        self.hot_until = 0.0
        self.busy_until = 0.0
        self.holding = False

    def timeout(self) -> float:
        return HOT_POLL if time.monotonic() < self.hot_until else self.sweep_interval

    async def after_sweep(self, conn: asyncpg.Connection, dispatched: int) -> None:
        now = time.monotonic()
        if dispatched:
            self.hot_until = now + HOT_WINDOW
        if dispatched >= BUSY_BATCH:
            # Several rows per poll: commits come faster than NOTIFYs pay off. At a trickle, one row a
            # poll, enqueuers keep notifying, so a lone job starts at once instead of at the next poll.
            self.busy_until = now + HOT_WINDOW
        polling = now < self.busy_until - WARM_TAIL
        if polling and not self.holding:
            self.holding = bool(await conn.fetchval(f"select pg_try_advisory_lock({POLLING_LOCK})"))
        elif self.holding and not polling:
            await conn.fetchval(f"select pg_advisory_unlock({POLLING_LOCK})")
            self.holding = False


class Relay:
    def __init__(self, settings: JobSettings, database_url: str, redis: Redis) -> None:
        self.settings = settings
        self.database_url = database_url
        self.redis = redis
        self.queue = transport.make_queue(redis, settings.queue)
        self.stop = asyncio.Event()
        self.wake = asyncio.Event()

    def request_stop(self) -> None:
        self.stop.set()
        self.wake.set()

    async def run(self) -> None:
        """Serve until stopped; every lost connection is re-made with exponential backoff."""
        delay = 0.2
        while not self.stop.is_set():
            try:
                conn = await connect(self.database_url, server_settings=SESSION)
                await assume_owner(conn)
            except CONNECTION_ERRORS as exc:
                where = redact(self.database_url)
                log.warning("relay: cannot connect to %s (%s); retrying in %.1f s", where, exc, delay)
                await self._pause(delay)
                delay = min(delay * 2, self.settings.reconnect_max)
                continue
            try:
                await self._serve(conn)
                delay = 0.2
            except CONNECTION_ERRORS as exc:
                log.warning("relay: connection lost (%s); reconnecting", exc)
            finally:
                if not conn.is_closed():
                    conn.terminate()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)

    async def _serve(self, conn: asyncpg.Connection) -> None:
        await conn.add_listener(outbox.CHANNEL, lambda *_args: self.wake.set())
        conn.add_termination_listener(lambda _conn: self.wake.set())
        log.info("relay: listening on %s", outbox.CHANNEL)
        redis_delay = 0.2
        next_reconcile = 0.0
        next_purge = 0.0
        pacer = Pacer(self.settings.sweep_interval)
        self.wake.set()  # sweep at once: rows committed while no relay listened
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=pacer.timeout())
            self.wake.clear()
            if conn.is_closed():
                raise asyncpg.InterfaceError("the LISTEN connection was closed")
            try:
                await pacer.after_sweep(conn, await self.sweep(conn, pacer))
                if time.monotonic() >= next_reconcile:
                    next_reconcile = time.monotonic() + self.settings.sweep_interval
                    if await self.reconcile(conn):
                        self.wake.set()
                if time.monotonic() >= next_purge:
                    more = await self._purge_quietly(conn)
                    next_purge = time.monotonic() + (0.0 if more else self.settings.retention_interval)
                redis_delay = 0.2
            except RedisError as exc:
                # Rows stay pending (the claim rolled back); wait for Redis, keep the database session.
                log.warning("relay: Redis unavailable (%s); retrying in %.1f s", exc, redis_delay)
                await self._pause(redis_delay)
                redis_delay = min(redis_delay * 2, self.settings.reconnect_max)
                self.wake.set()

    async def sweep(self, conn: asyncpg.Connection, pacer: Pacer | None = None) -> int:
        """Dispatch every due row, a batch per transaction. Returns how many were dispatched.
        Under a steady stream this loops for long: the pacer hears of every batch, not only the end."""
        total = 0
        while True:
            async with conn.transaction():
                rows = await outbox.claim_due(conn, self.settings.claim_batch)
                for row in sorted(rows, key=lambda r: r["job_id"]):  # RETURNING has no order
                    kind = registry.settings_for(row["kind"])
                    transport.dispatch(self.queue, row["job_id"], row["kind"], kind.timeout, retry=row["attempts"] > 0)
            total += len(rows)
            if pacer is not None and rows:
                await pacer.after_sweep(conn, len(rows))
            if len(rows) < self.settings.claim_batch:
                if total:
                    log.debug("relay: dispatched %d job(s)", total)
                return total

    async def reconcile(self, conn: asyncpg.Connection) -> int:
        """Fail lost attempts and re-queue vanished RQ jobs. Returns how many rows became due again."""
        repaired = 0
        async with conn.transaction():
            for row in await conn.fetch(outbox.LOST_ATTEMPTS, self.settings.claim_batch):
                kind = registry.settings_for(row["kind"])
                status = await outbox.fail_attempt(
                    conn,
                    row["job_id"],
                    row["attempts"],
                    permanent=False,
                    retry_in=kind.backoff.delay(row["attempts"]),
                    error="attempt lost: the worker stopped or hung past the job's timeout",
                    code="jobs.attempt_lost",
                )
                log.warning("relay: job %s attempt %s lost -> %s", row["job_id"], row["attempts"], status)
                repaired += 1
        stale = await conn.fetch(outbox.STALE_DISPATCHED, self.settings.reconcile_after, self.settings.claim_batch)
        seen = {row["job_id"]: row["dispatched_at"] for row in stale}
        lost = transport.not_waiting(self.redis, seen, self.settings.reconcile_after) if seen else []
        if lost:
            result = await conn.execute(outbox.RESET_TO_PENDING, lost, [seen[job_id] for job_id in lost])
            count = int(str(result).split()[-1])
            if count:
                log.warning("relay: %d dispatched job(s) vanished from RQ; re-dispatching %s", count, lost)
            repaired += count
        return repaired

    async def purge(self, conn: asyncpg.Connection) -> Purged:
        """Delete done rows past `retention_done` and dead rows past `retention_dead`, each batch of
        `retention_batch` rows in its own statement (and transaction: the connection is in autocommit)."""
        batch = self.settings.retention_batch
        deleted: dict[outbox.Finished, int] = {"done": 0, "dead": 0}
        retention: dict[outbox.Finished, float] = {
            "done": self.settings.retention_done,
            "dead": self.settings.retention_dead,
        }
        more = False
        for status, older_than in retention.items():
            for _ in range(PURGE_ROUNDS):
                count = await outbox.purge_finished(conn, status, older_than, batch)
                deleted[status] += count
                if count < batch:
                    break
            else:
                more = True
        if deleted["done"] or deleted["dead"]:
            log.info("relay: purged %d done and %d dead outbox row(s) past retention", deleted["done"], deleted["dead"])
        return Purged(deleted["done"], deleted["dead"], more)

    async def _purge_quietly(self, conn: asyncpg.Connection) -> bool:
        """Housekeeping must not stop dispatch: a failed purge (say, a statement timeout) is logged and
        tried again next interval; only a lost connection goes up, to reconnect. Returns `more`."""
        try:
            return (await self.purge(conn)).more
        except CONNECTION_ERRORS:
            raise
        except asyncpg.PostgresError as exc:
            log.warning("relay: purging old outbox rows failed (%s); trying again later", exc)
            return False


def main() -> int:
    load_dotenv()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = JobSettings.from_env()
    registry.load(settings.modules)
    relay = Relay(settings, DatabaseSettings.from_env().url, Redis.from_url(RedisSettings.from_env().url))

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, relay.request_stop)
        await relay.run()

    asyncio.run(serve())
    return 0
