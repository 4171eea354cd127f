"""The exchange's profile cache: what it may answer, and how PostgreSQL's notifications keep it honest
(a suspension, a role, new facts in the token, a lost LISTEN connection)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from sidecar.auth.profile_cache import APPLICATION_NAME, KnownProfile, ProfileCache
from sidecar.auth.upstream import UpstreamIdentity
from sidecar.services import services_of
from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.forge import access_token
from tests.sidecar.test_token_exchange import assert_refused, decode_minted, exchange
from tests.support.database import TestDatabase

Client = AsyncTestClient[Any]
ALICE = UpstreamIdentity(subject="auth0|alice", email="alice@example.com", email_verified=True, name="Alice")


def known(identity: UpstreamIdentity = ALICE, status: str = "active") -> KnownProfile:
    return KnownProfile(profile_id=uuid.uuid4(), status=status, roles=("learner",), synced=identity)


def live_cache(size: int = 10) -> ProfileCache:
    cache = ProfileCache(size)
    cache.go_live()
    return cache


# -- the cache on its own ------------------------------------------------------------------------


def test_a_token_with_new_facts_is_a_miss_and_one_without_facts_is_a_hit() -> None:
    cache = live_cache()
    cache.put(known(), cache.generation)
    assert cache.get(ALICE) is not None
    assert cache.get(UpstreamIdentity("auth0|alice", None, False, None)) is not None  # facts it lacks are kept
    assert cache.get(UpstreamIdentity("auth0|alice", "new@example.com", True, "Alice")) is None
    assert cache.get(UpstreamIdentity("auth0|alice", "alice@example.com", False, "Alice")) is None
    assert cache.get(UpstreamIdentity("auth0|alice", "alice@example.com", True, "Alicia")) is None
    assert cache.get(UpstreamIdentity("auth0|bob", None, False, None)) is None


def test_a_read_older_than_an_invalidation_is_not_kept() -> None:
    cache = live_cache()
    read_at = cache.generation
    cache.invalidate(uuid.uuid4())  # a change committed while the profile was being read
    cache.put(known(), read_at)
    assert cache.get(ALICE) is None


def test_invalidation_drops_the_profile_by_its_id() -> None:
    cache = live_cache()
    profile = known()
    cache.put(profile, cache.generation)
    cache.invalidate(profile.profile_id)
    assert cache.get(ALICE) is None
    assert len(cache) == 0


def test_the_least_recently_used_profile_goes_first() -> None:
    cache = live_cache(size=2)
    people = [UpstreamIdentity(f"auth0|{n}", None, False, None) for n in ("a", "b", "c")]
    cache.put(known(people[0]), cache.generation)
    cache.put(known(people[1]), cache.generation)
    assert cache.get(people[0]) is not None  # a is now the most recently used
    cache.put(known(people[2]), cache.generation)
    assert [cache.get(p) is not None for p in people] == [True, False, True]


def test_a_dark_cache_answers_nothing_and_keeps_nothing() -> None:
    cache = live_cache()
    cache.put(known(), cache.generation)
    cache.go_dark()
    assert cache.get(ALICE) is None
    cache.put(known(), cache.generation)
    assert len(cache) == 0
    cache.go_live()
    assert cache.get(ALICE) is None  # back live, but starting from nothing


def test_size_zero_keeps_nothing() -> None:
    cache = live_cache(size=0)
    cache.put(known(), cache.generation)
    assert cache.get(ALICE) is None


# -- the cache in the sidecar, against PostgreSQL ---------------------------------------------------


def cache_of(client: Client) -> ProfileCache:
    cache: ProfileCache = services_of(client.app.state).exchanger.profiles
    return cache


async def until(condition: Any, what: str) -> None:
    for _ in range(1000):  # waits for an event, up to a generous bound; never a timing assertion
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def heard_by(client: Client) -> AsyncIterator[None]:
    """Run a change to profiles or roles, then wait until the sidecar's cache has heard of it."""
    cache = cache_of(client)
    before = cache.generation
    yield
    await until(lambda: not cache.live or cache.generation != before, "the cache hears of the change")


class CountingPool:
    """Counts the statements the exchange sends to PostgreSQL."""

    def __init__(self, client: Client) -> None:
        self.calls = 0
        pool = services_of(client.app.state).exchanger.pool
        original = pool.fetchval

        async def counted(query: str, *args: Any) -> Any:
            self.calls += 1
            return await original(query, *args)

        pool.fetchval = counted


async def registered(client: Client, auth0: FakeAuth0, name: str) -> str:
    """Register `name` once the LISTEN connection is up, and exchange again so the profile is cached;
    returns the minted tokens' subject. Registration grants `learner`, which notifies: the cache must
    hear of it before the second exchange, or that notification would drop the entry again."""
    await until(lambda: cache_of(client).live, "the profile listener connects")
    async with heard_by(client):
        response = await exchange(client, access_token(auth0, name))
    assert response.status_code == 200, response.text
    assert (await exchange(client, access_token(auth0, name))).status_code == 200
    return str(decode_minted(response.json()["access_token"])["sub"])


async def test_a_returning_user_is_answered_without_the_database(sidecar: Client, auth0: FakeAuth0) -> None:
    subject = await registered(sidecar, auth0, "alice")
    statements = CountingPool(sidecar)
    for _ in range(3):
        response = await exchange(sidecar, access_token(auth0, "alice"))
        assert decode_minted(response.json()["access_token"])["sub"] == subject
    assert statements.calls == 0


async def test_metrics_show_hits_and_whether_the_cache_is_live(sidecar: Client, auth0: FakeAuth0) -> None:
    def hits(text: str) -> float:
        line = next(x for x in text.splitlines() if x.startswith('fluentpro_profile_cache_lookups_total{result="hit"}'))
        return float(line.split()[-1])

    await registered(sidecar, auth0, "alice")
    before = hits((await sidecar.get("/metrics")).text)
    await exchange(sidecar, access_token(auth0, "alice"))
    metrics = (await sidecar.get("/metrics")).text
    assert hits(metrics) == before + 1
    assert "fluentpro_profile_cache_live 1.0" in metrics


async def test_new_facts_in_the_token_are_synced(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    subject = await registered(sidecar, auth0, "alice")
    statements = CountingPool(sidecar)
    token = access_token(auth0, "alice", **{"https://fluentpro.app/email": "alice@new.example.com"})
    assert (await exchange(sidecar, token)).status_code == 200
    assert statements.calls == 1
    async with db.owner() as conn:
        assert await conn.fetchval(
            "select email::text from app.profiles where profile_id = $1", uuid.UUID(subject)
        ) == ("alice@new.example.com")


async def test_a_suspension_reaches_a_cached_user(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    subject = await registered(sidecar, auth0, "bob")
    async with heard_by(sidecar), db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", uuid.UUID(subject))
    assert_refused(await exchange(sidecar, access_token(auth0, "bob")), 403, "auth.profile_suspended")
    async with heard_by(sidecar), db.owner() as conn:
        await conn.execute("update app.profiles set status = 'active' where profile_id = $1", uuid.UUID(subject))
    assert (await exchange(sidecar, access_token(auth0, "bob"))).status_code == 200


async def test_a_granted_role_reaches_a_cached_user(sidecar: Client, auth0: FakeAuth0, db: TestDatabase) -> None:
    subject = await registered(sidecar, auth0, "carol")
    async with heard_by(sidecar), db.owner() as conn:
        await conn.execute(
            "insert into app.profile_roles (profile_id, role_id) values ($1, 'job_role_reviewer')", uuid.UUID(subject)
        )
    response = await exchange(sidecar, access_token(auth0, "carol"))
    assert decode_minted(response.json()["access_token"])["app_roles"] == ["job_role_reviewer", "learner"]


async def test_a_lost_listener_empties_the_cache_until_it_is_back(
    sidecar: Client, auth0: FakeAuth0, db: TestDatabase
) -> None:
    subject = await registered(sidecar, auth0, "dave")
    cache = cache_of(sidecar)
    assert len(cache) == 1
    admin = await asyncpg.connect(db.url)  # a superuser: the listener's session belongs to one
    try:
        await admin.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = $2",
            APPLICATION_NAME,
            db.name,
        )
    finally:
        await admin.close()
    await until(lambda: not cache.live, "the cache goes dark")
    assert len(cache) == 0
    # While dark, a change is seen at once: the exchange asks the database.
    async with db.owner() as conn:
        await conn.execute("update app.profiles set status = 'suspended' where profile_id = $1", uuid.UUID(subject))
    assert_refused(await exchange(sidecar, access_token(auth0, "dave")), 403, "auth.profile_suspended")
    await until(lambda: cache.live, "the listener reconnects")


@pytest.mark.parametrize("table", ["app.profiles", "app.profile_roles"])
async def test_changes_notify_with_the_profile_id_only(db: TestDatabase, table: str) -> None:
    async with db.owner() as conn:
        profile_id = await conn.fetchval(
            "insert into app.profiles (auth0_subject) values ('auth0|erin') returning profile_id"
        )
        heard: list[str] = []
        await conn.add_listener("profile_changes", lambda *args: heard.append(args[3]))
        if table == "app.profiles":
            await conn.execute("update app.profiles set full_name = 'Erin' where profile_id = $1", profile_id)
        else:
            await conn.execute("insert into app.profile_roles (profile_id, role_id) values ($1, 'admin')", profile_id)
        await until(lambda: bool(heard), "the notification arrives")
        assert heard == [str(profile_id)]
