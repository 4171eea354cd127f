"""The Realtime events our SQL sends, read from the migrations and functions: the event argument of
every realtime.send call. A literal ('onboarding_state') is an event; a prefix joined to the row's
status ('job_' || new.status) stands for the prefix with each status the same file's trigger
condition (`new.status in (...)`) lets through."""

from __future__ import annotations

import re
from pathlib import Path

SEND = re.compile(r"realtime\.send\s*\(")
LITERAL = re.compile(r"^'([a-z_]+)'$")
PREFIXED_STATUS = re.compile(r"^'([a-z_]+)'\s*\|\|\s*new\.status$")
STATUSES = re.compile(r"new\.status in \(([^)]*)\)")


def arguments(sql: str, start: int) -> list[str]:
    """The top-level arguments of the call whose '(' ends at `start`."""
    depth, current, found = 1, [], []
    for char in sql[start:]:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                found.append("".join(current).strip())
                return found
        if char == "," and depth == 1:
            found.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    raise ValueError("unbalanced realtime.send call")


def sent_events(roots: list[Path]) -> set[str]:
    events: set[str] = set()
    for path in sorted(p for root in roots for p in root.rglob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        for call in SEND.finditer(sql):
            event = " ".join(arguments(sql, call.end())[1].split())
            if literal := LITERAL.match(event):
                events.add(literal[1])
            elif prefixed := PREFIXED_STATUS.match(event):
                statuses = [s.strip().strip("'") for m in STATUSES.finditer(sql) for s in m[1].split(",")]
                assert statuses, f"{path.name}: {event} with no `new.status in (...)` condition to read"
                events.update(prefixed[1] + status for status in statuses)
            else:
                raise AssertionError(f"{path.name}: an event argument this check cannot read: {event}")
    return events
