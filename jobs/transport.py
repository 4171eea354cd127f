"""RQ as the transport: one queue, JSON serializer, job id = outbox id, unique enqueue.

Outcomes live in Postgres, so RQ keeps nothing after success (`result_ttl=0`): the id is free again
for a retry of the same row. Failed RQ jobs (only when the runner itself crashed) stay a day for
inspection; the relay deletes a stale RQ job before it re-dispatches a row.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

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


def not_waiting(redis: Redis, job_ids: Iterable[int]) -> list[int]:
    """The ids whose RQ job is gone (e.g. Redis lost its data) or is no longer waiting to run."""
    ids = list(job_ids)
    pipe = redis.pipeline(transaction=False)
    for job_id in ids:
        pipe.hget(f"rq:job:{rq_job_id(job_id)}", "status")
    statuses = pipe.execute()
    waiting = {status.value.encode() for status in WAITING}
    return [job_id for job_id, status in zip(ids, statuses, strict=True) if status not in waiting]
