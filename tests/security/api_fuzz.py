"""Hypothesis strategies for the arguments of api functions, built from their declared types.

Values are what a hostile or buggy client can send through PostgREST as JSON: unicode of every
kind (NUL and lone surrogates included), very long strings, numbers at and beyond the type's range
(NaN, the infinities, integers of thousands of digits), arrays nested hundreds deep, nulls, and values
of the wrong type altogether. (Raw bytes no encoder writes, such as invalid UTF-8 or nesting deeper
than any parser's limit, are tests/security/hostile_json.py's, for the sidecar's routes.)
"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import strategies as st

from localapi.rest.routines import RoutineInfo

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\u202e", "'; drop table app.profiles; --", "%", "_", "\\", "😀" * 3]),
    st.integers(min_value=1_000, max_value=20_000).map(lambda n: "x" * n),
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates
)
# Up to 4,000 digits: Python's json refuses to write more (int_max_str_digits), as PostgREST's reader would.
HUGE_INTEGERS = st.integers(min_value=19, max_value=4_000).map(lambda digits: -(10**digits) + 1)
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), HUGE_INTEGERS, st.floats(allow_nan=True), NASTY_TEXT)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY_TEXT, inner, max_size=4),
    max_leaves=8,
)
# Deep nesting goes to json and jsonb arguments only (json.dumps itself recurses: no deeper than 500).
# An array argument given arrays nested over 6 deep is refused by PostgreSQL (54000) while PostgREST
# builds the call, before any function runs, and PostgREST answers 500: not something a function fixes.
DEEP_JSON = st.one_of(ANY_JSON, st.integers(min_value=50, max_value=500).map(_nested))


def for_type(pg_type: str) -> st.SearchStrategy[Any]:
    """A strategy that mostly sends the declared type, sometimes garbage, sometimes null."""
    base = pg_type.removesuffix("[]")
    if pg_type.endswith("[]"):
        typed: st.SearchStrategy[Any] = st.lists(for_type(base), max_size=6)
    elif base in ("integer", "smallint", "bigint"):
        typed = st.one_of(
            st.integers(min_value=-(2**31), max_value=2**31), st.integers(), st.sampled_from([0, -1, 1, 50, 51])
        )
    elif base in ("numeric", "real", "double precision"):
        typed = st.floats(allow_nan=False)
    elif base == "boolean":
        typed = st.booleans()
    elif base == "uuid":
        typed = st.one_of(st.uuids().map(str), st.just(str(uuid.UUID(int=0))))
    elif base in ("json", "jsonb"):
        typed = DEEP_JSON
    else:
        typed = NASTY_TEXT
    return st.one_of(typed, typed, typed, st.none(), ANY_JSON)


def arguments(info: RoutineInfo) -> st.SearchStrategy[dict[str, Any]]:
    """All required arguments, any subset of the optional ones, occasionally an unknown key."""
    required = {name: for_type(t) for name, t in info.args if name in info.required}
    optional = {name: for_type(t) for name, t in info.args if name not in info.required}
    return st.fixed_dictionaries(required, optional=optional)
