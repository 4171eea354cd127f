"""The real supabase-py client talks to the HTTP emulation as it would to Supabase."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from postgrest.exceptions import APIError
from supabase import AsyncClientOptions, acreate_client

from localapi.rest.http import PostgrestServer
from tests.support.database import TestDatabase

SECRET = "http-emulation-test-secret-32-chars-min"


@pytest.fixture
async def server(db: TestDatabase) -> PostgrestServer:
    async with db.owner() as conn:
        await conn.execute(
            "create function api.t_hello(name text) returns jsonb language sql stable as $$ "
            "select jsonb_build_object('hello', name, 'uid', auth.uid(), 'role', current_user) $$; "
            "grant execute on function api.t_hello(text) to authenticated"
        )
    await db.api.reload_schema_cache()
    db.api.jwt_keys = SECRET
    started = await PostgrestServer(db.api).start()
    yield started
    await started.close()


def token_for(user_id: uuid.UUID) -> str:
    now = int(time.time())
    return jwt.encode({"sub": str(user_id), "role": "authenticated", "iat": now, "exp": now + 60}, SECRET)


async def test_supabase_py_calls_an_rpc_as_the_signed_in_user(server: PostgrestServer) -> None:
    user_id = uuid.uuid4()
    client = await acreate_client(
        server.url,
        "publishable-key",
        options=AsyncClientOptions(schema="api", headers={"Authorization": f"Bearer {token_for(user_id)}"}),
    )
    result = await client.rpc("t_hello", {"name": "Ada"}).execute()
    assert result.data == {"hello": "Ada", "uid": str(user_id), "role": "authenticated"}


async def test_supabase_py_sees_postgrest_errors(server: PostgrestServer) -> None:
    client = await acreate_client(server.url, "publishable-key", options=AsyncClientOptions(schema="api"))
    with pytest.raises(APIError) as refused:
        await client.rpc("t_hello", {"name": "Ada"}).execute()  # anonymous: no execute grant
    assert refused.value.code == "42501"
