"""`python -m bench.jobs`: what the outbox costs against enqueueing to RQ directly, in one run.

1. Insert-to-start latency (open loop, `--rate` jobs/s): from the commit of the client's outbox insert
   to the job function's first line, against from just before a direct `enqueue` (what the client
   would do after its commit) to the same point; one worker serves both. Goal: p95 <= direct + 10 ms.
2. Throughput: `--jobs` jobs inserted by 4 clients (outbox) or enqueued directly, until all ran, one
   worker. Goal: outbox >= 0.8 x direct.
3. NOTIFY commit tax: pgbench, 8 clients, an RPC that writes a row and enqueues its job with
   pg_notify, against the same RPC without it, a LISTEN session draining. Goal: >= 0.8.
4. Worker class (informational, why the worker is a SimpleWorker): no-op jobs drained by RQ's forking
   Worker against SimpleWorker.
Batches of both paths alternate, so drift on a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import asyncpg
from redis import Redis

from bench.database import drop_database
from bench.jobs import pgbench, stack
from bench.report import Figure, emit
from core.db.connect import connect_as_owner
from core.settings import DatabaseSettings
from jobs import transport

BENCH = "jobs"
REDIS_SERVER = "redis://127.0.0.1:6379"


async def wait_count(redis: Redis, key: str, count: int, *, kind: str, bound: float = 120.0) -> float:
    """Poll until `key` reaches `count`; returns the time it did. Fails loudly instead of hanging."""
    deadline = time.perf_counter() + bound
    while True:
        value = redis.hlen(key) if kind == "hash" else int(redis.get(key) or 0)
        if value >= count:
            return time.perf_counter()
        if time.perf_counter() > deadline:
            raise SystemExit(f"bench.jobs: only {value}/{count} jobs ran for {key}; is the worker running?")
        await asyncio.sleep(0.002)


async def latency_batch(db_url: str, redis: Redis, series: str, count: int, rate: float) -> list[float]:
    """Open loop at `rate`. t0 is when the enqueueing transaction has committed (outbox), or when the
    direct enqueue starts: what a caller would do right after its own commit."""
    queue = transport.make_queue(redis, stack.QUEUE)
    conn = await connect_as_owner(db_url)
    t0: dict[str, float] = {}
    try:
        begin = time.perf_counter()
        for i in range(count):
            await asyncio.sleep(max(0.0, begin + i / rate - time.perf_counter()))
            if series.startswith("outbox"):
                payload = json.dumps({"series": series})
                job_id = await conn.fetchval("select private.enqueue_job('bench__probe', $1::jsonb)", payload)
                t0[str(job_id)] = time.time()
            else:
                key = f"d{i}"
                t0[key] = time.time()
                queue.enqueue_call("bench.jobs.kinds.direct_probe", args=(series, key), result_ttl=0)
        await wait_count(redis, f"bench:start:{series}", count, kind="hash")
    finally:
        await conn.close()
    started = redis.hgetall(f"bench:start:{series}")
    return [(float(started[key.encode()]) - t0[key]) * 1000 for key in t0]


async def throughput_batch(db_url: str, redis: Redis, series: str, count: int) -> float:
    queue = transport.make_queue(redis, stack.QUEUE)
    clients = [await connect_as_owner(db_url) for _ in range(4)] if series.startswith("outbox") else []
    payload = json.dumps({"series": series})

    async def insert(conn: asyncpg.Connection, n: int) -> None:
        for _ in range(n):
            await conn.fetchval("select private.enqueue_job('bench__probe', $1::jsonb)", payload)

    start = time.perf_counter()
    if clients:
        await asyncio.gather(*(insert(c, count // len(clients)) for c in clients))
    else:
        for _ in range(count):
            queue.enqueue_call("bench.jobs.kinds.direct_probe", args=(series, "-"), result_ttl=0)
    end = await wait_count(redis, f"bench:done:{series}", count - count % max(1, len(clients)), kind="counter")
    for conn in clients:
        await conn.close()
    return count / (end - start)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure_jobs(db_url: str, redis_url: str, args: argparse.Namespace) -> list[Figure]:
    redis = Redis.from_url(redis_url)
    latency: dict[str, list[float]] = {"outbox": [], "direct": []}
    throughput: dict[str, list[float]] = {"outbox": [], "direct": []}
    with stack.processes(db_url, redis_url, "relay", "worker"):
        await latency_batch(db_url, redis, "outbox-warmup", 20, args.rate)
        await latency_batch(db_url, redis, "direct-warmup", 20, args.rate)
        for rep in range(args.reps):
            for path in ("outbox", "direct") if rep % 2 == 0 else ("direct", "outbox"):
                latency[path] += await latency_batch(db_url, redis, f"{path}-{rep}", args.batch, args.rate)
        for rep in range(2):
            for path in ("outbox", "direct") if rep % 2 == 0 else ("direct", "outbox"):
                throughput[path].append(await throughput_batch(db_url, redis, f"{path}-tp-{rep}", args.jobs))
    figures = []
    for name, q in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        outbox, direct = percentile(latency["outbox"], q), percentile(latency["direct"], q)
        goal, met = ("<= direct + 10 ms", outbox <= direct + 10) if name == "p95" else ("", None)
        figures.append(Figure(BENCH, f"insert-to-start {name} (outbox vs direct rq)", outbox, "ms", direct, goal, met))
    outbox_tp, direct_tp = statistics.median(throughput["outbox"]), statistics.median(throughput["direct"])
    figures.append(
        Figure(
            BENCH,
            "throughput, 1 worker (outbox vs direct rq)",
            outbox_tp,
            "jobs/s",
            direct_tp,
            ">= 0.8x",
            outbox_tp >= 0.8 * direct_tp,
        )
    )
    return figures


def progress(started: float, what: str) -> None:
    print(f"bench.jobs: {what} measured ({time.perf_counter() - started:.0f} s)", flush=True)


async def main(args: argparse.Namespace) -> None:
    server = DatabaseSettings.from_env().url
    db_url = await stack.create_database(server)
    try:
        with stack.redis_database(REDIS_SERVER) as redis_url:
            started = time.perf_counter()
            figures = await measure_jobs(db_url, redis_url, args)
            progress(started, "latency and throughput")
            with stack.processes(db_url, redis_url, "relay"):  # drains the outbox, as in production
                figures.append(await pgbench.notify_tax(db_url, args.pgbench_seconds, args.pgbench_reps))
            progress(started, "NOTIFY commit tax")
            figures.append(pgbench.worker_classes(redis_url, args.classes_jobs))
            progress(started, "worker classes")
    finally:
        await drop_database(server, stack.DATABASE)
    emit("bench.jobs: outbox -> relay -> RQ against direct RQ; NOTIFY commit tax; worker class", figures)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=20.0, help="open-loop jobs/s for latency (default 20)")
    parser.add_argument("--batch", type=int, default=40, help="jobs per latency batch (default 40)")
    parser.add_argument("--reps", type=int, default=4, help="latency batches per path (default 4)")
    parser.add_argument("--jobs", type=int, default=300, help="jobs per throughput run (default 300)")
    parser.add_argument("--pgbench-seconds", type=int, default=2, help="seconds per pgbench run (default 2)")
    parser.add_argument("--pgbench-reps", type=int, default=3, help="pgbench runs per variant (default 3)")
    parser.add_argument("--classes-jobs", type=int, default=60, help="jobs per worker-class run (default 60)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
