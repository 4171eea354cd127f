"""What the worker runs for every RQ job: one attempt of one outbox row.

`run(job_id, kind)` is the RQ entry point (the only function RQ ever imports). It keeps one event loop
and one owner connection for the life of the worker process (the worker does not fork per job), marks
the attempt started, runs the kind's function with a timeout inside a transaction that also marks the
row done, and records a failure (retry later, or dead) when it raises or times out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback

import asyncpg

from core.db.connect import assume_owner, connect
from core.settings import DatabaseSettings
from jobs import outbox, registry
from jobs.registry import JobContext, JobDeferred, PermanentJobError
from jobs.settings import JobSettings

log = logging.getLogger("fluentpro.jobs.runner")
# Bookkeeping commits (attempt started, attempt failed) skip the WAL flush: WAL is sequential, so a
# crash loses them only together with everything after them, and then the reconciler re-runs the
# job. The transaction of the job's own writes and its completion is made synchronous again
# (by outbox.COMPLETE_ATTEMPT itself, to save a round trip).
SESSION = {"application_name": "fluentpro_worker", "synchronous_commit": "off"}

# A deferred attempt (JobDeferred): the row waits as pending, its attempt given back (nothing was tried).
# Guarded like the other state changes: only this attempt of a running row.
DEFER_ATTEMPT = """
update private.job_outbox
set status = 'pending', attempts = attempts - 1, run_after = now() + make_interval(secs => $3),
    last_error = left($4, 2000), locked_until = null, updated_at = now()
where job_id = $1 and status = 'running' and attempts = $2
returning status
"""


class AttemptSuperseded(RuntimeError):
    """The row left `running` under this attempt (its lease ran out and it was retried): roll back."""


class _Process:
    """Per-process state: the loop, the connection and the settings, built on first use."""

    loop: asyncio.AbstractEventLoop | None = None
    conn: asyncpg.Connection | None = None
    settings: JobSettings | None = None
    database_url: str | None = None


_state = _Process()


def configure(settings: JobSettings, database_url: str) -> None:
    _state.settings = settings
    _state.database_url = database_url


def run(job_id: int, kind: str) -> str:
    """RQ entry point. Returns the outcome: done, deferred, failed, dead or skipped (not ours to run)."""
    if _state.loop is None:
        _state.loop = asyncio.new_event_loop()
    try:
        return _state.loop.run_until_complete(_run(int(job_id), str(kind)))
    except BaseException:
        # RQ's backstop timeout or a lost database interrupts the loop mid-flight: start clean next time.
        _reset()
        raise


def _reset() -> None:
    loop, conn = _state.loop, _state.conn
    _state.loop, _state.conn = None, None
    if conn is not None:
        conn.terminate()
    if loop is not None:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.close()


async def _connection() -> asyncpg.Connection:
    if _state.conn is None or _state.conn.is_closed():
        url = _state.database_url or DatabaseSettings.from_env().url
        conn = await connect(url, server_settings=SESSION)
        await assume_owner(conn)
        _state.conn = conn
    return _state.conn


async def _run(job_id: int, kind_name: str) -> str:
    settings = _state.settings or JobSettings.from_env()
    kind = registry.settings_for(kind_name)
    conn = await _connection()
    started = await outbox.start_attempt(
        conn, job_id, kind_name, kind.max_attempts, kind.timeout + settings.lease_grace
    )
    if started is None:
        log.info("job %s (%s): not dispatched any more, skipped", job_id, kind_name)
        return "skipped"
    attempt = int(started["attempts"])
    job = JobContext(
        job_id=job_id,
        kind=kind_name,
        payload=json.loads(started["payload"]),
        attempt=attempt,
        max_attempts=int(started["max_attempts"]),
        profile_id=started["profile_id"],
        conn=conn,
    )
    timed_out = False
    try:
        async with conn.transaction():
            try:
                await asyncio.wait_for(_call(job), timeout=kind.timeout)
            except TimeoutError:
                timed_out = True
                raise
            if not await outbox.complete_attempt(conn, job_id, attempt):
                raise AttemptSuperseded(f"job {job_id} attempt {attempt} was superseded")
    except AttemptSuperseded:
        log.warning("job %s (%s) attempt %s superseded; its writes were rolled back", job_id, kind_name, attempt)
        return "skipped"
    except JobDeferred as deferred:
        return await defer_attempt(conn, job, deferred)
    except Exception as exc:  # every failure of a job function is recorded, then retried
        if timed_out or conn.is_closed() or conn.is_in_transaction():
            # A cancelled query can leave the connection mid-protocol: record the failure on a fresh one.
            _state.conn = None
            conn.terminate()
        error = f"timed out after {kind.timeout:g} s" if timed_out else _describe(exc)
        return await _record_failure(job, kind, error, permanent=isinstance(exc, PermanentJobError))
    log.info("job %s (%s) attempt %s done", job_id, kind_name, attempt)
    return "done"


async def defer_attempt(conn: asyncpg.Connection, job: JobContext, deferred: JobDeferred) -> str:
    """Put the running row back to pending for `deferred.retry_in` s; "deferred", or "skipped" if superseded."""
    status = await conn.fetchval(DEFER_ATTEMPT, job.job_id, job.attempt, deferred.retry_in, str(deferred))
    log.info("job %s (%s) waits %.0fs: %s", job.job_id, job.kind, deferred.retry_in, deferred)
    return "deferred" if status is not None else "skipped"


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()


async def _call(job: JobContext) -> None:
    kind = registry.lookup(job.kind)
    if kind is None:
        raise LookupError(f"no function is registered for job kind {job.kind!r}")
    await kind.func(job)


async def _record_failure(job: JobContext, kind: registry.JobKind, error: str, *, permanent: bool) -> str:
    conn = await _connection()
    status = await outbox.fail_attempt(
        conn,
        job.job_id,
        job.attempt,
        permanent=permanent,
        retry_in=kind.backoff.delay(job.attempt),
        error=error,
    )
    log.warning("job %s (%s) attempt %s failed (%s): %s", job.job_id, job.kind, job.attempt, status, error)
    return status or "skipped"
