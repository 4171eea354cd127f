"""The NOTIFY commit tax (pgbench) and the worker-class comparison, each against its same-run baseline."""

from __future__ import annotations

import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from redis import Redis

from bench.jobs.stack import ROOT
from bench.report import Figure
from core.db.connect import connect
from jobs import transport

BENCH = "jobs"
TPS = re.compile(r"tps = ([0-9.]+) \(without initial connection time\)")


async def _pgbench(db_url: str, sql: str, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(sql + "\n")
    try:
        process = await asyncio.create_subprocess_exec(
            "pgbench",
            "-n",
            "-c",
            "8",
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            script.name,
            db_url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
    finally:
        Path(script.name).unlink()  # noqa: ASYNC240 - a tiny local file
    match = TPS.search(out.decode())
    if process.returncode != 0 or match is None:
        raise SystemExit(f"bench.jobs: pgbench failed: {err.decode()[-500:]}")
    return float(match.group(1))


async def notify_tax(db_url: str, seconds: int, reps: int) -> Figure:
    """Commits/s of the RPC with pg_notify against without, while the relay drains the outbox."""
    listener = await connect(db_url)
    received = 0

    def count(*_args: object) -> None:
        nonlocal received
        received += 1

    await listener.add_listener("job_outbox", count)
    rates: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for variant in ("with", "without"):  # warm-up: caches, plans, the relay's first batches
            await _pgbench(db_url, f"select bench_jobs.rpc_{variant}_notify();", 1)
        for rep in range(reps):
            for variant in ("with", "without") if rep % 2 == 0 else ("without", "with"):
                await listener.execute("truncate private.job_outbox, bench_jobs.things")
                before = received
                rates[variant].append(await _pgbench(db_url, f"select bench_jobs.rpc_{variant}_notify();", seconds))
                notes = received - before
                print(f"bench.jobs: {variant} pg_notify: {rates[variant][-1]:.0f} tps, {notes} notifications")
    finally:
        await listener.close()
    with_notify, without = statistics.median(rates["with"]), statistics.median(rates["without"])
    assert received > 0, "the LISTEN session got no notification"
    return Figure(
        BENCH,
        "RPC commits/s, 8 clients (with pg_notify vs without)",
        with_notify,
        "tps",
        without,
        ">= 0.8x",
        with_notify >= 0.8 * without,
    )


WORKER_SCRIPT = """
import sys, time
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer
redis = Redis.from_url(sys.argv[1])
cls = {"simple": SimpleWorker, "fork": Worker}[sys.argv[2]]
worker = cls([Queue("bench_classes", connection=redis, serializer=JSONSerializer)], connection=redis,
             serializer=JSONSerializer)
start = time.perf_counter()
worker.work(burst=True, logging_level="ERROR")
print(time.perf_counter() - start)
"""


def worker_classes(redis_url: str, jobs: int) -> Figure:
    """No-op jobs/s: SimpleWorker (runs jobs in-process) against RQ's Worker (forks a horse per job)."""
    redis = Redis.from_url(redis_url)
    queue = transport.make_queue(redis, "bench_classes")
    rates: dict[str, float] = {}
    for cls in ("fork", "simple"):
        for _ in range(jobs):
            queue.enqueue_call("bench.jobs.kinds.noop", result_ttl=0)
        result = subprocess.run(
            [sys.executable, "-c", WORKER_SCRIPT, redis_url, cls],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        rates[cls] = jobs / float(result.stdout.strip().splitlines()[-1])
        assert queue.count == 0, f"{cls} worker left jobs behind"
    return Figure(
        BENCH,
        "no-op jobs/s (SimpleWorker vs forking Worker)",
        rates["simple"],
        "jobs/s",
        rates["fork"],
        "informational",
        None,
    )
