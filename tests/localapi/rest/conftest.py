"""The local API served over real HTTP (localapi.server) on the test's migrated database, with a probe
view and probe functions whose answers show what PostgREST would have done, and tokens minted exactly
as the sidecar mints them."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from core.settings import TokenSettings
from localapi.auth import ApiKeys
from localapi.server import LocalApiServer
from sidecar.auth.tokens import TokenKeys
from tests.support.database import TestDatabase

SECRET = "local-api-test-secret-" + "x" * 24
TOKENS = TokenSettings(issuer="fluentpro-sidecar", secret=SECRET, ttl_seconds=600)
MINT = TokenKeys(TOKENS)
KEYS = ApiKeys.from_settings(TOKENS)

# Twelve rows with ties, nulls and text made to be matched; every column of a usual type.
PROBES = """
create table private.probe_items (id integer primary key, name text, score numeric, note text, tags text[]);
insert into private.probe_items
select i, 'item ' || i, (i % 4) * 1.5, case when i % 3 = 0 then null else 'Note-' || i end, array['t' || (i % 2)]
from generate_series(1, 12) as i;
create view api.probe_items with (security_invoker = true) as
  select id, name, score, note, tags from private.probe_items;
grant select on private.probe_items, api.probe_items to anon, authenticated, service_role;
create table private.probe_writes (note text);
grant select, insert on private.probe_writes to anon, authenticated, service_role;
create function api.probe_whoami() returns jsonb language sql stable as $$
  select jsonb_build_object(
    'role', current_user, 'claims', auth.jwt(), 'method', current_setting('request.method', true),
    'path', current_setting('request.path', true), 'read_only', current_setting('transaction_read_only'),
    'has_apikey_header', current_setting('request.headers', true)::jsonb ? 'apikey')
$$;
create function api.probe_add(a integer, b integer default 10) returns integer language sql immutable as $$
  select a + b $$;
create function api.probe_write(note text) returns text language plpgsql as $$
begin
  insert into private.probe_writes values (note);
  return note;
end $$;
create function api.probe_void() returns void language sql as $$ select $$;
create function api.probe_rows(n integer) returns table (i integer, half numeric, label text)
language sql stable as $$ select g, g / 2.0, 'row ' || g from generate_series(1, n) as g $$;
create function api.probe_write_rows(n integer) returns setof private.probe_writes language sql as $$
  insert into private.probe_writes select 'row ' || g from generate_series(1, n) as g returning * $$;
grant execute on function api.probe_whoami(), api.probe_add(integer, integer), api.probe_write(text),
  api.probe_void(), api.probe_rows(integer), api.probe_write_rows(integer) to anon, authenticated, service_role;
"""


@dataclass
class Served:
    url: str
    db: TestDatabase
    http: httpx.AsyncClient

    def headers(self, token: str | None = None, **extra: str) -> dict[str, str]:
        """What supabase-js sends: the anon key as apikey, and a user's token as bearer when signed in."""
        headers = {"apikey": KEYS.anon, **{k.replace("_", "-"): v for k, v in extra.items()}}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def writes(self) -> int:
        async with self.db.owner() as conn:
            return int(await conn.fetchval("select count(*) from private.probe_writes"))


def user_token(user_id: uuid.UUID | None = None, **overrides: Any) -> str:
    """A token as the sidecar mints it, with claims overridden (e.g. exp) and signed by the same key."""
    minted = MINT.mint(profile_id=user_id or uuid.uuid4(), auth0_subject="auth0|probe", roles=["learner"])
    if not overrides:
        return minted.token
    return MINT.sign({**minted.claims, **overrides})


def now() -> int:
    return int(time.time())


@pytest.fixture
async def served(db: TestDatabase) -> AsyncIterator[Served]:
    async with db.owner() as conn:
        await conn.execute(PROBES)
    await db.api.reload_schema_cache()
    db.api.jwt_keys = SECRET
    server = await LocalApiServer(db.api, KEYS).start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            yield Served(server.url, db, http)
    finally:
        await server.close()
