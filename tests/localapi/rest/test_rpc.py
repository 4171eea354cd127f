"""Functions over HTTP (POST and GET /rest/v1/rpc/<fn>) and the request headers PostgREST v14 reads."""

from __future__ import annotations

from .conftest import Served, user_token


async def call(served: Served, method: str, path: str, **kwargs: object) -> tuple[int, object, dict[str, str]]:
    response = await served.http.request(method, f"/rest/v1/rpc/{path}", **kwargs)  # type: ignore[arg-type]
    body = response.json() if response.content else None
    return response.status_code, body, dict(response.headers)


async def test_post_passes_named_arguments_and_defaults(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC (POST with a JSON object; omitted arguments take defaults)."""
    status, body, _ = await call(served, "POST", "probe_add", json={"a": 1, "b": 2}, headers=served.headers())
    assert (status, body) == (200, 3)
    status, body, _ = await call(served, "POST", "probe_add", json={"a": 1}, headers=served.headers())
    assert (status, body) == (200, 11)


async def test_invalid_json_is_pgrst102(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST102 (invalid request body, 400)."""
    headers = {**served.headers(), "Content-Type": "application/json"}
    for content in (b"{not json", b"[1, 2]"):
        status, body, _ = await call(served, "POST", "probe_add", content=content, headers=headers)
        assert (status, body["code"]) == (400, "PGRST102")  # type: ignore[index]


async def test_get_calls_a_stable_function_with_query_arguments_read_only(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC > Immutable and stable functions (GET, read-only transaction)."""
    status, body, _ = await call(served, "GET", "probe_add?a=4&b=5", headers=served.headers())
    assert (status, body) == (200, 9)
    status, body, _ = await call(served, "GET", "probe_whoami", headers=served.headers(user_token()))
    assert (status, body["read_only"], body["method"]) == (200, "on", "GET")  # type: ignore[index]


async def test_post_to_a_volatile_function_writes_but_get_is_refused_405(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC > Volatile functions (GET runs read-only: 25006 -> 405)."""
    status, body, _ = await call(served, "POST", "probe_write", json={"note": "x"}, headers=served.headers())
    assert (status, body) == (200, "x")
    status, body, _ = await call(served, "GET", "probe_write?note=y", headers=served.headers())
    assert (status, body["code"]) == (405, "25006")  # type: ignore[index]
    assert await served.writes() == 1


async def test_unknown_function_is_pgrst202(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST202 (function not in the schema cache, 404)."""
    status, body, _ = await call(served, "POST", "no_such_function", json={"a": 1}, headers=served.headers())
    assert (status, body["code"]) == (404, "PGRST202")  # type: ignore[index]
    assert body["message"] == "Could not find the function api.no_such_function(a) in the schema cache"  # type: ignore[index]


async def test_void_function_is_204_without_a_body(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC (a void function answers 204 No Content)."""
    status, body, _ = await call(served, "POST", "probe_void", json={}, headers=served.headers())
    assert (status, body) == (204, None)


async def test_set_returning_function_reads_like_a_view(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC > Filters, Order and Limit on set-returning functions."""
    status, body, headers = await call(
        served,
        "POST",
        "probe_rows?select=i,label&i=gt.1&order=i.desc&limit=2",
        json={"n": 4},
        headers=served.headers(Prefer="count=exact"),
    )
    assert (status, body) == (206, [{"i": 4, "label": "row 4"}, {"i": 3, "label": "row 3"}])
    assert headers["content-range"] == "0-1/3"


async def test_a_counted_set_returning_function_runs_once(served: Served) -> None:
    """PostgREST docs, API > Functions as RPC (one call per request, also with Prefer: count=exact)."""
    headers = served.headers(Prefer="count=exact")
    status, body, _ = await call(served, "POST", "probe_write_rows?limit=1", json={"n": 3}, headers=headers)
    assert (status, body) == (206, [{"note": "row 1"}])
    assert await served.writes() == 3


async def test_other_methods_on_functions_are_405(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST101 (only GET and POST on functions, 405)."""
    status, body, _ = await call(served, "PUT", "probe_void", json={}, headers=served.headers())
    assert (status, body["code"]) == (405, "PGRST101")  # type: ignore[index]


async def test_only_the_api_schema_is_exposed(served: Served) -> None:
    """PostgREST docs, API > Schemas (Accept-Profile / Content-Profile; another schema is 406 PGRST106)."""
    status, body, _ = await call(served, "GET", "probe_add?a=1", headers=served.headers(Accept_Profile="app"))
    assert (status, body["code"]) == (406, "PGRST106")  # type: ignore[index]
    headers = served.headers(Content_Profile="private")
    status, body, _ = await call(served, "POST", "probe_add", json={"a": 1}, headers=headers)
    assert (status, body["code"]) == (406, "PGRST106")  # type: ignore[index]
    headers = served.headers(Content_Profile="api", Accept_Profile="api")
    status, body, _ = await call(served, "POST", "probe_add", json={"a": 1}, headers=headers)
    assert (status, body) == (200, 11)


async def test_database_errors_carry_postgrests_body_and_status(served: Served) -> None:
    """PostgREST docs, References > Errors > HTTP status codes (22P02 -> 400, with code/message/details/hint)."""
    status, body, headers = await call(served, "POST", "probe_add", json={"a": "x"}, headers=served.headers())
    assert status == 400
    assert set(body) == {"code", "message", "details", "hint"}  # type: ignore[arg-type]
    assert body["code"] == "22P02"  # type: ignore[index]
    assert headers["proxy-status"] == "PostgREST; error=22P02"
