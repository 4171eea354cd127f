"""Safe SQL text: identifiers are always quoted here, and values always travel as parameters."""

from __future__ import annotations


def ident(name: str) -> str:
    """PostgreSQL's quote_ident, always quoting: any name (from a URL or the catalogue) becomes one identifier."""
    if "\x00" in name:
        raise ValueError("an identifier cannot contain NUL")
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"
