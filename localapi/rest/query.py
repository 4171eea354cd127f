"""PostgREST's query-string grammar for reads, as the supabase clients send it (postgrest-py 2.x,
postgrest-js 2.x): `select`, horizontal filters (with `not.`), `or`/`and` trees, `order`, `limit`,
`offset`. Anything else in the grammar (embedding, JSON paths, casts, full-text search) is refused
with PGRST100 rather than misread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from .response import ApiError

RESERVED = frozenset({"select", "order", "limit", "offset", "and", "or", "not.and", "not.or", "columns"})
OPERATORS = frozenset({"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "in", "is"})
IS_VALUES = frozenset({"null", "not_null", "true", "false", "unknown"})
_UNSUPPORTED_NAME_CHARS = set(".,:()") | {"-"}


@dataclass(frozen=True, slots=True)
class SelectItem:
    column: str | None  # None: `*`
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class Filter:
    column: str
    operator: str
    value: str | tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Logic:
    operator: str  # "and" | "or"
    items: tuple[Condition, ...]
    negated: bool = False


Condition = Union[Filter, Logic]  # noqa: UP007 (a runtime alias, referenced before its members resolve)


@dataclass(frozen=True, slots=True)
class OrderTerm:
    column: str
    descending: bool = False
    nulls: str | None = None  # "first" | "last" | None (PostgreSQL's default)


@dataclass(frozen=True, slots=True)
class ReadQuery:
    select: tuple[SelectItem, ...] = (SelectItem(None),)
    conditions: tuple[Condition, ...] = ()
    order: tuple[OrderTerm, ...] = ()
    limit: int | None = None
    offset: int = 0


def parse_error(what: str, value: str, details: str) -> ApiError:
    return ApiError(400, "PGRST100", f'"failed to parse {what} ({value})"', details=details)


def parse_read(params: Iterable[tuple[str, str]]) -> ReadQuery:
    """Parse the query string of a read (or of a set-returning function's result)."""
    select: tuple[SelectItem, ...] = (SelectItem(None),)
    conditions: list[Condition] = []
    order: tuple[OrderTerm, ...] = ()
    limit: int | None = None
    offset = 0
    for key, value in params:
        if key == "select":
            select = parse_select(value)
        elif key == "order":
            order = parse_order(value)
        elif key == "limit":
            limit = _non_negative("limit", value)
        elif key == "offset":
            offset = _non_negative("offset", value)
        elif key in ("and", "or", "not.and", "not.or"):
            negated, _, operator = key.rpartition(".")
            conditions.append(_LogicParser(f"{operator}{value}").whole(negated=bool(negated)))
        elif key == "columns":
            continue  # only meaningful for writes
        else:
            conditions.append(parse_filter(key, value))
    return ReadQuery(select, tuple(conditions), order, limit, offset)


def is_filter(value: str) -> bool:
    """Whether a query value reads as `op.value` (or `not.op.value`): on GET /rpc, such parameters
    filter the function's result and the others are its arguments."""
    head = value.removeprefix("not.")
    operator, dot, _ = head.partition(".")
    return bool(dot) and operator in OPERATORS


def parse_filter(column: str, value: str) -> Filter:
    _check_name(column, "filter", value)
    negated = value.startswith("not.")
    operator, dot, operand = value.removeprefix("not.").partition(".")
    if not dot or operator not in OPERATORS:
        raise parse_error("filter", value, f"unknown or missing operator in {column}={value}")
    return Filter(column, operator, _operand(operator, operand, value), negated)


def _operand(operator: str, operand: str, whole: str) -> str | tuple[str, ...]:
    if operator == "in":
        if not (operand.startswith("(") and operand.endswith(")")):
            raise parse_error("filter", whole, "in. takes a parenthesised list: in.(a,b)")
        return tuple(_split_list(operand[1:-1], whole))
    if operator == "is":
        if operand.lower() not in IS_VALUES:
            raise parse_error("filter", whole, "is. takes null, not_null, true, false or unknown")
        return operand.lower()
    if operator in ("like", "ilike"):
        return operand.replace("*", "%")
    return operand


def _split_list(text: str, whole: str) -> list[str]:
    """Comma-separated values; double quotes keep commas and parentheses, backslash escapes."""
    items: list[str] = []
    if text == "":
        return items
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise parse_error("filter", whole, "unterminated double quote")
    items.append("".join(current))
    return items


def parse_select(value: str) -> tuple[SelectItem, ...]:
    if value.strip() == "":
        return (SelectItem(None),)
    items = []
    for raw in _split_list(value, value):
        item = raw.strip()
        if item == "*":
            items.append(SelectItem(None))
            continue
        alias, colon, column = item.partition(":")
        if not colon:
            alias, column = "", alias
        if column.startswith(":") or "(" in item or "->" in item:
            raise parse_error("select parameter", value, f"{item}: casts, JSON paths and embedding are not served")
        _check_name(column, "select parameter", value)
        if alias:
            _check_name(alias, "select parameter", value)
        items.append(SelectItem(column, alias or None))
    return tuple(items)


def parse_order(value: str) -> tuple[OrderTerm, ...]:
    terms = []
    for raw in value.split(","):
        column, *modifiers = raw.strip().split(".")
        _check_name(column, "order", value)
        descending, nulls = False, None
        for modifier in modifiers:
            if modifier in ("asc", "desc") and nulls is None:
                descending = modifier == "desc"
            elif modifier in ("nullsfirst", "nullslast"):
                nulls = modifier.removeprefix("nulls")
            else:
                raise parse_error("order", value, f"unexpected {modifier!r}: use col.asc|desc.nullsfirst|nullslast")
        terms.append(OrderTerm(column, descending, nulls))
    return tuple(terms)


def _non_negative(name: str, value: str) -> int:
    if not value.isdigit():
        raise parse_error(f"{name} parameter", value, f"{name} must be a non-negative integer")
    return int(value)


def _check_name(name: str, what: str, whole: str) -> None:
    if not name or any(c in _UNSUPPORTED_NAME_CHARS for c in name) or "\x00" in name:
        raise parse_error(what, whole, f"{name!r} is not a column name this API serves")


class _LogicParser:
    """`or=(a.eq.1,b.not.is.null,and(c.gt.2,d.in.(1,2)))`, read as a tree of conditions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def tree(self, *, negated: bool = False) -> Logic:
        operator = self._word()
        if operator not in ("and", "or"):
            raise self._error(f"expected and( or or(, got {operator!r}")
        self._expect("(")
        items: list[Condition] = []
        while True:
            items.append(self._item())
            if self._peek() == ",":
                self.pos += 1
                continue
            self._expect(")")
            break
        return Logic(operator, tuple(items), negated)

    def whole(self, *, negated: bool) -> Logic:
        logic = self.tree(negated=negated)
        if self.pos != len(self.text):
            raise self._error(f"unexpected text after position {self.pos}")
        return logic

    def _item(self) -> Condition:
        start = self.pos
        word = self._word()
        if word == "not" and self._peek() == "." and self.text.startswith(("and(", "or("), self.pos + 1):
            self.pos += 1
            return self.tree(negated=True)
        if word in ("and", "or") and self._peek() == "(":
            self.pos = start
            return self.tree()
        column = word
        self._expect(".")
        value_start = self.pos
        depth = 0
        quoted = False
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == '"':
                quoted = not quoted
            elif not quoted and char == "(":
                depth += 1
            elif not quoted and char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif not quoted and char == "," and depth == 0:
                break
            self.pos += 1
        raw = self.text[value_start : self.pos]
        if raw.startswith(("in.", "not.in.")):
            return parse_filter(column, raw)
        return parse_filter(column, _unquote(raw))

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ".,()":
            self.pos += 1
        return self.text[start : self.pos]

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self._error(f"expected {char!r} at position {self.pos}")
        self.pos += 1

    def _error(self, details: str) -> ApiError:
        return parse_error("logic tree", self.text, details)


def _unquote(raw: str) -> str:
    """A filter value inside a logic tree may be double-quoted to carry commas or parentheses."""
    head, _, rest = raw.partition(".")
    prefix = head + "."
    if head == "not":
        op, _, rest = rest.partition(".")
        prefix = f"not.{op}."
    if len(rest) >= 2 and rest.startswith('"') and rest.endswith('"'):
        rest = rest[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return prefix + rest
