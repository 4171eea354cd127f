"""The relay against real faults (reliability catalogue R01-R08): nothing lost, nothing run twice.

Every scenario runs the real `fluentpro relay` and `fluentpro worker` processes. Exactly once is
checked three ways per row: the relay put it on RQ once (`dispatches`), the function was entered
once (a Redis counter, outside any transaction) and its effect was committed once.
"""

from __future__ import annotations

import asyncio

import asyncpg

from tests.support.database import TestDatabase

from .redis_proxy import RedisProxy
from .rows import all_in, effects, enqueue_many, rows
from .stack import JobStack, runs, wait_for


async def relay_backends(db: TestDatabase) -> list[int]:
    async with db.owner() as conn:
        return [
            r["pid"]
            for r in await conn.fetch(
                "select pid from pg_stat_activity where datname = current_database() "
                "and application_name = 'fluentpro_relay'"
            )
        ]


async def assert_exactly_once(db: TestDatabase, stack: JobStack, job_ids: list[int], dispatches: int = 1) -> None:
    found = await rows(db, *job_ids)
    assert {r["status"] for r in found.values()} == {"done"}
    assert {r["job_id"]: r["dispatches"] for r in found.values()} == dict.fromkeys(job_ids, dispatches)
    assert {r["job_id"]: r["attempts"] for r in found.values()} == dict.fromkeys(job_ids, 1)
    assert runs(stack) == dict.fromkeys(job_ids, 1)
    assert await effects(db) == dict.fromkeys(job_ids, 1)


async def test_rolled_back_job_never_runs(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("relay")
    stack.start("worker")
    async with effects_db.owner() as conn:
        tx = conn.transaction()
        await tx.start()
        await conn.fetchval("select private.enqueue_job('tests__record', '{}')")
        await tx.rollback()
    committed = await enqueue_many(effects_db, "tests__record", 1)
    await wait_for(lambda: all_in(effects_db, committed, {"done"}), "the committed job", stack)
    assert runs(stack) == dict.fromkeys(committed, 1)
    assert len(await rows(effects_db)) == 1


async def test_rows_committed_while_the_relay_is_down_all_run_once(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("worker")
    job_ids = await enqueue_many(effects_db, "tests__record", 500)
    assert (await rows(effects_db, job_ids[0]))[job_ids[0]]["status"] == "pending"
    stack.start("relay")
    await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "500 jobs done after the relay started", stack)
    await assert_exactly_once(effects_db, stack, job_ids)


async def test_killed_listen_connection_recovers_and_strands_nothing(effects_db: TestDatabase, stack: JobStack) -> None:
    relay = stack.start("relay")
    stack.start("worker")
    warmup = await enqueue_many(effects_db, "tests__record", 1)
    await wait_for(lambda: all_in(effects_db, warmup, {"done"}), "the first job", stack)
    (killed,) = await relay_backends(effects_db)

    admin = await asyncpg.connect(effects_db.url)  # superuser: the relay's session is the server user's
    try:
        assert await admin.fetchval("select pg_terminate_backend($1)", killed)
    finally:
        await admin.close()
    # Committed while the relay has no session: their notifications reach nobody.
    job_ids = await enqueue_many(effects_db, "tests__record", 50)

    await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "jobs committed after the kill", stack)
    reconnected = await relay_backends(effects_db)
    assert len(reconnected) == 1 and reconnected[0] != killed
    assert relay.popen.poll() is None, "the relay exited instead of reconnecting"
    await assert_exactly_once(effects_db, stack, warmup + job_ids)


async def test_two_relays_dispatch_each_row_once(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("relay")
    stack.start("relay")
    stack.start("worker")
    stack.start("worker")
    await wait_for(lambda: _count(relay_backends(effects_db), 2), "both relays listening", stack)
    batches = await asyncio.gather(*(enqueue_many(effects_db, "tests__record", 100) for _ in range(3)))
    job_ids = [job_id for batch in batches for job_id in batch]
    await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "300 jobs done", stack)
    await assert_exactly_once(effects_db, stack, job_ids)


async def test_reconciler_redispatches_jobs_lost_with_redis_data(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.start("relay")
    job_ids = await enqueue_many(effects_db, "tests__record", 20)
    await wait_for(lambda: all_in(effects_db, job_ids, {"dispatched"}), "20 jobs on RQ", stack)
    assert stack.redis.llen("rq:queue:fluentpro_jobs") == 20
    stack.redis.flushdb()  # Redis restarted without persistence: the queue and the jobs are gone

    stack.start("worker")
    await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "the lost jobs re-dispatched and done", stack)
    await assert_exactly_once(effects_db, stack, job_ids, dispatches=2)


async def _count(pids: object, expected: int) -> bool:
    return len(await pids) == expected  # type: ignore[misc]


async def test_redis_down_keeps_rows_pending_then_all_drain(effects_db: TestDatabase, stack: JobStack) -> None:
    proxy = RedisProxy()
    await proxy.up()
    try:
        stack.start("relay", redis_url=f"redis://127.0.0.1:{proxy.port}/{stack.redis_db}")
        stack.start("worker")
        warmup = await enqueue_many(effects_db, "tests__record", 1)
        await wait_for(lambda: all_in(effects_db, warmup, {"done"}), "the first job", stack)

        await proxy.down()
        job_ids = await enqueue_many(effects_db, "tests__record", 20)
        relay = stack.processes[0]
        await wait_for(lambda: _logged(relay.log(), "Redis unavailable"), "the relay noticing Redis is down", stack)
        assert await all_in(effects_db, job_ids, {"pending"}), "rows left pending while Redis is down"
        assert relay.popen.poll() is None

        await proxy.up()
        await wait_for(lambda: all_in(effects_db, job_ids, {"done"}), "the rows drained after Redis came back", stack)
        await assert_exactly_once(effects_db, stack, warmup + job_ids)
    finally:
        await proxy.down()


async def _logged(text: str, needle: str) -> bool:
    return needle in text
