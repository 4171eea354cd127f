"""Real relay and worker processes against the test database and a Redis database of the test's own.

Redis databases 1-15 are claimed with a SET NX lease in database 0, so parallel test runs on one Redis
never share (or flush) each other's data; each claimed database is flushed before and after use.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from redis import Redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
LEASE_SECONDS = 900
# How long a stopped process may take to exit. Generous on purpose: this shared machine has been seen
# to stall for minutes while its clock runs on, and a warm shutdown waits for the running job. It is
# still well under RQ's dequeue timeout (405 s), so a worker that ignores SIGTERM still fails the test.
STOP_BOUND_SECONDS = 180.0


def claim_redis_db() -> int:
    lock = Redis.from_url(f"{REDIS_SERVER}/0")
    for number in range(15, 0, -1):
        if lock.set(f"fluentpro:test:redis_db:{number}", os.getpid(), nx=True, ex=LEASE_SECONDS):
            Redis.from_url(f"{REDIS_SERVER}/{number}").flushdb()
            return number
    raise RuntimeError("no free Redis database (1-15) for the jobs tests; are other test runs stuck?")


def release_redis_db(number: int) -> None:
    Redis.from_url(f"{REDIS_SERVER}/{number}").flushdb()
    Redis.from_url(f"{REDIS_SERVER}/0").delete(f"fluentpro:test:redis_db:{number}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    log_file: IO[bytes]

    def log(self) -> str:
        if not self.log_file.closed:  # stop() closes it
            self.log_file.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


@dataclass
class JobStack:
    """Starts `fluentpro relay` / `fluentpro worker` subprocesses with test settings."""

    database_url: str
    redis_db: int
    log_dir: Path
    overrides: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    @property
    def redis_url(self) -> str:
        return f"{REDIS_SERVER}/{self.redis_db}"

    @property
    def redis(self) -> Redis:
        return Redis.from_url(self.redis_url)

    def env(self, redis_url: str | None = None) -> dict[str, str]:
        return {
            **os.environ,
            "FLUENTPRO_ENV": "test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": redis_url or self.redis_url,
            "JOBS_MODULES": "tests.jobs.kinds",
            "JOBS_SWEEP_INTERVAL_SECONDS": "0.5",
            "JOBS_RECONCILE_AFTER_SECONDS": "1",
            "JOBS_LEASE_GRACE_SECONDS": "1",
            "JOBS_RECONNECT_MAX_SECONDS": "1",
            "PYTHONPATH": str(ROOT),
            **self.overrides,
        }

    def start(self, command: str, redis_url: str | None = None) -> Process:
        index = sum(p.name.startswith(command) for p in self.processes) + 1
        name = f"{command}{index}"
        log_path = self.log_dir / f"{name}.log"
        log_file = log_path.open("wb")
        popen = subprocess.Popen(
            [sys.executable, "-m", "fluentpro.cli", command],
            cwd=ROOT,
            env=self.env(redis_url),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log_path, log_file)
        self.processes.append(process)
        return process

    def kill(self, process: Process) -> None:
        """SIGKILL: no cleanup, as when the machine or the OOM killer takes the process."""
        process.popen.kill()
        process.popen.wait(timeout=30)

    def stop(self, process: Process, bound: float = STOP_BOUND_SECONDS) -> None:
        """SIGTERM, then SIGKILL if the process has not exited within `bound` seconds."""
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGTERM)
            try:
                process.popen.wait(timeout=bound)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=15)
        process.log_file.close()

    def stop_all(self) -> None:
        for process in self.processes:
            with suppress(Exception):
                self.stop(process)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (exit {p.popen.poll()})\n{p.log()}" for p in self.processes)


async def wait_for(
    condition: Callable[[], Awaitable[Any]], what: str, stack: JobStack | None = None, bound: float = 60.0
) -> Any:
    """Poll until `condition()` is truthy; fail with `what` (and the processes' logs) after `bound` s.

    The bound only turns a hang into a clear failure; no test asserts how fast anything is."""
    deadline = asyncio.get_running_loop().time() + bound
    while True:
        value = await condition()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            logs = stack.logs() if stack else ""
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        await asyncio.sleep(0.1)


def runs(stack: JobStack) -> dict[int, int]:
    """How many times each job's function was entered (the test kinds count in Redis)."""
    return {int(k): int(v) for k, v in stack.redis.hgetall("test:runs").items()}
