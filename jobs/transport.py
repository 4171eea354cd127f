"""RQ as the transport: one queue, JSON serializer, job id = outbox id, unique enqueue.

Outcomes live in Postgres, so RQ keeps nothing after success (`result_ttl=0`): the id is free again
for a retry of the same row. Failed RQ jobs (only when the runner itself crashed) stay a day for
inspection; the relay deletes a stale RQ job before it re-dispatches a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import utcparse

RUNNER = "jobs.runner.run"
# RQ's own SIGALRM timeout only backs up the runner's per-kind asyncio timeout.
RQ_TIMEOUT_MARGIN = 30
FAILED_RQ_JOB_TTL = 86_400
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def make_queue(redis: Redis, name: str) -> Queue:
    return Queue(name, connection=redis, serializer=JSONSerializer)


def rq_job_id(job_id: int) -> str:
    return str(job_id)


def fetch(redis: Redis, job_id: int) -> Job | None:
    try:
        return Job.fetch(rq_job_id(job_id), connection=redis, serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def discard(redis: Redis, job_id: int) -> None:
    """Remove the RQ job of a row (and its registry entries), if any."""
    job = fetch(redis, job_id)
    if job is not None:
        job.delete()


def dispatch(queue: Queue, job_id: int, kind: str, timeout: float, *, retry: bool) -> None:
    """Put the row on RQ. A retry replaces any leftover RQ job of an earlier attempt; a first dispatch
    that finds its job still waiting (the relay died after enqueue, before marking) keeps it."""
    redis = queue.connection
    if retry:
        discard(redis, job_id)
    try:
        _enqueue(queue, job_id, kind, timeout)
    except DuplicateJobError:
        job = fetch(redis, job_id)
        if job is not None and job.get_status(refresh=False) in WAITING:
            return
        discard(redis, job_id)
        _enqueue(queue, job_id, kind, timeout)


def _enqueue(queue: Queue, job_id: int, kind: str, timeout: float) -> None:
    queue.enqueue_call(
        RUNNER,
        args=(job_id, kind),
        job_id=rq_job_id(job_id),
        unique=True,
        timeout=int(timeout) + RQ_TIMEOUT_MARGIN,
        result_ttl=0,
        failure_ttl=FAILED_RQ_JOB_TTL,
        description=f"{kind} #{job_id}",
    )


def not_waiting(redis: Redis, job_ids: Iterable[int], started_grace: float) -> list[int]:
    """The ids whose RQ job is gone (e.g. Redis lost its data) or will not run: not waiting, and not
    started within `started_grace` seconds (a worker marks its row running right after it starts a job,
    so a job started longer ago whose row is still dispatched had its worker die in between)."""
    ids = list(job_ids)
    pipe = redis.pipeline(transaction=False)
    for job_id in ids:
        pipe.hmget(f"rq:job:{rq_job_id(job_id)}", ["status", "started_at"])
    waiting = {status.value.encode() for status in WAITING}
    horizon = datetime.now(UTC) - timedelta(seconds=started_grace)
    lost = []
    for job_id, (status, started_at) in zip(ids, pipe.execute(), strict=True):
        if status in waiting:
            continue
        if status == JobStatus.STARTED.value.encode() and started_at and utcparse(started_at.decode()) > horizon:
            continue
        lost.append(job_id)
    return lost
