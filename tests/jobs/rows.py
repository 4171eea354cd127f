"""Reading and writing the outbox from tests (as the owner role, like the definer functions do)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from tests.support.database import TestDatabase


async def enqueue(db: TestDatabase, kind: str, payload: dict[str, Any] | None = None, **options: Any) -> int:
    async with db.owner() as conn:
        job_id: int = await conn.fetchval(
            "select private.enqueue_job($1, $2::jsonb, $3, coalesce($4, now()), $5)",
            kind,
            json.dumps(payload or {}),
            options.get("dedupe_key"),
            options.get("run_after"),
            options.get("profile_id"),
        )
    return job_id


async def enqueue_many(db: TestDatabase, kind: str, count: int) -> list[int]:
    """`count` jobs, each committed in its own transaction (as separate requests would)."""
    async with db.owner() as conn:
        return [
            int(await conn.fetchval("select private.enqueue_job($1, $2::jsonb)", kind, json.dumps({"i": i})))
            for i in range(count)
        ]


async def rows(db: TestDatabase, *job_ids: int) -> dict[int, dict[str, Any]]:
    async with db.owner() as conn:
        records = await conn.fetch(
            "select * from private.job_outbox where cardinality($1::bigint[]) = 0 or job_id = any($1) order by job_id",
            list(job_ids),
        )
    return {r["job_id"]: dict(r) for r in records}


async def status_counts(db: TestDatabase) -> Counter[str]:
    async with db.owner() as conn:
        records = await conn.fetch("select status, count(*) as n from private.job_outbox group by status")
    return Counter({r["status"]: r["n"] for r in records})


async def effects(db: TestDatabase) -> Counter[int]:
    """How many effect rows each job applied (committed)."""
    async with db.owner() as conn:
        records = await conn.fetch("select job_id, count(*) as n from private.test_job_effects group by job_id")
    return Counter({r["job_id"]: r["n"] for r in records})


async def all_in(db: TestDatabase, job_ids: list[int], statuses: set[str]) -> bool:
    found = await rows(db, *job_ids)
    return len(found) == len(job_ids) and all(r["status"] in statuses for r in found.values())
