"""Retention: the relay deletes done rows past their retention and dead rows past a longer one, in
bounded batches; every other row stays, whatever its timestamps say."""

from __future__ import annotations

import dataclasses

import pytest
from redis import Redis

from core.settings import SettingsError
from jobs import outbox
from jobs.relay import PURGE_ROUNDS, Purged, Relay
from jobs.settings import DAY, JobSettings
from tests.support.database import TestDatabase

from .rows import all_in, enqueue, rows
from .stack import JobStack, wait_for

HOUR = 3600.0
# Done rows go after an hour, dead rows after two.
SETTINGS = dataclasses.replace(JobSettings(), retention_done=HOUR, retention_dead=2 * HOUR, retention_batch=3)


def relay_with(settings: JobSettings = SETTINGS) -> Relay:
    return Relay(settings, "postgresql://unused", Redis())  # purge() uses only the connection it is given


async def finished_rows(db: TestDatabase, status: str, hours_ago: float, count: int = 1) -> list[int]:
    """`count` rows in `status` whose finished_at lies `hours_ago` hours back (oldest first)."""
    async with db.owner() as conn:
        records = await conn.fetch(
            "insert into private.job_outbox (kind, status, attempts, finished_at) "
            "select 'tests__record', $1, 1, now() - make_interval(secs => $2::float8 * 3600 + i) "
            "from generate_series($3::integer, 1, -1) as i order by i desc returning job_id",
            status,
            hours_ago,
            count,
        )
    return sorted(r["job_id"] for r in records)  # ids follow the insert order: oldest first


async def remaining(db: TestDatabase) -> set[int]:
    return set(await rows(db))


async def test_purge_deletes_old_done_and_older_dead_rows_and_nothing_else(db: TestDatabase) -> None:
    old_done = await finished_rows(db, "done", 1.5, count=7)  # more than two batches of 3
    recent_done = await finished_rows(db, "done", 0.5)
    old_dead = await finished_rows(db, "dead", 3, count=2)
    recent_dead = await finished_rows(db, "dead", 1.5)  # past the done retention, not the dead one
    # Unfinished rows with an old finished_at (left from an earlier life of the row): never purged.
    unfinished = [
        (await finished_rows(db, status, 100))[0] for status in ("pending", "dispatched", "running", "failed")
    ]
    unfinished.append(await enqueue(db, "tests__record"))
    async with db.owner() as conn:
        no_finish_time = await conn.fetchval(
            "insert into private.job_outbox (kind, status) values ('tests__record', 'done') returning job_id"
        )

    async with db.owner() as conn:
        purged = await relay_with().purge(conn)

    assert purged == Purged(done=7, dead=2, more=False)
    assert await remaining(db) == {*recent_done, *recent_dead, *unfinished, no_finish_time}
    assert not set(old_done + old_dead) & await remaining(db)


async def test_one_batch_deletes_at_most_its_limit_oldest_first(db: TestDatabase) -> None:
    old_done = await finished_rows(db, "done", 2, count=5)
    old_dead = await finished_rows(db, "dead", 5, count=5)
    async with db.owner() as conn:
        assert await outbox.purge_finished(conn, "done", HOUR, 3) == 3
        assert await outbox.purge_finished(conn, "dead", 2 * HOUR, 2) == 2
    assert await remaining(db) == {*old_done[3:], *old_dead[2:]}


async def test_a_purge_stops_after_its_rounds_and_the_next_one_finishes(db: TestDatabase) -> None:
    backlog = SETTINGS.retention_batch * PURGE_ROUNDS + 2
    await finished_rows(db, "done", 2, count=backlog)
    relay = relay_with()
    async with db.owner() as conn:
        first = await relay.purge(conn)
        second = await relay.purge(conn)
    assert first == Purged(done=backlog - 2, dead=0, more=True)
    assert second == Purged(done=2, dead=0, more=False)
    assert await remaining(db) == set()


async def test_purge_skips_a_row_locked_by_a_retry_in_progress(db: TestDatabase) -> None:
    (locked,) = await finished_rows(db, "dead", 3)
    await finished_rows(db, "dead", 3)
    async with db.owner() as holder, db.owner() as conn, holder.transaction():
        await holder.execute("select from private.job_outbox where job_id = $1 for update", locked)
        assert await relay_with().purge(conn) == Purged(done=0, dead=1, more=False)  # did not wait
    assert await remaining(db) == {locked}


@pytest.mark.parametrize(("status", "index"), [("done", "job_outbox_done_idx"), ("dead", "job_outbox_dead_idx")])
async def test_purge_batches_can_use_their_partial_index_even_with_a_generic_plan(
    db: TestDatabase, status: outbox.Finished, index: str
) -> None:
    """asyncpg prepares statements; a generic plan must still match the partial index's predicate."""
    async with db.owner() as conn, conn.transaction():
        await conn.execute("set local plan_cache_mode = force_generic_plan")
        await conn.execute("set local enable_seqscan = off")
        await conn.execute(f"prepare purge (float8, integer) as {outbox.PURGE[status]}")
        plan = "\n".join(r[0] for r in await conn.fetch("explain execute purge (3600, 1000)"))
        await conn.execute("deallocate purge")
    assert index in plan, plan


async def test_the_relay_purges_at_start_and_then_every_interval(effects_db: TestDatabase, stack: JobStack) -> None:
    stack.overrides.update(
        JOBS_RETENTION_DONE_SECONDS=str(HOUR),
        JOBS_RETENTION_DEAD_SECONDS=str(2 * HOUR),
        JOBS_RETENTION_INTERVAL_SECONDS="0.5",
    )
    old = await finished_rows(effects_db, "done", 2, count=3) + await finished_rows(effects_db, "dead", 3)
    kept_dead = await finished_rows(effects_db, "dead", 1.5)
    relay = stack.start("relay")
    stack.start("worker")
    fresh = await enqueue(effects_db, "tests__record")
    await wait_for(lambda: _gone(effects_db, old), "the old rows purged at start", stack)
    await wait_for(lambda: all_in(effects_db, [fresh], {"done"}), "a new job done", stack)

    later = await finished_rows(effects_db, "done", 2, count=2)  # past retention after the first purge
    await wait_for(lambda: _gone(effects_db, later), "the rows purged by a later purge", stack)
    assert await remaining(effects_db) == {*kept_dead, fresh}
    assert "relay: purged 3 done and 1 dead outbox row(s) past retention" in relay.log()


async def _gone(db: TestDatabase, job_ids: list[int]) -> bool:
    return not set(job_ids) & await remaining(db)


def test_retention_defaults() -> None:
    defaults = JobSettings()
    assert (defaults.retention_done, defaults.retention_dead) == (7 * DAY, 30 * DAY)
    assert (defaults.retention_interval, defaults.retention_batch) == (60.0, 1000)


def test_retention_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBS_RETENTION_DONE_SECONDS", "86400")
    monkeypatch.setenv("JOBS_RETENTION_DEAD_SECONDS", "172800")
    monkeypatch.setenv("JOBS_RETENTION_INTERVAL_SECONDS", "5")
    monkeypatch.setenv("JOBS_RETENTION_BATCH", "50")
    settings = JobSettings.from_env()
    assert (settings.retention_done, settings.retention_dead) == (DAY, 2 * DAY)
    assert (settings.retention_interval, settings.retention_batch) == (5.0, 50)


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("JOBS_RETENTION_DONE_SECONDS", "0", "must be between 3600 and"),
        ("JOBS_RETENTION_DEAD_SECONDS", "-1", "must be between 3600 and"),
        ("JOBS_RETENTION_DONE_SECONDS", "a week", "must be a number"),
        ("JOBS_RETENTION_DEAD_SECONDS", "nan", "must be finite"),
        ("JOBS_SWEEP_INTERVAL_SECONDS", "inf", "must be finite"),  # every positive setting, not only these
        ("JOBS_RETENTION_DEAD_SECONDS", "3600", "at least JOBS_RETENTION_DONE_SECONDS"),
        ("JOBS_RETENTION_INTERVAL_SECONDS", "0", "must be between 0.1 and"),
        ("JOBS_RETENTION_BATCH", "0", "must be between 1 and"),
        ("JOBS_RETENTION_BATCH", "2.5", "whole number"),
    ],
)
def test_bad_job_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=complaint):
        JobSettings.from_env()
