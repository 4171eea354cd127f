"""Run one outbox row's registered job function in this process, as the worker does (owner connection,
one transaction with the completion), to test a job's effects in detail. The end-to-end tests use the
real relay and worker processes; this helper skips only their transport."""

from __future__ import annotations

import json

from jobs import registry
from jobs.registry import JobContext
from tests.support.database import TestDatabase

AI_JOB_MODULES = ("jobs.learning_plans", "jobs.job_role_enrichment", "jobs.embeddings")


async def run_inline(db: TestDatabase, job_id: int) -> None:
    """Run the job; on success the row is done, on an exception nothing it wrote stays (it re-raises)."""
    registry.load(AI_JOB_MODULES)
    async with db.owner() as conn:
        row = await conn.fetchrow("select * from private.job_outbox where job_id = $1", job_id)
        assert row is not None and row["status"] in ("pending", "failed"), dict(row or {})
        kind = registry.lookup(row["kind"])
        assert kind is not None, row["kind"]
        job = JobContext(
            job_id=job_id,
            kind=row["kind"],
            payload=json.loads(row["payload"]),
            attempt=row["attempts"] + 1,
            max_attempts=kind.max_attempts,
            profile_id=row["profile_id"],
            conn=conn,
        )
        async with conn.transaction():
            await kind.func(job)
            await conn.execute(
                "update private.job_outbox set status = 'done', attempts = attempts + 1, finished_at = now() "
                "where job_id = $1",
                job_id,
            )


async def pending_jobs(db: TestDatabase, kind: str) -> list[dict[str, object]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select job_id, payload, profile_id, run_after from private.job_outbox "
            "where kind = $1 and status = 'pending' order by job_id",
            kind,
        )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]
