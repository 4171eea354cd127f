"""The benchmark's own database, Redis database and relay/worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis

from bench.database import create_migrated_database, scratch_name
from core.db.connect import connect_as_owner

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "bench_jobs"

DATABASE = scratch_name("jobs")
SCHEMA = """
create schema bench_jobs;
create table bench_jobs.effects (effect_id bigint generated always as identity primary key, path text not null);
create table bench_jobs.things (thing_id bigint generated always as identity primary key, note text not null);
-- The RPC of the NOTIFY benchmark, twice: a change plus its job, with and without the wake-up.
create function bench_jobs.rpc_with_notify() returns bigint language plpgsql as $$
begin
    insert into bench_jobs.things (note) values ('x');
    return private.enqueue_job('bench__noop', '{"thing": 1}');
end $$;
-- The baseline: private.enqueue_job's insert, without its notification step.
create function bench_jobs.rpc_without_notify() returns bigint language plpgsql as $$
declare new_id bigint;
begin
    insert into bench_jobs.things (note) values ('x');
    insert into private.job_outbox as o (kind, payload, dedupe_key, run_after, profile_id)
    values ('bench__noop', '{"thing": 1}', null, now(), null)
    on conflict (kind, dedupe_key)
    where dedupe_key is not null and status in ('pending', 'dispatched', 'running', 'failed')
    do nothing
    returning o.job_id into new_id;
    return new_id;
end $$;
"""


async def create_database(server_url: str) -> str:
    """A migrated scratch database with the pgbench-style enqueue function; returns its URL."""
    url = await create_migrated_database(server_url, DATABASE)
    conn = await connect_as_owner(url)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()
    return url


@contextmanager
def redis_database(server: str) -> Iterator[str]:
    """A Redis database of our own (1-15), leased in database 0 like the tests do, flushed around use."""
    lock = Redis.from_url(f"{server}/0")
    for number in range(15, 0, -1):
        key = f"fluentpro:test:redis_db:{number}"
        if lock.set(key, os.getpid(), nx=True, ex=900):
            url = f"{server}/{number}"
            Redis.from_url(url).flushdb()
            try:
                yield url
            finally:
                Redis.from_url(url).flushdb()
                lock.delete(key)
            return
    raise RuntimeError("no free Redis database (1-15) for the benchmark")


@contextmanager
def processes(database_url: str, redis_url: str, *commands: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JOBS_QUEUE": QUEUE,
        "JOBS_MODULES": "bench.jobs.kinds",
        "PYTHONPATH": str(ROOT),
    }
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "fluentpro.cli", command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for command in commands
    ]
    try:
        yield started
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
