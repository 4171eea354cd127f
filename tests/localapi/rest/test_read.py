"""Reading `api` relations over HTTP, as PostgREST v14 answers supabase-js and supabase-py."""

from __future__ import annotations

from .conftest import Served

OBJECT = "application/vnd.pgrst.object+json"


async def read(served: Served, query: str, **headers: str) -> tuple[int, object, dict[str, str]]:
    response = await served.http.get(f"/rest/v1/probe_items?{query}", headers=served.headers(**headers))
    body = response.json() if response.content else None
    return response.status_code, body, dict(response.headers)


async def test_select_lists_columns_aliases_and_star(served: Served) -> None:
    """PostgREST docs, API > Tables and Views > Vertical filtering (select=a,alias:col,*)."""
    status, body, _ = await read(served, "select=id,label:name&id=eq.2")
    assert (status, body) == (200, [{"id": 2, "label": "item 2"}])
    status, body, _ = await read(served, "select=*&id=eq.1")
    assert body == [{"id": 1, "name": "item 1", "score": 1.5, "note": "Note-1", "tags": ["t1"]}]


async def test_horizontal_filters_compare_in_the_columns_type(served: Served) -> None:
    """PostgREST docs, API > Tables and Views > Horizontal filtering (operators eq ... is, and not.)."""

    async def ids(query: str) -> list[int]:
        status, body, _ = await read(served, f"select=id&order=id&{query}")
        assert status == 200, body
        assert isinstance(body, list)
        return [row["id"] for row in body]

    assert await ids("id=gt.9") == [10, 11, 12]  # numerically, not as text ("9" > "10")
    assert await ids("id=gte.11") == [11, 12]
    assert await ids("id=lt.3") == [1, 2]
    assert await ids("id=lte.2&id=neq.1") == [2]
    assert await ids("score=eq.4.5") == [3, 7, 11]
    assert await ids("id=in.(1,3,5)") == [1, 3, 5]
    assert await ids('name=in.("item 1","item,2")') == [1]
    assert await ids("note=is.null") == [3, 6, 9, 12]
    assert await ids("id=lt.5&note=not.is.null") == [1, 2, 4]
    assert await ids("note=like.*-1*") == [1, 10, 11]
    assert await ids("note=ilike.note-1") == [1]
    assert await ids("id=not.in.(1,2,3,4,5,6,7,8,9,10)") == [11, 12]


async def test_or_and_trees(served: Served) -> None:
    """PostgREST docs, API > Tables and Views > Logical operators (or=(...), and(...), not.)."""
    status, body, _ = await read(served, "select=id&order=id&or=(id.eq.1,and(id.gt.10,note.not.is.null))")
    assert (status, body) == (200, [{"id": 1}, {"id": 11}])


async def test_order_by_several_columns_with_nulls_placement(served: Served) -> None:
    """PostgREST docs, API > Tables and Views > Ordering (order=a.desc.nullslast,b.asc)."""
    status, body, _ = await read(served, "select=id&id=lte.6&order=note.desc.nullsfirst,id.asc")
    assert status == 200
    assert [row["id"] for row in body] == [3, 6, 5, 4, 2, 1]  # type: ignore[union-attr]
    _, body, _ = await read(served, "select=id&id=lte.6&order=score.desc,id.desc")
    assert [row["id"] for row in body] == [3, 6, 2, 5, 1, 4]  # type: ignore[union-attr]


async def test_limit_offset_and_range_header(served: Served) -> None:
    """PostgREST docs, API > Pagination and Count > Limits and Pagination (limit, offset, Range)."""
    _, body, headers = await read(served, "select=id&order=id&limit=2&offset=3")
    assert body == [{"id": 4}, {"id": 5}]
    assert headers["content-range"] == "3-4/*"
    _, body, headers = await read(served, "select=id&order=id", Range="2-4", Range_Unit="items")
    assert body == [{"id": 3}, {"id": 4}, {"id": 5}]
    assert headers["content-range"] == "2-4/*"


async def test_exact_count_fills_content_range_and_partial_pages_are_206(served: Served) -> None:
    """PostgREST docs, API > Pagination and Count > Exact Count (Prefer: count=exact, 206 Partial Content)."""
    status, _, headers = await read(served, "select=id&limit=5", Prefer="count=exact")
    assert (status, headers["content-range"]) == (206, "0-4/12")
    status, _, headers = await read(served, "select=id", Prefer="count=exact")
    assert (status, headers["content-range"]) == (200, "0-11/12")
    status, body, headers = await read(served, "select=id&id=gt.100", Prefer="count=exact")
    assert (status, body, headers["content-range"]) == (200, [], "*/0")
    status, body, headers = await read(served, "select=id&offset=20", Prefer="count=exact")
    assert (status, body["code"]) == (416, "PGRST103")  # type: ignore[index]


async def test_head_answers_the_count_without_a_body(served: Served) -> None:
    """PostgREST docs, API > Pagination and Count (HEAD with Prefer: count=exact)."""
    response = await served.http.head("/rest/v1/probe_items", headers=served.headers(Prefer="count=exact"))
    assert response.status_code == 200
    assert response.headers["content-range"] == "0-11/12"
    assert response.content == b""


async def test_singular_object_or_406(served: Served) -> None:
    """PostgREST docs, API > Resource Representation > Singular or Plural (application/vnd.pgrst.object+json)."""
    response = await served.http.get("/rest/v1/probe_items?id=eq.2&select=id", headers=served.headers(Accept=OBJECT))
    assert response.status_code == 200
    assert response.json() == {"id": 2}
    assert response.headers["content-type"].startswith(OBJECT)
    for query, rows in (("id=eq.99", 0), ("id=lt.3", 2)):
        refused = await served.http.get(f"/rest/v1/probe_items?{query}", headers=served.headers(Accept=OBJECT))
        assert refused.status_code == 406
        assert refused.json() == {
            "code": "PGRST116",
            "message": "Cannot coerce the result to a single JSON object",
            "details": f"The result contains {rows} rows",
            "hint": None,
        }


async def test_unsupported_media_type_is_406(served: Served) -> None:
    """PostgREST docs, API > Resource Representation > Response Format (PGRST107 when none is served)."""
    status, body, _ = await read(served, "select=id", Accept="text/csv")
    assert (status, body["code"]) == (406, "PGRST107")  # type: ignore[index]


async def test_unknown_column_is_postgres_42703_as_400(served: Served) -> None:
    """PostgREST docs, References > Errors > PostgreSQL errors (42703 undefined column -> 400)."""
    for query in ("select=nope", "nope=eq.1", "order=nope", "id%22%3Bdrop%20table%20x=eq.1"):
        status, body, _ = await read(served, query)
        assert (status, body["code"]) == (400, "42703"), (query, body)  # type: ignore[index]


async def test_unknown_relation_is_pgrst205(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST205 (v13+: table not in the schema cache, 404)."""
    response = await served.http.get("/rest/v1/no_such_view", headers=served.headers())
    assert response.status_code == 404
    assert response.json()["code"] == "PGRST205"
    assert response.headers["proxy-status"] == "PostgREST; error=PGRST205"


async def test_malformed_query_strings_are_pgrst100(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST100 (parsing error in the query string, 400)."""
    for query in ("id=zz.1", "order=id.sideways", "limit=-1", "select=items(*)", "or=(id.eq.1"):
        status, body, _ = await read(served, query)
        assert (status, body["code"]) == (400, "PGRST100"), (query, body)  # type: ignore[index]


async def test_values_are_parameters_never_sql(served: Served) -> None:
    """PostgREST docs, API > Tables and Views > Horizontal filtering (values are literals, never SQL)."""
    status, body, _ = await read(served, "select=id&name=eq.x'%20or%20'1'='1")
    assert (status, body) == (200, [])
    status, body, _ = await read(served, "select=id&id=eq.1;select%201")
    assert (status, body["code"]) == (400, "22P02")  # type: ignore[index]  # not an integer


async def test_writes_to_relations_are_not_served(served: Served) -> None:
    """PostgREST docs, References > Errors > PGRST117 (unsupported HTTP method, 405)."""
    response = await served.http.post("/rest/v1/probe_items", json={"id": 99}, headers=served.headers())
    assert (response.status_code, response.json()["code"]) == (405, "PGRST117")
