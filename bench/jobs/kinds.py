"""What the benchmark's jobs do: note when they started (wall clock, in Redis, by job key), then write
one row, the work of a minimal job. The outbox kind and the direct RQ function do the same."""

from __future__ import annotations

import asyncio
import os
import time

import asyncpg
from redis import Redis

from core.db.connect import connect_as_owner
from jobs.registry import JobContext, job_kind

EFFECT = "insert into bench_jobs.effects (path) values ($1)"


class _Direct:
    """The direct path's process state, like the runner's: one loop and one connection per worker."""

    loop: asyncio.AbstractEventLoop | None = None
    conn: asyncpg.Connection | None = None
    redis: Redis | None = None


_direct = _Direct()


def _redis() -> Redis:
    if _direct.redis is None:
        _direct.redis = Redis.from_url(os.environ["REDIS_URL"])
    return _direct.redis


def record_start(series: str, key: str) -> None:
    _redis().hset(f"bench:start:{series}", key, time.time())


def record_done(series: str) -> None:
    _redis().incr(f"bench:done:{series}")


@job_kind("bench__probe", timeout=30, max_attempts=1)
async def probe(job: JobContext) -> None:
    record_start(job.payload["series"], str(job.job_id))
    await job.conn.execute(EFFECT, "outbox")
    record_done(job.payload["series"])


def direct_probe(series: str, key: str) -> None:
    """The baseline: an RQ job enqueued directly, no outbox row, same body."""
    record_start(series, key)
    if _direct.loop is None:
        _direct.loop = asyncio.new_event_loop()
    _direct.loop.run_until_complete(_effect())
    record_done(series)


async def _effect() -> None:
    if _direct.conn is None:
        _direct.conn = await connect_as_owner(os.environ["DATABASE_URL"])
    await _direct.conn.execute(EFFECT, "direct")


def noop() -> None:
    """For the worker-class comparison: the cost of running a job and nothing else."""
