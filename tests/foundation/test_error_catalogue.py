"""Every error code our SQL or Python raises is listed in docs/error_codes.md, and vice versa."""

from __future__ import annotations

import re

from core.db.migrator import PROJECT_ROOT

AREAS = ("auth", "profile", "admin", "onboarding", "job_roles", "jobs", "ai", "request", "metrics")
_CODE = rf"(?:{'|'.join(AREAS)})\.[a-z][a-z0-9_]*"
_SQL_RAISE = re.compile(rf"raise_error\(\s*'({_CODE})'")
_PY_LITERAL = re.compile(rf"[\"']({_CODE})[\"']")
_CATALOGUE_ROW = re.compile(rf"^\|\s*`({_CODE})`\s*\|", re.M)


def catalogued() -> set[str]:
    return set(_CATALOGUE_ROW.findall((PROJECT_ROOT / "docs" / "error_codes.md").read_text(encoding="utf-8")))


def raised_in_sql() -> set[str]:
    found: set[str] = set()
    for path in (PROJECT_ROOT / "supabase").rglob("*.sql"):
        found |= set(_SQL_RAISE.findall(path.read_text(encoding="utf-8")))
    return found


def raised_in_python() -> set[str]:
    found: set[str] = set()
    for folder in ("core", "fluentpro", "sidecar", "jobs"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            found |= set(_PY_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_raised_code_is_catalogued() -> None:
    missing = (raised_in_sql() | raised_in_python()) - catalogued()
    assert not missing, f"add these codes to docs/error_codes.md: {sorted(missing)}"


def test_every_catalogued_code_is_raised_somewhere() -> None:
    unused = catalogued() - raised_in_sql() - raised_in_python()
    assert not unused, f"docs/error_codes.md lists codes nothing raises: {sorted(unused)}"


def test_codes_are_unique_in_the_catalogue() -> None:
    text = (PROJECT_ROOT / "docs" / "error_codes.md").read_text(encoding="utf-8")
    codes = _CATALOGUE_ROW.findall(text)
    assert len(codes) == len(set(codes))
