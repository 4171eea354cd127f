"""The real supabase-py client (postgrest-py 2.x) against the served Data API, as an app uses it:
the query strings and headers it builds are what the local API parses."""

from __future__ import annotations

import uuid

import pytest
from postgrest.exceptions import APIError
from supabase import AClient, AsyncClientOptions, acreate_client

from .conftest import KEYS, Served, user_token


async def client_for(served: Served, token: str | None = None) -> AClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await acreate_client(served.url, KEYS.anon, options=AsyncClientOptions(schema="api", headers=headers))


async def test_rpc_runs_as_the_signed_in_user(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC (POST /rpc/fn with a JSON object of named arguments)."""
    user_id = uuid.uuid4()
    client = await client_for(served, user_token(user_id))
    me = (await client.rpc("probe_whoami", {}).execute()).data
    assert (me["role"], me["claims"]["sub"], me["path"]) == ("authenticated", str(user_id), "/rpc/probe_whoami")
    assert (await client.rpc("probe_add", {"a": 1}).execute()).data == 11


async def test_errors_reach_the_client_with_postgrests_code(served: Served) -> None:
    """PostgREST docs, References > Errors (the JSON body a client turns into APIError)."""
    client = await client_for(served)
    with pytest.raises(APIError) as refused:
        await client.rpc("probe_add", {"nope": 1}).execute()
    assert refused.value.code == "PGRST202"


async def test_table_reads_filter_order_range_and_count(served: Served) -> None:
    """PostgREST docs, API > Tables and Views; API > Pagination and Count (what .select/.eq/.order/.range send)."""
    client = await client_for(served, user_token())
    page = (
        await client.table("probe_items")
        .select("id, label:name", count="exact")  # type: ignore[arg-type]
        .gt("id", 2)
        .in_("score", [0, 3])
        .not_.is_("note", "null")
        .order("score", desc=True)
        .order("id")
        .range(0, 1)
        .execute()
    )
    assert page.data == [{"id": 10, "label": "item 10"}, {"id": 4, "label": "item 4"}]
    assert page.count == 3


async def test_single_and_maybe_single(served: Served) -> None:
    """PostgREST docs, API > Resource Representation > Singular or Plural (.single(), .maybe_single())."""
    client = await client_for(served, user_token())
    one = await client.table("probe_items").select("id").eq("id", 5).single().execute()
    assert one.data == {"id": 5}
    with pytest.raises(APIError) as refused:
        await client.table("probe_items").select("id").eq("id", 99).single().execute()
    assert refused.value.code == "PGRST116"
    assert await client.table("probe_items").select("id").eq("id", 99).maybe_single().execute() is None


async def test_set_returning_rpc_takes_filters_and_get(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC > Filters, Order and Limit on set-returning functions (GET)."""
    client = await client_for(served, user_token())
    rows = (
        await client.rpc("probe_rows", {"n": 5}, get=True)
        .select("i, label")
        .gte("i", 3)
        .order("i", desc=True)
        .execute()
    )
    assert rows.data == [{"i": 5, "label": "row 5"}, {"i": 4, "label": "row 4"}, {"i": 3, "label": "row 3"}]
