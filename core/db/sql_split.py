"""Split a SQL script into statements, the way the Supabase CLI's parser does for its batches.

Only what matters for splitting is understood: single-quoted strings (with '' and E'' escapes),
double-quoted identifiers, dollar-quoted bodies, line and nested block comments. A `;` outside all
of those ends a statement. Statements that hold nothing but comments and space are dropped.
"""

from __future__ import annotations

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


def split_statements(script: str) -> list[str]:
    statements: list[str] = []
    start = 0
    i = 0
    n = len(script)
    while i < n:
        ch = script[i]
        nxt = script[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = script.find("\n", i)
            i = n if end == -1 else end + 1
        elif ch == "/" and nxt == "*":
            i = skip_block_comment(script, i)
        elif ch == "'":
            escaped = i > 0 and script[i - 1] in "eE" and (i < 2 or not script[i - 2].isalnum())
            i = skip_quoted(script, i, "'", backslash=escaped)
        elif ch == '"':
            i = skip_quoted(script, i, '"', backslash=False)
        elif ch == "$" and (match := _DOLLAR_TAG.match(script, i)) and not _is_identifier_char(script, i - 1):
            tag = match.group(0)
            end = script.find(tag, match.end())
            i = n if end == -1 else end + len(tag)
        elif ch == ";":
            _append(statements, script[start:i])
            i += 1
            start = i
        else:
            i += 1
    _append(statements, script[start:])
    return statements


def _is_identifier_char(script: str, index: int) -> bool:
    return index >= 0 and (script[index].isalnum() or script[index] == "_")


def skip_block_comment(script: str, i: int) -> int:
    depth = 0
    n = len(script)
    while i < n:
        if script.startswith("/*", i):
            depth += 1
            i += 2
        elif script.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def skip_quoted(script: str, i: int, quote: str, *, backslash: bool) -> int:
    i += 1
    n = len(script)
    while i < n:
        ch = script[i]
        if backslash and ch == "\\":
            i += 2
        elif ch == quote:
            if i + 1 < n and script[i + 1] == quote:
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n


def _append(statements: list[str], chunk: str) -> None:
    text = chunk.strip()
    if text and _has_code(text):
        statements.append(text)


def _has_code(text: str) -> bool:
    """True unless the chunk is only comments."""
    stripped = re.sub(r"--[^\n]*", "", text)
    stripped = re.sub(r"/\*.*?\*/", "", stripped, flags=re.DOTALL)
    return bool(stripped.strip())
