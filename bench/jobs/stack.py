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

from sidecar.db.connect import connect, with_database
from sidecar.db.migrator import Migrator

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "bench_jobs"

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
    name = f"fp_bench_jobs_{os.getpid()}"
    admin = await connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    conn = await connect(with_database(server_url, name))
    try:
        await Migrator(conn, log=lambda _line: None).migrate()
        await conn.execute("set role fluentpro_owner")
        await conn.execute(SCHEMA)
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    admin = await connect(with_database(url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


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
            [sys.executable, "-m", "sidecar.cli", command],
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
