"""The Prometheus collector reports the outbox's rows, lag and NOTIFY backlog, and survives a dead database."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from sidecar.queue_metrics import OutboxCollector
from tests.support.database import TestDatabase

from .rows import enqueue


def scrape(collector: OutboxCollector) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    registry.register(collector)
    assert generate_latest(registry)  # renders as the sidecar's /metrics would
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
    }


async def test_collector_reports_rows_by_status_and_the_oldest_due_row(db: TestDatabase) -> None:
    pending = await enqueue(db, "tests__record")
    dead = await enqueue(db, "tests__strict")
    done = await enqueue(db, "tests__strict")
    async with db.owner() as conn:
        await conn.execute(
            "update private.job_outbox set run_after = now() - interval '90 seconds' where job_id = $1", pending
        )
        await conn.execute("update private.job_outbox set status = 'dead' where job_id = $1", dead)
        await conn.execute("update private.job_outbox set status = 'done' where job_id = $1", done)

    samples = scrape(OutboxCollector(db.url))
    assert samples[("fluentpro_jobs_collector_up", ())] == 1
    assert samples[("fluentpro_jobs_rows", (("kind", "tests__record"), ("status", "pending")))] == 1
    assert samples[("fluentpro_jobs_rows", (("kind", "tests__strict"), ("status", "dead")))] == 1
    assert not any(labels and ("status", "done") in labels for _name, labels in samples)
    assert 90 <= samples[("fluentpro_jobs_oldest_due_age_seconds", (("kind", "tests__record"),))] < 3600
    assert samples[("fluentpro_jobs_oldest_due_age_seconds", (("kind", "tests__strict"),))] == 0
    assert 0 <= samples[("fluentpro_jobs_notify_queue_usage_ratio", ())] < 1


async def test_collector_answers_when_the_database_is_unreachable() -> None:
    samples = scrape(OutboxCollector("postgresql://postgres@127.0.0.1:1/nowhere", timeout=1))
    assert samples == {("fluentpro_jobs_collector_up", ()): 0}
