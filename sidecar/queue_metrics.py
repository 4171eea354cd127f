"""Prometheus metrics of the job queue, read from the outbox at scrape time.

The sidecar registers it for its /metrics while it runs (sidecar/app.py). It lives here, not in jobs/,
because the sidecar must not import jobs/; it reads only the outbox table.
Exposed (done rows are not counted: they only grow, and the partial index skips them):
  fluentpro_jobs_rows{kind,status}               unfinished and dead rows
  fluentpro_jobs_oldest_due_age_seconds{kind}    how long the oldest due row has waited (outbox lag)
  fluentpro_jobs_notify_queue_usage_ratio        pg_notification_queue_usage(): NOTIFY backlog, 0-1
  fluentpro_jobs_collector_up                    0 when the database could not be read
Alert on: oldest_due_age_seconds above a few sweep intervals (relay or Redis down), dead rows growing,
notify queue usage above 0.5 (a listener stuck in a transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from core.db.connect import assume_owner, connect

log = logging.getLogger("sidecar.queue_metrics")

HEALTH = """
select kind, status, count(*) as n,
    coalesce(extract(epoch from now() - min(run_after) filter (
        where status in ('pending', 'failed') and run_after <= now()))::float8, 0) as lag
from private.job_outbox
where status <> 'done'
group by kind, status
"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    lag: dict[str, float] = field(default_factory=dict)
    notify_usage: float = 0.0


async def read_snapshot(database_url: str, seconds: float) -> Snapshot:
    conn = await connect(database_url, timeout=seconds, command_timeout=seconds)
    try:
        await assume_owner(conn)
        snapshot = Snapshot(notify_usage=float(await conn.fetchval("select pg_notification_queue_usage()")))
        for record in await conn.fetch(HEALTH):
            snapshot.rows[(record["kind"], record["status"])] = int(record["n"])
            kind_lag = snapshot.lag.get(record["kind"], 0.0)
            snapshot.lag[record["kind"]] = max(kind_lag, float(record["lag"]))
        return snapshot
    finally:
        await conn.close()


class OutboxCollector(Collector):
    """Reads the outbox on every scrape, on a short-lived connection in a thread of its own (a scrape
    may come from inside the sidecar's event loop, which must not block on it)."""

    def __init__(self, database_url: str, timeout: float = 5.0) -> None:
        self.database_url = database_url
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs-metrics")

    def describe(self) -> list[Metric]:
        return []  # no read at registration time

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("fluentpro_jobs_collector_up", "1 when the outbox could be read at this scrape")
        try:
            future = self._pool.submit(asyncio.run, read_snapshot(self.database_url, self.timeout))
            snapshot = future.result(timeout=self.timeout * 2)
        except Exception as exc:  # a scrape must answer even when the database is down
            log.warning("jobs metrics: cannot read the outbox (%s)", exc.__class__.__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        rows = GaugeMetricFamily(
            "fluentpro_jobs_rows", "Outbox rows by kind and status (done not counted)", labels=["kind", "status"]
        )
        for (kind, status), count in sorted(snapshot.rows.items()):
            rows.add_metric([kind, status], count)
        yield rows
        lag = GaugeMetricFamily(
            "fluentpro_jobs_oldest_due_age_seconds",
            "Seconds the oldest due (pending or retry) row of a kind has waited",
            labels=["kind"],
        )
        for kind, seconds in sorted(snapshot.lag.items()):
            lag.add_metric([kind], seconds)
        yield lag
        usage = GaugeMetricFamily(
            "fluentpro_jobs_notify_queue_usage_ratio",
            "pg_notification_queue_usage(): fraction of the NOTIFY queue in use",
        )
        usage.add_metric([], snapshot.notify_usage)
        yield usage
