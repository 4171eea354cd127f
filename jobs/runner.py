"""What the worker runs for every RQ job: one attempt of one outbox row.

`run(job_id, kind)` is the RQ entry point (the only function RQ ever imports). It keeps one event loop
and one owner connection for the life of the worker process (the worker does not fork per job), marks
the attempt started, runs the kind's function with a timeout (the function's writes and the mark that
the attempt is done commit together, in `JobContext.completing`), and records a failure (retry later,
or dead) with its stable code when it raises or times out.

No transaction is open while a job waits on an external call: the connection is in autocommit between
statements, and only `completing()` (after the calls) opens one. A job holding a transaction across a
600 s OpenAI call would pin a connection, its locks and the vacuum horizon for all that time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from core.ai.errors import AIError
from core.db.connect import assume_owner, connect
from jobs import outbox, registry
from jobs.registry import AttemptSuperseded, JobContext, JobDeferred, JobServices, PermanentJobError
from jobs.settings import JobSettings

log = logging.getLogger("fluentpro.jobs.runner")
# Bookkeeping commits (attempt started, attempt failed) skip the WAL flush: WAL is sequential, so a
# crash loses them only together with everything after them, and then the reconciler re-runs the
# job. The transaction of the job's own writes and its completion is made synchronous again
# (by outbox.COMPLETE_ATTEMPT itself, to save a round trip).
SESSION = {"application_name": "fluentpro_worker", "synchronous_commit": "off"}

# The codes of failures that carry none of their own (docs/error_codes.md).
TIMEOUT_CODE = "jobs.timeout"
FAILED_CODE = "jobs.failed"

Connect = Callable[[], Awaitable[asyncpg.Connection]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended: done, deferred, failed (retried later), dead or skipped (not ours to run),
    with the exception of a failed or dead attempt."""

    status: str
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    settings: JobSettings
    database_url: str
    services: JobServices


class _Process:
    """Per-process state: the loop and the connection, built on first use, and the worker's config."""

    loop: asyncio.AbstractEventLoop | None = None
    conn: asyncpg.Connection | None = None
    config: WorkerConfig | None = None


_state = _Process()


def configure(config: WorkerConfig) -> None:
    """Called once by the worker at start: everything a job needs, read from the environment there."""
    _state.config = config


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


def _config() -> WorkerConfig:
    if _state.config is None:
        raise RuntimeError("jobs.runner.configure() was not called: start jobs with `fluentpro worker`")
    return _state.config


async def _connection() -> asyncpg.Connection:
    if _state.conn is None or _state.conn.is_closed():
        conn = await connect(_config().database_url, server_settings=SESSION)
        await assume_owner(conn)
        _state.conn = conn
    return _state.conn


async def _run(job_id: int, kind_name: str) -> str:
    config = _config()
    kind = registry.settings_for(kind_name)
    job = await start(
        await _connection(), job_id, kind_name, config.services, kind.timeout + config.settings.lease_grace
    )
    if job is None:
        log.info("job %s (%s): not dispatched any more, skipped", job_id, kind_name)
        return "skipped"
    return (await attempt(job, kind, _connection)).status


async def start(
    conn: asyncpg.Connection, job_id: int, kind_name: str, services: JobServices, lease_seconds: float
) -> JobContext | None:
    """Mark the attempt started (its lease `lease_seconds`); None when the row is not ours to run."""
    kind = registry.settings_for(kind_name)
    started = await outbox.start_attempt(conn, job_id, kind_name, kind.max_attempts, lease_seconds)
    if started is None:
        return None
    return JobContext(
        job_id=job_id,
        kind=kind_name,
        payload=json.loads(started["payload"]),
        attempt=int(started["attempts"]),
        max_attempts=int(started["max_attempts"]),
        profile_id=started["profile_id"],
        conn=conn,
        services=services,
    )


async def attempt(job: JobContext, kind: registry.JobKind, reconnect: Connect) -> Outcome:
    """Run a started attempt to its end and record how it ended. `reconnect` gives a working owner
    connection for the bookkeeping when the job's own one had to be dropped (a cancelled query)."""
    conn = job.conn
    timed_out = False
    try:
        try:
            await asyncio.wait_for(_call(job), timeout=kind.timeout)
        except TimeoutError:
            timed_out = True
            raise
    except AttemptSuperseded:
        log.warning("job %s (%s) attempt %s superseded; its writes were rolled back", job.job_id, job.kind, job.attempt)
        return Outcome("skipped")
    except JobDeferred as deferred:
        return Outcome(await defer_attempt(conn, job, deferred))
    except Exception as exc:  # every failure of a job function is recorded, then retried
        if timed_out or conn.is_closed() or conn.is_in_transaction():
            # A cancelled query can leave the connection mid-protocol: record the failure on a fresh one.
            conn.terminate()
        text = f"timed out after {kind.timeout:g} s" if timed_out else _describe(exc)
        code = TIMEOUT_CODE if timed_out else failure_code(exc)
        status = await outbox.fail_attempt(
            await reconnect(),
            job.job_id,
            job.attempt,
            permanent=isinstance(exc, PermanentJobError),
            retry_in=kind.backoff.delay(job.attempt),
            error=text,
            code=code,
        )
        log.warning("job %s (%s) attempt %s failed (%s, %s): %s", job.job_id, job.kind, job.attempt, status, code, text)
        return Outcome(status or "skipped", exc)
    log.info("job %s (%s) attempt %s done", job.job_id, job.kind, job.attempt)
    return Outcome("done")


def failure_code(exc: BaseException) -> str:
    """The stable code of a job's failure: its own (AI errors, PermanentJobError), else jobs.failed."""
    if isinstance(exc, AIError | PermanentJobError | JobDeferred):
        return exc.code
    return FAILED_CODE


async def defer_attempt(conn: asyncpg.Connection, job: JobContext, deferred: JobDeferred) -> str:
    """Put the running row back to pending for `deferred.retry_in` s; "deferred", or "skipped" if superseded."""
    waiting = await outbox.defer_attempt(
        conn, job.job_id, job.attempt, retry_in=deferred.retry_in, error=str(deferred), code=deferred.code
    )
    log.info("job %s (%s) waits %.0fs: %s", job.job_id, job.kind, deferred.retry_in, deferred)
    return "deferred" if waiting else "skipped"


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()


async def _call(job: JobContext) -> None:
    kind = registry.lookup(job.kind)
    if kind is None:
        raise LookupError(f"no function is registered for job kind {job.kind!r}")
    await kind.func(job)
    if not job.completed:  # a job with nothing to write: its attempt is done all the same
        async with job.completing():
            pass
