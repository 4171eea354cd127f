"""The worker against real faults (reliability catalogue R09-R15): retries, dead letters, timeouts.

Real `fluentpro relay` and `fluentpro worker` processes; the test kinds are in tests/jobs/kinds.py.
"""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path

from rq import Queue
from rq.job import Job

from tests.support.database import TestDatabase

from .rows import all_in, effects, enqueue, enqueue_many, rows
from .stack import JobStack, runs, wait_for


async def test_worker_killed_mid_job_is_retried_and_applies_its_effect_once(
    effects_db: TestDatabase, stack: JobStack
) -> None:
    stack.start("relay")
    first = stack.start("worker")
    job_id = await enqueue(effects_db, "tests__slow_first", {"seconds": 60})
    # Attempt 1 has written its effect (uncommitted) and sleeps: kill the worker there.
    await wait_for(lambda: _runs_reached(stack, job_id, 1), "attempt 1 running", stack)
    stack.kill(first)
    assert (await rows(effects_db, job_id))[job_id]["status"] == "running"

    stack.start("worker")
    await wait_for(lambda: all_in(effects_db, [job_id], {"done"}), "the retried job done", stack)
    row = (await rows(effects_db, job_id))[job_id]
    assert row["attempts"] == 2
    assert "attempt lost" in row["last_error"] and row["last_error_code"] == "jobs.attempt_lost"
    assert runs(stack) == {job_id: 2}
    assert await effects(effects_db) == {job_id: 1}
    async with effects_db.owner() as conn:
        assert await conn.fetchval("select attempt from private.test_job_effects") == 2


async def test_poison_payload_goes_dead_after_its_last_attempt_while_later_jobs_run(
    effects_db: TestDatabase, stack: JobStack
) -> None:
    stack.start("relay")
    stack.start("worker")
    poison = await enqueue(effects_db, "tests__strict", {"n": "not a number"})
    later = [await enqueue(effects_db, "tests__strict", {"n": n}) for n in range(10)]

    await wait_for(lambda: all_in(effects_db, [poison], {"dead"}), "the poison job dead", stack)
    await wait_for(lambda: all_in(effects_db, later, {"done"}), "the later jobs done", stack)
    row = (await rows(effects_db, poison))[poison]
    assert (row["attempts"], row["max_attempts"]) == (3, 3)
    assert row["last_error"].startswith("TypeError: n must be an integer")
    assert row["last_error_code"] == "jobs.failed"  # no code of its own
    assert row["finished_at"] is not None
    assert runs(stack)[poison] == 3
    assert await effects(effects_db) == dict.fromkeys(later, 1)


async def test_job_over_its_timeout_is_retried_then_dead(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("relay")
    stack.start("worker")
    hung = await enqueue(effects_db, "tests__hang")
    after = await enqueue(effects_db, "tests__record")

    await wait_for(lambda: all_in(effects_db, [hung], {"dead"}), "the hanging job dead", stack)
    await wait_for(lambda: all_in(effects_db, [after], {"done"}), "the next job done", stack)
    row = (await rows(effects_db, hung))[hung]
    assert row["attempts"] == 2
    assert (row["last_error"], row["last_error_code"]) == ("timed out after 1 s", "jobs.timeout")
    assert runs(stack)[hung] == 2
    assert await effects(effects_db) == {after: 1}  # the timed-out attempts' writes were rolled back


async def test_sigterm_lets_the_running_job_finish(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("relay")
    worker = stack.start("worker")
    job_id = await enqueue(effects_db, "tests__slow_first", {"seconds": 1})
    await wait_for(lambda: _runs_reached(stack, job_id, 1), "the job running", stack)
    stack.stop(worker)  # one SIGTERM: warm shutdown

    assert worker.popen.returncode == 0, f"the worker did not exit on SIGTERM\n{stack.logs()}"
    row = (await rows(effects_db, job_id))[job_id]
    assert (row["status"], row["attempts"]) == ("done", 1)
    assert await effects(effects_db) == {job_id: 1}


async def test_pickled_job_planted_in_redis_never_executes(
    effects_db: TestDatabase, stack: JobStack, tmp_path: Path
) -> None:
    marker = tmp_path / "pickle-ran"
    planted = Queue("fluentpro_jobs", connection=stack.redis)  # RQ's default serializer: pickle
    planted.enqueue_call("pathlib.Path.touch", args=(marker,), job_id="planted")
    # Really a pickle (protocol 2+ streams start with PROTO, 0x80), not JSON.
    assert zlib.decompress(stack.redis.hget("rq:job:planted", "data") or b"")[:1] == pickle.PROTO

    stack.start("relay")
    stack.start("worker")
    job_ids = await enqueue_many(effects_db, "tests__record", 3)
    await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "real jobs done after the planted one", stack)
    assert not marker.exists()
    # The worker did take it, and refused it: it cannot be decoded as JSON.
    assert Job.fetch("planted", connection=stack.redis).get_status() == "failed"


async def _runs_reached(stack: JobStack, job_id: int, count: int) -> bool:
    return runs(stack).get(job_id, 0) >= count
