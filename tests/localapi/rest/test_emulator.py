"""In-process, the Data API answers as PostgREST would: statuses, bodies, settings, transactions
(PostgREST docs, References > Transactions and References > Errors)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.database import TestDatabase

FIXTURE_FUNCTIONS = """
create table private.probe_writes (note text);
create function api.t_fail(state text) returns text language plpgsql as $$
begin
  insert into private.probe_writes values (state);
  raise exception 'failed on purpose' using errcode = state;
end $$;
create function api.t_custom() returns void language sql as $$
  select private.raise_error('test.custom', 'custom failure', 422, '{"field": "x"}')
$$;
create function api.t_whoami() returns jsonb language sql stable as $$
  select jsonb_build_object(
    'role', current_user, 'uid', auth.uid(), 'claims', auth.jwt(),
    'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
    'timeout', current_setting('statement_timeout'), 'read_only', current_setting('transaction_read_only'))
$$;
create function api.t_add(a integer, b integer default 10) returns integer language sql immutable as $$ select a + b $$;
create function api.t_rows(n integer) returns table (i integer) language sql stable as $$
  select generate_series(1, n) $$;
create function api.t_void() returns void language sql as $$ select $$;
create function api.t_status() returns text language plpgsql as $$
begin
  perform set_config('response.status', '201', true);
  return 'created';
end $$;
grant execute on function api.t_fail(text), api.t_custom(), api.t_whoami(), api.t_add(integer, integer),
  api.t_rows(integer), api.t_void(), api.t_status() to anon, authenticated, service_role;
grant insert on private.probe_writes to anon, authenticated, service_role;
"""


@pytest.fixture
async def api_db(db: TestDatabase) -> TestDatabase:
    async with db.owner() as conn:
        await conn.execute(FIXTURE_FUNCTIONS)
    await db.api.reload_schema_cache()
    return db


@pytest.mark.parametrize(
    ("state", "as_anon", "status"),
    [
        ("42501", True, 401),
        ("42501", False, 403),
        ("PT402", False, 402),
        ("PT418", True, 418),
        ("23505", False, 409),
        ("23503", False, 409),
        ("23514", False, 400),
        ("P0001", False, 400),
        ("22P02", False, 400),
        ("P0002", False, 500),
        ("57014", False, 500),
        ("08006", False, 503),
    ],
)
async def test_sqlstates_map_to_postgrest_statuses(
    api_db: TestDatabase, state: str, as_anon: bool, status: int
) -> None:
    client = api_db.as_anon() if as_anon else api_db.as_user(uuid.uuid4())
    response = await client.rpc("t_fail", {"state": state})
    assert response.status == status
    assert response.code == state
    assert response.message == "failed on purpose"
    if state == "42501" and as_anon:
        assert response.headers["www-authenticate"] == "Bearer"
    async with api_db.owner() as conn:  # the request's transaction was rolled back
        assert await conn.fetchval("select count(*) from private.probe_writes") == 0


async def test_custom_errors_carry_their_code_status_and_details(api_db: TestDatabase) -> None:
    response = await api_db.as_user(uuid.uuid4()).rpc("t_custom")
    assert response.status == 422
    assert response.body == {
        "code": "test.custom",
        "message": "custom failure",
        "details": {"field": "x"},
        "hint": None,
    }


async def test_settings_are_those_postgrest_sets(api_db: TestDatabase) -> None:
    user_id = uuid.uuid4()
    response = await api_db.as_user(user_id, email="a@example.com").rpc("t_whoami")
    assert response.status == 200
    body = response.body
    assert body["role"] == "authenticated"
    assert body["uid"] == str(user_id)
    assert body["claims"]["role"] == "authenticated"
    assert body["claims"]["email"] == "a@example.com"
    assert (body["method"], body["path"]) == ("POST", "/rpc/t_whoami")
    assert body["timeout"] == "8s"
    assert body["read_only"] == "on"  # POST to a stable function runs read-only

    anon = (await api_db.as_anon().rpc("t_whoami")).body
    assert anon["role"] == "anon"
    assert anon["claims"] == {"role": "anon"}  # PostgREST inserts the role even without a token
    assert anon["timeout"] == "3s"


async def test_arguments_defaults_overloads_and_shapes(api_db: TestDatabase) -> None:
    client = api_db.as_anon()
    assert (await client.rpc("t_add", {"a": 1})).body == 11
    assert (await client.rpc("t_add", {"a": 1, "b": 2})).body == 3
    missing = await client.rpc("t_add", {"b": 2})
    assert (missing.status, missing.code) == (404, "PGRST202")
    bad_type = await client.rpc("t_add", {"a": "x"})
    assert (bad_type.status, bad_type.code) == (400, "22P02")
    assert (await client.rpc("t_rows", {"n": 3})).body == [{"i": 1}, {"i": 2}, {"i": 3}]
    void = await client.rpc("t_void")
    assert (void.status, void.body) == (204, None)
    created = await client.rpc("t_status")
    assert (created.status, created.body) == (201, "created")


async def test_a_role_without_execute_is_refused(api_db: TestDatabase) -> None:
    async with api_db.owner() as conn:
        await conn.execute("revoke execute on function api.t_add(integer, integer) from anon")
    response = await api_db.as_anon().rpc("t_add", {"a": 1})
    assert (response.status, response.code) == (401, "42501")
    assert (await api_db.as_user(uuid.uuid4()).rpc("t_add", {"a": 1})).status == 200


async def test_tokens_are_verified_like_postgrest(api_db: TestDatabase) -> None:
    import time

    import jwt

    secret = "a-test-secret-of-at-least-thirty-two-chars"
    api_db.api.jwt_keys = secret
    now = int(time.time())
    user_id = uuid.uuid4()
    good = jwt.encode({"sub": str(user_id), "role": "authenticated", "iat": now, "exp": now + 60}, secret)
    assert (await api_db.api.with_token(good).rpc("t_whoami")).body["uid"] == str(user_id)
    expired = jwt.encode({"sub": str(user_id), "role": "authenticated", "iat": now - 600, "exp": now - 120}, secret)
    assert (await api_db.api.with_token(expired).rpc("t_whoami")).body["code"] == "PGRST303"
    forged = jwt.encode(
        {"sub": str(user_id), "role": "authenticated", "exp": now + 60}, "another-secret-32-chars-long!!!!"
    )
    response = await api_db.api.with_token(forged).rpc("t_whoami")
    assert (response.status, response.code) == (401, "PGRST301")
    no_such_role = jwt.encode({"role": "superuser_please", "exp": now + 60}, secret)
    assert (await api_db.api.with_token(no_such_role).rpc("t_whoami")).status == 401


async def test_raw_sql_returns_rows_of_writes_with_returning(api_db: TestDatabase) -> None:
    client = api_db.as_anon()
    refused = await client.sql("insert into private.probe_writes (note) values ('x') returning note")
    assert (refused.status, refused.code) == (401, "42501")  # RETURNING needs SELECT, which anon lacks
    async with api_db.owner() as conn:
        await conn.execute("grant select on private.probe_writes to anon")
    inserted = await client.sql("insert into private.probe_writes (note) values ($1) returning note", "hello")
    assert (inserted.status, inserted.body) == (200, [{"note": "hello"}])
    updated = await client.sql("update private.probe_writes set note = 'bye' where note = 'hello' returning note")
    assert (updated.status, updated.code) == (401, "42501")  # no UPDATE grant: refused as PostgREST would
    plain = await client.sql("insert into private.probe_writes (note) values ('no rows back')")
    assert plain.status == 204
