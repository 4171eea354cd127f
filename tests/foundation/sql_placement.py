"""The rule for where each piece of SQL lives (README, "Where SQL lives"), as a checker over file texts.

Migrations hold what the database needs when DDL runs: tables, types, policies, grants, triggers,
and the functions a trigger executes or a policy, default, check, index or view names. Every other
function lives in supabase/functions_sql/<area>/, one function or one tight family per file, and is
re-applied whenever its file changes (functions_sql runs after the migrations, so a trigger's body
may call it; what DDL needs while it runs may not).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from core.db.sql_split import split_statements

MAX_LINES = 300
_NAME = r'"?([a-z_][a-z0-9_$]*)"?\s*\.\s*"?([a-z_][a-z0-9_$]*)"?'
_LEADING_COMMENTS = re.compile(r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*", re.DOTALL)
CREATE_FUNCTION = re.compile(rf"^create\s+(?:or\s+replace\s+)?function\s+{_NAME}\s*\(", re.IGNORECASE)
CREATE_TRIGGER = re.compile(
    rf"^create\s+(?:constraint\s+)?trigger\s+(\w+)\s+.*?\bon\s+{_NAME}\s.*?execute\s+(?:function|procedure)\s+{_NAME}\s*\(",
    re.IGNORECASE | re.DOTALL,
)
CALLED = re.compile(rf"\b{_NAME}\s*\(", re.IGNORECASE)
TRIGGER_NAME = re.compile(r"^_(\d{3})_([a-z][a-z0-9_]*)$")
# What a functions_sql file may do besides creating functions: views of the api, their comments and grants.
FUNCTION_FILE_STATEMENT = re.compile(
    r"^(create\s+or\s+replace\s+function|comment\s+on|grant|revoke|(create|drop)\s+view|drop\s+function)\b",
    re.IGNORECASE,
)
# Statements that only describe a function (its comment, grants): they need it, but do not make it needed.
ABOUT_A_FUNCTION = re.compile(
    r"^(comment\s+on|grant|revoke|alter)\s+(\w+\s+)*?(function|routine|procedure)\b", re.IGNORECASE
)
OUR_SCHEMAS = ("api", "private")


def _statements(text: str) -> list[str]:
    return [_LEADING_COMMENTS.sub("", s, count=1) for s in split_statements(text)]


def _tokens(name: str) -> set[str]:
    return {t.rstrip("s") for t in re.split(r"_+", name) if len(t) >= 4 and t not in ("onboarding",)}


def placement_problems(migrations: Mapping[str, str], function_files: Mapping[str, str]) -> list[str]:
    """Every breach of the rule, one line each, naming the file and what to do. Paths are repo-relative."""
    problems: list[str] = []
    created: dict[tuple[str, str], str] = {}
    needed: set[tuple[str, str]] = set()
    for path, text in migrations.items():
        for statement in _statements(text):
            function = CREATE_FUNCTION.match(statement)
            if function:
                key = (function.group(1).lower(), function.group(2).lower())
                if key[0] in OUR_SCHEMAS:
                    created[key] = path
                continue
            trigger = CREATE_TRIGGER.match(statement)
            if trigger:
                problems += _trigger_problems(path, trigger)
            if not ABOUT_A_FUNCTION.match(statement):
                # DDL or data the migration runs: every function it names must exist at that moment.
                needed |= {(s.lower(), n.lower()) for s, n in CALLED.findall(statement)}
    for (schema, name), path in sorted(created.items()):
        if (schema, name) not in needed:
            problems.append(
                f"{path}: {schema}.{name} is not needed by any DDL at creation (no trigger, policy, default, "
                f"check, index or view names it): move it to supabase/functions_sql/<area>/"
            )
    for path, text in function_files.items():
        problems += _function_file_problems(path, text)
    for path, text in {**migrations, **function_files}.items():
        lines = text.count("\n")
        if lines > MAX_LINES:
            problems.append(f"{path}: {lines} lines, over {MAX_LINES}: split it along the rule")
        if re.search(r"#variable_conflict\s+use_variable", text, re.IGNORECASE):
            problems.append(f"{path}: #variable_conflict use_variable: qualify parameters by function name instead")
    return problems


def _trigger_problems(path: str, trigger: re.Match[str]) -> list[str]:
    name, table, schema, function = trigger.group(1), trigger.group(3), trigger.group(4), trigger.group(5)
    shape = TRIGGER_NAME.match(name)
    if shape is None:
        return [f"{path}: trigger {name} on {table}: name it _<NNN>_<task> (NNN orders the firing)"]
    task = shape.group(2)
    wanted = {f"tg_{table}__{task}", f"tg__{task}"}
    if schema.lower() != "private" or function.lower() not in wanted:
        return [f"{path}: trigger {name} on {table} runs {schema}.{function}: name it private.tg_{table}__{task} "
                f"(or the shared private.tg__{task})"]  # fmt: skip
    if task == "touch_updated_at" and function.lower() != "tg__touch_updated_at":
        return [f"{path}: trigger {name} on {table}: use the shared private.tg__touch_updated_at"]
    return []


def _function_file_problems(path: str, text: str) -> list[str]:
    parts = PurePosixPath(path).parts
    if len(parts) != 4 or parts[:2] != ("supabase", "functions_sql"):
        return [f"{path}: a functions_sql file lives in supabase/functions_sql/<area>/<name>.sql"]
    area, stem = parts[2], re.sub(r"^\d+_", "", PurePosixPath(path).stem)
    problems, names = [], []
    for statement in _statements(text):
        if not FUNCTION_FILE_STATEMENT.match(statement):
            first = " ".join(statement.split()[:3])
            problems.append(f"{path}: `{first} …` is DDL: it belongs in a migration")
            continue
        function = CREATE_FUNCTION.match(statement)
        if function:
            schema, name = function.group(1).lower(), function.group(2).lower()
            names.append(name)
            prefix = name.split("__", 1)[0] if "__" in name else None
            if name.startswith("tg_"):
                problems.append(
                    f"{path}: {schema}.{name} is a trigger function: it lives in the migration of its trigger"
                )
            elif prefix is not None and prefix.rstrip("s") != area.rstrip("s"):  # error__ in errors/
                problems.append(f"{path}: {schema}.{name} belongs to area {prefix}, not {area}")
    if len(names) > 1:
        family = _tokens(stem)
        strangers = [n for n in names if not _tokens(n) & family]
        if strangers:
            problems.append(
                f"{path}: defines {', '.join(strangers)} beside its family ({stem}): one function or one tight "
                "family per file; give each its own file"
            )
    return problems
