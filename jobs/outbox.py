"""The outbox's state changes, as SQL run by the relay and the worker (as the owner role).

Every change is guarded by the state it expects (and, for a running attempt, by its attempt number),
so a stale relay, a re-delivered RQ job or an attempt whose lease ran out changes nothing.
"""

from __future__ import annotations

from typing import Any, Literal

import asyncpg

CHANNEL = "job_outbox"

# Claim due rows, oldest first, and mark them dispatched, in one statement of the relay's transaction;
# the RQ enqueues follow before the commit, so a failed enqueue rolls the marks back. SKIP LOCKED lets
# several relays claim disjoint rows without waiting. The ids are taken through array(...), which
# runs once: a LIMIT subquery joined in FROM may be rescanned by a nested loop, claiming more than $1.
CLAIM_DUE = """
update private.job_outbox as o
set status = 'dispatched', dispatches = o.dispatches + 1, dispatched_at = now(), updated_at = now()
where o.job_id = any(array(
    select job_id
    from private.job_outbox
    where status in ('pending', 'failed') and run_after <= now()
    order by run_after, job_id
    limit $1
    for update skip locked
))
returning o.job_id, o.kind, o.attempts
"""

# Rows on RQ for longer than $1 seconds: the reconciler checks that their RQ job still waits.
# No lock: a worker starting one of them must not wait for the reconciler's Redis round trip.
STALE_DISPATCHED = """
select job_id, dispatched_at
from private.job_outbox
where status = 'dispatched' and dispatched_at < now() - make_interval(secs => $1)
order by dispatched_at
limit $2
"""

# Only rows still in the state the reconciler saw (a worker may have started one meanwhile).
RESET_TO_PENDING = """
update private.job_outbox as o
set status = 'pending', updated_at = now()
from unnest($1::bigint[], $2::timestamptz[]) as seen (job_id, dispatched_at)
where o.job_id = seen.job_id and o.dispatched_at = seen.dispatched_at and o.status = 'dispatched'
"""

# Attempts whose lease ran out: the worker died or hung past its timeout.
LOST_ATTEMPTS = """
select job_id, kind, attempts, max_attempts
from private.job_outbox
where status = 'running' and locked_until < now()
order by locked_until
limit $1
for update skip locked
"""

# The worker starts an attempt, once per delivery. The relay enqueues to RQ before its claim commits,
# so a fast worker may still see the row as due (pending, or failed and due): matching those states
# makes this update wait for the relay's row lock, then re-check the committed 'dispatched' row.
START_ATTEMPT = """
update private.job_outbox
set status = 'running', attempts = attempts + 1, max_attempts = $3, started_at = now(), updated_at = now(),
    locked_until = now() + make_interval(secs => $4)
where job_id = $1 and kind = $2
    and (status in ('pending', 'dispatched') or (status = 'failed' and run_after <= now()))
returning attempts, max_attempts, payload, profile_id
"""

# Completion commits with the job's own writes, and durably: the session default (worker.SESSION) is
# asynchronous commit, so this statement turns it back on for its transaction (read at commit time).
COMPLETE_ATTEMPT = """
with done as (
    update private.job_outbox
    set status = 'done', finished_at = now(), updated_at = now(), locked_until = null
    where job_id = $1 and status = 'running' and attempts = $2
    returning job_id
)
select (select count(*) from done) as completed, pg_catalog.set_config('synchronous_commit', 'on', true)
"""

# A failed attempt: retried after the backoff, or dead when out of attempts (or the error is permanent).
FAIL_ATTEMPT = """
update private.job_outbox
set status = case when $3 or attempts >= max_attempts then 'dead' else 'failed' end,
    run_after = now() + make_interval(secs => $4),
    last_error = left($5, 2000),
    last_error_code = $6,
    locked_until = null,
    updated_at = now(),
    finished_at = case when $3 or attempts >= max_attempts then now() end
where job_id = $1 and status = 'running' and attempts = $2
returning status
"""

# A deferred attempt (registry.JobDeferred): the row waits as pending, its attempt given back (nothing
# was tried), its reason's code recorded for the features that follow the job (a plan says why it waits).
DEFER_ATTEMPT = """
update private.job_outbox
set status = 'pending', attempts = attempts - 1, run_after = now() + make_interval(secs => $3),
    last_error = left($4, 2000), last_error_code = $5, locked_until = null, updated_at = now()
where job_id = $1 and status = 'running' and attempts = $2
returning status
"""

# Retention: up to $2 rows finished more than $1 seconds ago, oldest first, deleted in one short
# statement. One statement per status, with the status written out, so that even a generic plan
# (asyncpg prepares statements) matches the partial index (job_outbox_done_idx, job_outbox_dead_idx).
# SKIP LOCKED: a row an admin is retrying right now (private.retry_dead_job locks it) is left alone;
# the rows taken stay locked, so still in that status, until the delete.
# The ids are an array(...), computed once: joined instead, the subquery may be rescanned per row of
# the delete, and each rescan skips the rows already deleted and locks the next ones, past the limit.
Finished = Literal["done", "dead"]


def _purge(status: Finished) -> str:
    return f"""
delete from private.job_outbox as o
where o.job_id = any(array(
    select job_id
    from private.job_outbox
    where status = '{status}' and finished_at < now() - make_interval(secs => $1)
    order by finished_at
    limit $2
    for update skip locked
))
"""  # noqa: S608 (status is one of two literals, written out for the partial index)


PURGE: dict[Finished, str] = {status: _purge(status) for status in ("done", "dead")}


async def claim_due(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Inside a transaction: the claimed rows, already marked dispatched (visible at commit)."""
    rows: list[asyncpg.Record] = await conn.fetch(CLAIM_DUE, limit)
    return rows


async def start_attempt(
    conn: asyncpg.Connection, job_id: int, kind: str, max_attempts: int, lease_seconds: float
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(START_ATTEMPT, job_id, kind, max_attempts, lease_seconds)
    return row


async def complete_attempt(conn: asyncpg.Connection, job_id: int, attempt: int) -> bool:
    return bool(await conn.fetchval(COMPLETE_ATTEMPT, job_id, attempt) == 1)


async def fail_attempt(
    conn: asyncpg.Connection,
    job_id: int,
    attempt: int,
    *,
    permanent: bool,
    retry_in: float,
    error: str,
    code: str,
) -> str | None:
    """Record a failed attempt (its text and stable code): "failed" (retried later), "dead", or None
    when the attempt was no longer the row's (superseded)."""
    status: Any = await conn.fetchval(FAIL_ATTEMPT, job_id, attempt, permanent, retry_in, error, code)
    return str(status) if status is not None else None


async def defer_attempt(
    conn: asyncpg.Connection, job_id: int, attempt: int, *, retry_in: float, error: str, code: str
) -> bool:
    """Put the running row back to pending for `retry_in` s, its attempt given back; False if superseded."""
    return await conn.fetchval(DEFER_ATTEMPT, job_id, attempt, retry_in, error, code) is not None


async def purge_finished(conn: asyncpg.Connection, status: Finished, older_than: float, limit: int) -> int:
    """Delete one batch of `status` rows finished over `older_than` s ago; returns how many went."""
    result = await conn.execute(PURGE[status], older_than, limit)
    return int(str(result).split()[-1])
