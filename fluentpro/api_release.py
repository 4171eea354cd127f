"""The api as last released, and the breaking changes declared since (docs/api_compatibility.md).

`tests/contract/api_released.json` holds the contract of the last release with its version;
`tests/contract/api_changes.toml` declares, with a note for client authors, each breaking change made
on purpose since then and the major version that will ship them. A test fails on every breaking
change against the release that is not declared there. `fluentpro api-contract --release <version>`
writes a new release from the current database and empties the declarations.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db.migrator import PROJECT_ROOT
from fluentpro.api_compat import breaking_changes

RELEASED_PATH = PROJECT_ROOT / "tests" / "contract" / "api_released.json"
DECLARED_PATH = PROJECT_ROOT / "tests" / "contract" / "api_changes.toml"

_DECLARED_HEADER = """\
# Breaking changes to the api since the release in api_released.json, made on purpose.
# Rules: docs/api_compatibility.md. Each [[breaking]] entry copies one line the check prints
# (`change`) and tells client authors what to do (`note`); next_version is the major version that
# ships them. `fluentpro api-contract --release <version>` empties this file.
"""


class ReleaseError(ValueError):
    """A release cannot be written; the message says why."""


@dataclass(frozen=True, slots=True)
class Declared:
    next_version: str = ""
    breaking: dict[str, str] = field(default_factory=dict)  # change -> note


def parse_version(text: str) -> tuple[int, int, int]:
    parts = text.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ReleaseError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH")
    return int(parts[0]), int(parts[1]), int(parts[2])


def load_released(path: Path = RELEASED_PATH) -> dict[str, Any]:
    released: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return released


def load_declared(path: Path = DECLARED_PATH) -> Declared:
    if not path.exists():
        return Declared()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = data.get("breaking", [])
    return Declared(
        str(data.get("next_version", "")), {str(e.get("change", "")): str(e.get("note", "")) for e in entries}
    )


def render_declared(declared: Declared) -> str:
    lines = [_DECLARED_HEADER, f"next_version = {json.dumps(declared.next_version)}"]
    for change, note in declared.breaking.items():
        lines += ["", "[[breaking]]", f"change = {json.dumps(change)}", f"note = {json.dumps(note)}"]
    return "\n".join(lines) + "\n"


def release_problems(released: dict[str, Any], live: dict[str, Any], declared: Declared) -> list[str]:
    """Why the live contract may not ship as the next version: one line each, empty when it may."""
    breaking = breaking_changes(released["contract"], live)
    problems = [f"breaking change not declared: {change}" for change in breaking if change not in declared.breaking]
    problems += [
        f"declared breaking change does not happen (remove it from {DECLARED_PATH.name}): {change}"
        for change in declared.breaking
        if change not in breaking
    ]
    problems += [
        f"declared breaking change has no note for clients: {c}"
        for c, note in declared.breaking.items()
        if not note.strip()
    ]
    if declared.breaking:
        major = parse_version(released["version"])[0]
        wanted = f"{major + 1}.0.0"
        try:
            next_major = parse_version(declared.next_version)[0]
        except ReleaseError:
            next_major = major
        if next_major <= major:
            problems.append(
                f"breaking changes need a new major version: set next_version = {json.dumps(wanted)} in "
                f"{DECLARED_PATH.name} (released: {released['version']})"
            )
    return problems


def release(
    version: str, live: dict[str, Any], *, released_path: Path = RELEASED_PATH, declared_path: Path = DECLARED_PATH
) -> None:
    """Record `live` as released `version`, with the declared breaking changes as its notes."""
    released = load_released(released_path)
    declared = load_declared(declared_path)
    problems = release_problems(released, live, declared)
    if parse_version(version) <= parse_version(released["version"]):
        problems.append(f"version {version} is not above the released {released['version']}")
    if declared.breaking and version != declared.next_version:
        problems.append(
            f"the declared breaking changes ship in {declared.next_version or 'a new major version'}, not {version}"
        )
    if problems:
        raise ReleaseError("\n".join(problems))
    record = {
        "version": version,
        "released_on": dt.datetime.now(dt.UTC).date().isoformat(),
        "breaking_changes": [{"change": c, "note": n} for c, n in declared.breaking.items()],
        "contract": live,
    }
    released_path.write_text(json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    declared_path.write_text(render_declared(Declared()), encoding="utf-8")
