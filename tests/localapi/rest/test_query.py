"""The query-string grammar on its own (PostgREST docs, API > Tables and Views; References > Errors >
PGRST100): what postgrest-py and postgrest-js send parses to the conditions PostgREST would build."""

from __future__ import annotations

import pytest

from localapi.rest.http import with_range
from localapi.rest.query import Filter, Logic, ReadQuery, is_filter, parse_read
from localapi.rest.response import ApiError


def test_logic_trees_nest_negate_and_keep_quoted_commas() -> None:
    query = parse_read([("not.or", '(name.eq."a,b",and(id.gt.1,tags.not.is.null),id.in.(1,"2,3"))')])
    assert query.conditions == (
        Logic(
            "or",
            (
                Filter("name", "eq", "a,b"),
                Logic("and", (Filter("id", "gt", "1"), Filter("tags", "is", "null", negated=True))),
                Filter("id", "in", ("1", "2,3")),
            ),
            negated=True,
        ),
    )


def test_rpc_get_parameters_are_arguments_unless_they_read_as_filters() -> None:
    assert is_filter("gte.3") and is_filter("not.is.null")
    assert not is_filter("3") and not is_filter("financial analyst") and not is_filter("x.y")


@pytest.mark.parametrize("pair", [("or", "(a.eq.1))"), ("and", "a.eq.1"), ("a", "is.maybe"), ("a", "in.1,2")])
def test_malformed_input_is_pgrst100(pair: tuple[str, str]) -> None:
    with pytest.raises(ApiError) as refused:
        parse_read([pair])
    assert refused.value.response.code == "PGRST100"


def test_range_header_intersects_limit_and_offset() -> None:
    assert with_range(ReadQuery(limit=10, offset=5), "0-7") == ReadQuery(limit=3, offset=5)
    assert with_range(ReadQuery(), "items=4-") == ReadQuery(limit=None, offset=4)
    assert with_range(ReadQuery(), "bytes=0-1") == ReadQuery()  # another unit: ignored, as PostgREST does
    with pytest.raises(ApiError) as refused:
        with_range(ReadQuery(), "5-2")
    assert (refused.value.response.status, refused.value.response.code) == (416, "PGRST103")
