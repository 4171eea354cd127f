"""The read statement PostgREST builds from a parsed query, and its answer's range and count.

Every column is a quoted identifier and every value a parameter cast to the column's type (what
PostgREST's untyped literal becomes), so a URL can never change the statement's shape. The count,
when asked for, is a second aggregate over the same FROM and WHERE, in the same statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .query import Condition, Filter, Logic, ReadQuery
from .response import ApiError
from .sql import ident

_COMPARISONS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_IS = {"null": "is null", "not_null": "is not null", "true": "is true", "false": "is false", "unknown": "is unknown"}


@dataclass(slots=True)
class ReadSource:
    """Where rows come from: FROM items, the name that qualifies their columns, and the column types."""

    from_items: str
    qualifier: str
    column_types: Mapping[str, str]
    # A CTE the FROM items read, materialized so a function runs once even when rows are counted too.
    prelude: str = ""


class _Renderer:
    def __init__(self, source: ReadSource, params: list[Any]) -> None:
        self.source = source
        self.params = params

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def column(self, name: str) -> str:
        return f"{self.source.qualifier}.{ident(name)}"

    def typed(self, name: str, value: str) -> str:
        """A value as PostgREST's untyped literal would become: of the column's type."""
        column_type = self.source.column_types.get(name)
        placeholder = self.param(value)
        # An unknown column is left to PostgreSQL, which names it (42703) before typing the value.
        return f"{placeholder}::text::{column_type}" if column_type else placeholder

    def condition(self, item: Condition) -> str:
        sql = self.filter(item) if isinstance(item, Filter) else self.logic(item)
        return f"not ({sql})" if item.negated else sql

    def logic(self, item: Logic) -> str:
        return "(" + f" {item.operator} ".join(self.condition(c) for c in item.items) + ")"

    def filter(self, item: Filter) -> str:
        column = self.column(item.column)
        if item.operator == "is":
            return f"{column} {_IS[str(item.value)]}"
        if item.operator in ("like", "ilike"):
            return f"{column} {item.operator} {self.param(item.value)}::text"
        if item.operator == "in":
            column_type = self.source.column_types.get(item.column)
            placeholder = self.param(list(item.value))
            cast = f"::text[]::{column_type}[]" if column_type else "::text[]"
            return f"{column} = any({placeholder}{cast})"
        assert isinstance(item.value, str)
        return f"{column} {_COMPARISONS[item.operator]} {self.typed(item.column, item.value)}"

    def select_list(self, query: ReadQuery) -> str:
        items = []
        for item in query.select:
            if item.column is None:
                items.append(f"{self.source.qualifier}.*")
            else:
                items.append(f"{self.column(item.column)} as {ident(item.alias or item.column)}")
        return ", ".join(items)

    def order(self, query: ReadQuery) -> str:
        terms = []
        for term in query.order:
            sql = f"{self.column(term.column)} {'desc' if term.descending else 'asc'}"
            if term.nulls:
                sql += f" nulls {term.nulls}"
            terms.append(sql)
        return f" order by {', '.join(terms)}" if terms else ""


def read_statement(source: ReadSource, query: ReadQuery, params: list[Any], *, count: bool) -> tuple[str, list[Any]]:
    """The statement answering (pgrst_total, pgrst_page, body, pgrst_status, pgrst_headers).

    `params` are the parameters the FROM items already use (a function call's JSON arguments)."""
    render = _Renderer(source, list(params))
    where = " and ".join(render.condition(c) for c in query.conditions)
    where_sql = f" where {where}" if where else ""
    page = f" limit {render.param(query.limit)}" if query.limit is not None else ""
    if query.offset:
        page += f" offset {render.param(query.offset)}"
    inner = f"select {render.select_list(query)} from {source.from_items}{where_sql}{render.order(query)}{page}"
    total = f"(select pg_catalog.count(*) from {source.from_items}{where_sql})" if count else "null::bigint"
    statement = (
        f"with {source.prelude + ', ' if source.prelude else ''}pgrst_source as ({inner}) "
        f"select {total} as pgrst_total, pg_catalog.count(_postgrest_t) as pgrst_page, "
        "coalesce(json_agg(_postgrest_t), '[]')::text as body, "
        "current_setting('response.status', true) as pgrst_status, "
        "current_setting('response.headers', true) as pgrst_headers "
        "from (select * from pgrst_source) _postgrest_t"
    )
    return statement, render.params


def content_range(offset: int, rows: int, total: int | None) -> tuple[int, str]:
    """PostgREST's status and Content-Range for a page of `rows` starting at `offset`:
    `0-9/42` (206, partial), `0-9/*` (not counted), `*/0` (empty); 416 PGRST103 past the end."""
    upper = offset + rows - 1
    if total is not None and offset > total:
        raise ApiError(
            416,
            "PGRST103",
            "Requested range not satisfiable",
            details=f"An offset of {offset} was requested, but there are only {total} rows.",
        )
    span = f"{offset}-{upper}" if rows > 0 and total != 0 else "*"
    header = f"{span}/{'*' if total is None else total}"
    if total is not None and (1 + upper - offset) < total:
        return 206, header
    return 200, header


def singular(body: list[Any]) -> Any:
    """The one row `Accept: application/vnd.pgrst.object+json` asks for; 406 PGRST116 otherwise."""
    if len(body) != 1:
        raise ApiError(
            406,
            "PGRST116",
            "Cannot coerce the result to a single JSON object",
            details=f"The result contains {len(body)} rows",
        )
    return body[0]
