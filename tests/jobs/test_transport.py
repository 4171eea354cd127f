"""RQ as transport: JSON only, job id = outbox id, a second dispatch never makes a second job (R05)."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import utcformat

from jobs import transport
from tests.support.database import TestDatabase

from .rows import all_in, effects, enqueue, rows
from .stack import REDIS_SERVER, JobStack, runs, wait_for

QUEUE = "fluentpro_jobs"


@pytest.fixture
def redis(redis_db: int) -> Redis:
    return Redis.from_url(f"{REDIS_SERVER}/{redis_db}")


def queued_ids(redis: Redis) -> list[str]:
    return [raw.decode() for raw in redis.lrange(f"rq:queue:{QUEUE}", 0, -1)]


def test_dispatch_is_json_with_the_outbox_id(redis: Redis) -> None:
    transport.dispatch(transport.make_queue(redis, QUEUE), 42, "tests__record", 10, retry=False)
    assert queued_ids(redis) == ["42"]
    data = json.loads(zlib.decompress(redis.hget("rq:job:42", "data") or b""))
    assert data[0] == "jobs.runner.run"
    assert data[2] == [42, "tests__record"]


def test_second_dispatch_of_a_waiting_job_adds_nothing(redis: Redis) -> None:
    queue = transport.make_queue(redis, QUEUE)
    transport.dispatch(queue, 7, "tests__record", 10, retry=False)
    transport.dispatch(queue, 7, "tests__record", 10, retry=False)  # relay died before marking: again
    assert queued_ids(redis) == ["7"]


def test_retry_replaces_a_leftover_job_of_an_earlier_attempt(redis: Redis) -> None:
    queue = transport.make_queue(redis, QUEUE)
    transport.dispatch(queue, 9, "tests__record", 10, retry=False)
    job = Job.fetch("9", connection=redis, serializer=JSONSerializer)
    job.set_status("started")  # the worker that took it died
    redis.lrem(f"rq:queue:{QUEUE}", 0, "9")
    transport.dispatch(queue, 9, "tests__record", 10, retry=True)
    assert queued_ids(redis) == ["9"]
    assert Job.fetch("9", connection=redis, serializer=JSONSerializer).get_status() == "queued"


def test_not_waiting_tells_lost_jobs_from_live_ones(redis: Redis) -> None:
    queue = transport.make_queue(redis, QUEUE)
    for job_id in (1, 2, 3):
        transport.dispatch(queue, job_id, "tests__record", 10, retry=False)
    redis.hset("rq:job:2", mapping={"status": "started", "started_at": utcformat(datetime.now(UTC))})
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    redis.hset("rq:job:3", mapping={"status": "started", "started_at": utcformat(long_ago)})
    # 1 waits, 2 just started, 3 started long ago with its row still dispatched, 4 vanished.
    assert transport.not_waiting(redis, [1, 2, 3, 4], started_grace=60) == [3, 4]


async def test_relay_crash_between_enqueue_and_mark_runs_the_job_once(
    effects_db: TestDatabase, stack: JobStack
) -> None:
    job_id = await enqueue(effects_db, "tests__record")
    # What a relay leaves when it dies after the RQ enqueue, before its claim commits.
    transport.dispatch(transport.make_queue(stack.redis, QUEUE), job_id, "tests__record", 10, retry=False)
    assert (await rows(effects_db, job_id))[job_id]["status"] == "pending"

    stack.start("relay")
    stack.start("worker")
    await wait_for(lambda: all_in(effects_db, [job_id], {"done"}), "the job done", stack)
    assert runs(stack) == {job_id: 1}
    assert await effects(effects_db) == {job_id: 1}
