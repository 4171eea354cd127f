"""The compatibility rule (docs/api_compatibility.md): the api may grow freely, but every breaking change
against the last released contract is declared, with a note and a new major version, or the test fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fluentpro.api_compat import breaking_changes, parse_arguments
from fluentpro.api_contract import read_contract
from fluentpro.api_release import (
    Declared,
    ReleaseError,
    load_declared,
    load_released,
    release,
    release_problems,
    render_declared,
)
from tests.support.database import TestDatabase


def function(name: str, arguments: str = "", returns: str = "jsonb", **extra: Any) -> dict[str, Any]:
    return {
        "name": name, "arguments": arguments, "returns": returns, "volatility": "volatile",
        "security_definer": False, "comment": "", "callable_by": ["authenticated"], **extra,
    }  # fmt: skip


def view(name: str, *columns: tuple[str, str], readable_by: tuple[str, ...] = ("authenticated",)) -> dict[str, Any]:
    return {
        "name": name, "kind": "view", "security_invoker": True, "comment": "", "readable_by": list(readable_by),
        "columns": [{"name": n, "type": t, "comment": ""} for n, t in columns],
    }  # fmt: skip


def composite(name: str, *columns: tuple[str, str]) -> dict[str, Any]:
    return {"name": name, "comment": "", "columns": [{"name": n, "type": t, "comment": ""} for n, t in columns]}


BEFORE: dict[str, Any] = {
    "functions": [
        function("set_goal", "goal text, note text DEFAULT NULL::text"),
        function("list_goals", "max_rows integer DEFAULT 50", "TABLE(goal_id uuid, title text)"),
        function("search", "query text", "SETOF api.search_hit", volatility="stable"),
        function("me"),
    ],
    "relations": [view("goals", ("goal_id", "uuid"), ("title", "text"))],
    "types": [composite("search_hit", ("goal_id", "uuid"), ("score", "real"))],
}


def changed(**edits: Any) -> dict[str, Any]:
    """BEFORE with functions/relations/types replaced by name, added, or (value None) removed."""
    after = copy.deepcopy(BEFORE)
    for key, entries in edits.items():
        section, name = key.split("__")
        after[section] = [e for e in after[section] if e["name"] != name]
        after[section] += [entries] if entries is not None else []
    return after


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ({"functions__me": None}, "function removed or renamed: api.me"),
        ({"functions__set_goal": function("set_goal", "note text DEFAULT NULL::text")},
         "argument removed or renamed: api.set_goal(goal)"),
        ({"functions__set_goal": function("set_goal", "goal integer, note text DEFAULT NULL::text")},
         "argument retyped: api.set_goal(goal) text -> integer"),
        ({"functions__set_goal": function("set_goal", "goal text, note text, due date DEFAULT NULL::date")},
         "argument lost its default: api.set_goal(note)"),
        ({"functions__me": function("me", "profile_id uuid")}, "new required argument: api.me(profile_id)"),
        ({"functions__me": function("me", returns="json")}, "return type changed: api.me returns jsonb -> json"),
        ({"functions__list_goals": function("list_goals", "max_rows integer DEFAULT 50", "TABLE(goal_id uuid)")},
         "column removed or renamed: api.list_goals result.title"),
        ({"functions__list_goals": function("list_goals", "max_rows integer DEFAULT 50", "jsonb")},
         "return type changed: api.list_goals returns TABLE(goal_id uuid, title text) -> jsonb"),
        ({"functions__list_goals": function(
            "list_goals", "max_rows integer DEFAULT 50, OUT goal_id uuid, OUT title text", "record")},
         "result changed from a set of rows to one row: api.list_goals"),
        ({"functions__search": function("search", "query text", "SETOF api.search_hit")},
         "api.search became volatile: GET requests to it now fail"),
        ({"functions__me": function("me", callable_by=[])}, "authenticated may no longer call api.me"),
        ({"relations__goals": None}, "view removed or renamed: api.goals"),
        ({"relations__goals": view("goals", ("goal_id", "uuid"))}, "column removed or renamed: api.goals.title"),
        ({"relations__goals": view("goals", ("goal_id", "text"), ("title", "text"))},
         "column retyped: api.goals.goal_id uuid -> text"),
        ({"relations__goals": view("goals", ("goal_id", "uuid"), ("title", "text"), readable_by=())},
         "authenticated may no longer read api.goals"),
        ({"types__search_hit": composite("search_hit", ("goal_id", "uuid"), ("score", "double precision"))},
         "column retyped: api.search_hit.score real -> double precision"),
        ({"types__search_hit": None}, "type removed or renamed: api.search_hit"),
    ],
)  # fmt: skip
def test_each_breaking_kind_is_named(edits: dict[str, Any], expected: str) -> None:
    assert breaking_changes(BEFORE, changed(**edits)) == [expected]


def test_additions_are_not_breaking() -> None:
    after = changed(
        functions__set_goal=function("set_goal", "goal text, note text DEFAULT NULL::text, due date DEFAULT NULL"),
        functions__list_goals=function(
            "list_goals", "max_rows integer DEFAULT 50", "TABLE(goal_id uuid, title text, done boolean)"
        ),
        functions__me_v2=function("me_v2", "profile_id uuid"),
        relations__goals=view(
            "goals", ("goal_id", "uuid"), ("title", "text"), ("due", "date"), readable_by=("anon", "authenticated")
        ),
        relations__plans=view("plans", ("plan_id", "uuid")),
        types__search_hit=composite("search_hit", ("goal_id", "uuid"), ("score", "real"), ("why", "text")),
    )  # fmt: skip
    after["functions"].append(function("me", "profile_id uuid"))  # an overload beside the old call still fits
    assert breaking_changes(BEFORE, after) == []


def test_a_new_overload_that_makes_an_old_call_ambiguous_is_breaking() -> None:
    """PostgREST cannot choose between two overloads that both fit the arguments sent (PGRST203)."""
    after = changed()
    after["functions"].append(function("set_goal", "goal text, priority integer DEFAULT 0"))
    assert breaking_changes(BEFORE, after) == ["call made ambiguous: api.set_goal(goal) fits 2 overloads"]


def test_arguments_are_parsed_outside_quotes_and_parentheses() -> None:
    inputs, outputs = parse_arguments(
        "amount numeric(10,2) DEFAULT 1.5, \"odd, name\" text DEFAULT 'a, b DEFAULT c'::text, OUT total bigint, "
        "VARIADIC tags text[]"
    )
    assert [(a.name, a.type, a.has_default) for a in inputs] == [
        ("amount", "numeric(10,2)", True), ("odd, name", "text", True), ("tags", "text[]", False),
    ]  # fmt: skip
    assert [(a.name, a.type) for a in outputs] == [("total", "bigint")]


RELEASED = {"version": "1.4.2", "contract": BEFORE}
BROKEN = changed(functions__me=None)


def test_an_undeclared_break_fails_and_a_declared_one_with_a_major_version_passes() -> None:
    assert release_problems(RELEASED, BROKEN, Declared()) == [
        "breaking change not declared: function removed or renamed: api.me"
    ]
    declared = Declared("2.0.0", {"function removed or renamed: api.me": "Call api.me_v2 instead."})
    assert release_problems(RELEASED, BROKEN, declared) == []


def test_a_declaration_needs_a_note_a_major_version_and_a_break_that_happens() -> None:
    declared = Declared("1.5.0", {"function removed or renamed: api.me": " "})
    assert release_problems(RELEASED, BROKEN, declared) == [
        "declared breaking change has no note for clients: function removed or renamed: api.me",
        'breaking changes need a new major version: set next_version = "2.0.0" in api_changes.toml (released: 1.4.2)',
    ]
    stale = Declared("2.0.0", {"function removed or renamed: api.me": "Call api.me_v2."})
    assert release_problems(RELEASED, BEFORE, stale) == [
        "declared breaking change does not happen (remove it from api_changes.toml): "
        "function removed or renamed: api.me"
    ]


def test_a_release_records_the_contract_and_empties_the_declarations(tmp_path: Path) -> None:
    released_path, declared_path = tmp_path / "released.json", tmp_path / "changes.toml"
    released_path.write_text(json.dumps(RELEASED), encoding="utf-8")
    declared = Declared("2.0.0", {"function removed or renamed: api.me": "Call api.me_v2 instead."})
    declared_path.write_text(render_declared(declared), encoding="utf-8")
    assert load_declared(declared_path) == declared
    with pytest.raises(ReleaseError, match=r"ship in 2\.0\.0, not 1\.5\.0"):
        release("1.5.0", BROKEN, released_path=released_path, declared_path=declared_path)
    release("2.0.0", BROKEN, released_path=released_path, declared_path=declared_path)
    written = load_released(released_path)
    assert (written["version"], written["contract"]) == ("2.0.0", BROKEN)
    assert written["breaking_changes"] == [
        {"change": "function removed or renamed: api.me", "note": "Call api.me_v2 instead."}
    ]
    assert load_declared(declared_path) == Declared()
    with pytest.raises(ReleaseError, match=r"not above the released 2\.0\.0"):
        release("2.0.0", BROKEN, released_path=released_path, declared_path=declared_path)


async def test_the_api_keeps_the_released_contract_or_declares_its_breaks(db: TestDatabase) -> None:
    async with db.owner() as conn:
        live = await read_contract(conn)
    problems = release_problems(load_released(), live, load_declared())
    assert problems == [], (
        "the api breaks the released contract: keep the old function or view beside a new one (_v2), or declare "
        "each change in tests/contract/api_changes.toml (docs/api_compatibility.md)\n" + "\n".join(problems)
    )
