"""Which differences between two api contracts break a client (docs/api_compatibility.md says why).

Clients call functions by name with named arguments (PostgREST's `POST /rest/v1/rpc/<name>` with a
JSON object), read views by name and column, and decode what comes back. So a change breaks a client
when a name it uses disappears, a type it decodes changes, an argument it omits becomes required,
or it loses a privilege; anything added beside what exists does not.

The contract (see `api_contract`) holds each function's argument list and result as PostgreSQL prints
them (`pg_get_function_arguments`, `pg_get_function_result`); both are parsed here, outside quotes
and parentheses, into names, types and whether a default exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    type: str
    has_default: bool


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Pieces of `text` between separators outside quotes, parentheses and brackets."""
    pieces, depth, quote, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            pieces.append(text[start:index].strip())
            start = index + 1
    tail = text[start:].strip()
    return [*pieces, tail] if tail or pieces else []


def _name_and_rest(piece: str) -> tuple[str, str]:
    if piece.startswith('"'):
        end = piece.index('"', 1)
        while piece[end + 1 : end + 2] == '"':  # a doubled quote inside the name
            end = piece.index('"', end + 2)
        return piece[1:end].replace('""', '"'), piece[end + 1 :].strip()
    name, _, rest = piece.partition(" ")
    return name, rest.strip()


def _default_at(piece: str) -> int:
    """Where ` DEFAULT ` starts outside quotes, or -1."""
    quote = ""
    for index, char in enumerate(piece):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif piece.startswith(" DEFAULT ", index):
            return index
    return -1


def parse_arguments(arguments: str) -> tuple[list[Argument], list[Argument]]:
    """(inputs, outputs) of a `pg_get_function_arguments` text such as `a text, OUT b integer`."""
    inputs: list[Argument] = []
    outputs: list[Argument] = []
    for piece in split_top_level(arguments):
        mode, _, rest = piece.partition(" ")
        if mode not in ("OUT", "INOUT", "VARIADIC"):
            mode, rest = "IN", piece
        default = _default_at(rest)
        declaration = rest if default < 0 else rest[:default]
        name, type_ = _name_and_rest(declaration.strip())
        argument = Argument(name, type_, default >= 0)
        if mode in ("IN", "INOUT", "VARIADIC"):
            inputs.append(argument)
        if mode in ("OUT", "INOUT"):
            outputs.append(Argument(name, type_, False))
    return inputs, outputs


def result_columns(function: dict[str, Any]) -> list[Argument] | None:
    """The named columns a function returns (`TABLE(...)` or OUT arguments), or None for a plain type."""
    returns: str = function["returns"]
    if returns.startswith("TABLE(") and returns.endswith(")"):
        return [Argument(*_name_and_rest(piece), False) for piece in split_top_level(returns[6:-1])]
    _, outputs = parse_arguments(function["arguments"])
    return outputs or None


def _function_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    name = f"api.{old['name']}"
    problems = []
    old_inputs, _ = parse_arguments(old["arguments"])
    new_inputs = {a.name: a for a in parse_arguments(new["arguments"])[0]}
    for argument in old_inputs:
        current = new_inputs.pop(argument.name, None)
        if current is None:
            problems.append(f"argument removed or renamed: {name}({argument.name})")
        elif current.type != argument.type:
            problems.append(f"argument retyped: {name}({argument.name}) {argument.type} -> {current.type}")
        elif argument.has_default and not current.has_default:
            problems.append(f"argument lost its default: {name}({argument.name})")
    problems += [f"new required argument: {name}({a.name})" for a in new_inputs.values() if not a.has_default]
    old_columns, new_columns = result_columns(old), result_columns(new)
    if old_columns is None or new_columns is None:
        if old["returns"] != new["returns"]:
            problems.append(f"return type changed: {name} returns {old['returns']} -> {new['returns']}")
    else:
        problems += _column_problems(f"{name} result", old_columns, new_columns)
        if _returns_set(old) != _returns_set(new):  # OUT arguments answer one object, TABLE an array
            shape = {True: "a set of rows", False: "one row"}
            problems.append(f"result changed from {shape[_returns_set(old)]} to {shape[_returns_set(new)]}: {name}")
    if old["volatility"] != "volatile" and new["volatility"] == "volatile":
        problems.append(f"{name} became volatile: GET requests to it now fail")
    problems += [
        f"{role} may no longer call {name}" for role in sorted(set(old["callable_by"]) - set(new["callable_by"]))
    ]
    return problems


def _returns_set(function: dict[str, Any]) -> bool:
    returns: str = function["returns"]
    return returns.startswith(("SETOF ", "TABLE("))


def _accepts(function: dict[str, Any], names: frozenset[str]) -> bool:
    """Whether PostgREST would consider `function` for a call sending exactly these argument names."""
    inputs, _ = parse_arguments(function["arguments"])
    return names <= {a.name for a in inputs} and {a.name for a in inputs if not a.has_default} <= names


def _ambiguity_problems(function: dict[str, Any], old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Calls of `function` (its required arguments alone, or all of them) that one overload answered
    and several now fit: PostgREST refuses those (PGRST203, it cannot choose), so a new overload beside
    an old one can break callers that the old signature alone still serves."""
    inputs, _ = parse_arguments(function["arguments"])
    calls = {frozenset(a.name for a in inputs if not a.has_default), frozenset(a.name for a in inputs)}
    problems = []
    for call in sorted(calls, key=sorted):
        fitting = sum(_accepts(overload, call) for overload in new)
        if fitting > 1 and sum(_accepts(overload, call) for overload in old) <= 1:
            arguments = ", ".join(sorted(call))
            problems.append(f"call made ambiguous: api.{function['name']}({arguments}) fits {fitting} overloads")
    return problems


def _column_problems(owner: str, old: list[Argument], new: list[Argument]) -> list[str]:
    current = {c.name: c.type for c in new}
    problems = []
    for column in old:
        if column.name not in current:
            problems.append(f"column removed or renamed: {owner}.{column.name}")
        elif current[column.name] != column.type:
            problems.append(f"column retyped: {owner}.{column.name} {column.type} -> {current[column.name]}")
    return problems


def _columns(entry: dict[str, Any]) -> list[Argument]:
    return [Argument(c["name"], c["type"], False) for c in entry["columns"]]


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every change from `old` to `new` that can break an existing client, one stable line each."""
    problems: list[str] = []
    for function in old["functions"]:
        overloads = [f for f in new["functions"] if f["name"] == function["name"]]
        if not overloads:
            problems.append(f"function removed or renamed: api.{function['name']}")
            continue
        # PostgREST picks an overload by the argument names sent: the old call works if any overload fits.
        fits = [_function_problems(function, overload) for overload in overloads]
        fewest = min(fits, key=len)
        problems += fewest
        old_overloads = [f for f in old["functions"] if f["name"] == function["name"]]
        problems += _ambiguity_problems(function, old_overloads, overloads)
    new_relations = {r["name"]: r for r in new["relations"]}
    for relation in old["relations"]:
        current = new_relations.get(relation["name"])
        if current is None:
            problems.append(f"{relation['kind']} removed or renamed: api.{relation['name']}")
            continue
        problems += _column_problems(f"api.{relation['name']}", _columns(relation), _columns(current))
        lost = sorted(set(relation["readable_by"]) - set(current["readable_by"]))
        problems += [f"{role} may no longer read api.{relation['name']}" for role in lost]
    new_types = {t["name"]: t for t in new.get("types", [])}
    for composite in old.get("types", []):
        current = new_types.get(composite["name"])
        if current is None:
            problems.append(f"type removed or renamed: api.{composite['name']}")
            continue
        problems += _column_problems(f"api.{composite['name']}", _columns(composite), _columns(current))
    return problems
