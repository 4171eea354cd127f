"""Hypothesis strategies for request bodies a JSON decoder must refuse or survive, as raw bytes.

A JSON library's own encoder never writes these, so generators that build values and serialise them
(schemathesis, `ANY_JSON` in api_fuzz) never send them: nesting deeper than any parser's recursion
limit, NaN and the infinities, integers of thousands of digits, lone UTF-16 surrogates, invalid UTF-8,
truncated text. Valid non-ASCII text is among them too, since it must reach the handlers intact.
Each value is put in an object under a field the route declares, so it reaches the field's decoder.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st


def _invalid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


NESTED = st.builds(_nested, st.integers(min_value=900, max_value=100_000), st.sampled_from(["array", "object"]))
NON_FINITE = st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"])
HUGE_INTEGER = st.integers(min_value=19, max_value=100_000).map(lambda digits: b"9" * digits)
LONE_SURROGATE = st.integers(min_value=0xD800, max_value=0xDFFF).map(lambda cp: f'"\\u{cp:04x}"'.encode())
INVALID_UTF8 = st.binary(min_size=1, max_size=6).filter(_invalid_utf8).map(lambda raw: b'"' + raw + b'"')
NON_ASCII = st.text(st.characters(min_codepoint=0x80, exclude_categories=["Cs"]), min_size=1, max_size=30).map(
    lambda text: json.dumps(text, ensure_ascii=False).encode()
)
HOSTILE_VALUES = st.one_of(NESTED, NON_FINITE, HUGE_INTEGER, LONE_SURROGATE, INVALID_UTF8, NON_ASCII)


def hostile_bodies(fields: list[str]) -> st.SearchStrategy[bytes]:
    """A hostile value as a whole body, or under one of `fields` (or an unknown one), or cut short."""
    field = st.sampled_from(fields or ["a"])
    in_object = st.builds(
        lambda name, value: b"{" + json.dumps(name).encode() + b":" + value + b"}", field, HOSTILE_VALUES
    )
    whole = st.one_of(in_object, HOSTILE_VALUES)
    truncated = whole.flatmap(
        lambda body: st.integers(min_value=0, max_value=max(len(body) - 1, 0)).map(lambda n: body[:n])
    )
    return st.one_of(whole, whole, truncated)
