"""Run one outbox row's registered job function in this process, as the worker does (owner connection,
the same attempt bookkeeping, one transaction with the completion), to test a job's effects in detail.
The end-to-end tests use the real relay and worker processes; this helper skips only their transport
and the run_after wait (a due or future row alike runs now)."""

from __future__ import annotations

import json

from jobs import outbox, registry, runner
from jobs.registry import JobContext, JobDeferred, PermanentJobError
from tests.support.database import TestDatabase

AI_JOB_MODULES = ("jobs.tasks.learning_plans.generate", "jobs.tasks.job_roles.enrich", "jobs.tasks.job_roles.embed")
LEASE_SECONDS = 600.0


async def run_inline(db: TestDatabase, job_id: int) -> str:
    """Run the job: "done", or "deferred" when it waits (JobDeferred: the row is pending again, later).
    On another exception nothing it wrote stays, the attempt is recorded as failed (retryable at once,
    or dead when permanent), and the exception is raised again."""
    registry.load(AI_JOB_MODULES)
    async with db.owner() as conn:
        row = await conn.fetchrow("select * from private.job_outbox where job_id = $1", job_id)
        assert row is not None and row["status"] in ("pending", "failed"), dict(row or {})
        kind = registry.lookup(row["kind"])
        assert kind is not None, row["kind"]
        await conn.execute("update private.job_outbox set run_after = now() where job_id = $1", job_id)
        started = await outbox.start_attempt(conn, job_id, row["kind"], kind.max_attempts, LEASE_SECONDS)
        assert started is not None, dict(row)
        job = JobContext(
            job_id=job_id,
            kind=row["kind"],
            payload=json.loads(started["payload"]),
            attempt=int(started["attempts"]),
            max_attempts=int(started["max_attempts"]),
            profile_id=started["profile_id"],
            conn=conn,
        )
        try:
            async with conn.transaction():
                await kind.func(job)
                assert await outbox.complete_attempt(conn, job_id, job.attempt)
        except JobDeferred as deferred:
            return await runner.defer_attempt(conn, job, deferred)
        except Exception as exc:
            permanent = isinstance(exc, PermanentJobError)
            await outbox.fail_attempt(conn, job_id, job.attempt, permanent=permanent, retry_in=0, error=str(exc))
            raise
    return "done"


async def pending_jobs(db: TestDatabase, kind: str) -> list[dict[str, object]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select job_id, payload, profile_id, run_after from private.job_outbox "
            "where kind = $1 and status = 'pending' order by job_id",
            kind,
        )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]
