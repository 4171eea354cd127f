"""Run one outbox row's registered job function in this process, through the worker's own attempt code
(jobs.runner.start and attempt: owner connection, the same bookkeeping and failure codes), to test a
job's effects in detail. The end-to-end tests use the real relay and worker processes; this helper
skips only their transport and the run_after wait (a due or future row alike runs now).

`services` is what the worker would have been started with: not configured by default; the
`openai_env` fixture (tests/ai/conftest.py) points it at the fake OpenAI server."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg

from jobs import registry, runner
from jobs.registry import JobServices
from tests.support.database import TestDatabase

AI_JOB_MODULES = ("jobs.tasks.learning_plans.generate", "jobs.tasks.job_roles.enrich", "jobs.tasks.job_roles.embed")
LEASE_SECONDS = 600.0

services = JobServices()


async def run_inline(db: TestDatabase, job_id: int, *, time_limit: float | None = None) -> str:
    """Run the job: "done", or "deferred" when it waits (JobDeferred: the row is pending again, later).
    On another exception nothing it wrote stays, the attempt is recorded as failed (retryable at once,
    or dead when permanent) with its code, and the exception is raised again. `time_limit` replaces the
    kind's own, to test what its expiry leaves."""
    registry.load(AI_JOB_MODULES)
    async with owner_connections(db) as connection:
        conn = await connection()
        row = await conn.fetchrow("select * from private.job_outbox where job_id = $1", job_id)
        assert row is not None and row["status"] in ("pending", "failed"), dict(row or {})
        kind = registry.lookup(row["kind"])
        assert kind is not None, row["kind"]
        if time_limit is not None:
            kind = dataclasses.replace(kind, timeout=time_limit)
        await conn.execute("update private.job_outbox set run_after = now() where job_id = $1", job_id)
        job = await runner.start(conn, job_id, row["kind"], services, LEASE_SECONDS)
        assert job is not None, dict(row)
        outcome = await runner.attempt(job, kind, connection)
    if outcome.error is not None:
        raise outcome.error
    return outcome.status


@asynccontextmanager
async def owner_connections(db: TestDatabase) -> AsyncIterator[runner.Connect]:
    """A working owner connection on each call: the last one, or a new one when it was terminated."""
    async with AsyncExitStack() as stack:
        current: list[asyncpg.Connection] = []

        async def connection() -> asyncpg.Connection:
            if not current or current[-1].is_closed():
                current.append(await stack.enter_async_context(db.owner()))
            return current[-1]

        yield connection


async def pending_jobs(db: TestDatabase, kind: str) -> list[dict[str, object]]:
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select job_id, payload, profile_id, run_after from private.job_outbox "
            "where kind = $1 and status = 'pending' order by job_id",
            kind,
        )
    return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]
