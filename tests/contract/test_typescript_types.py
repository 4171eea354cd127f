"""The committed TypeScript types are what `supabase gen types typescript`'s generator writes for the
api the migrations build, so the frontend never compiles against a stale schema."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest

from core.db.migrator import PROJECT_ROOT
from fluentpro import api_types
from fluentpro.api_types import GENERATOR_DIR, TYPES_PATH, GenerationFailed, generate, install_generator
from tests.support.database import TestDatabase

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are not installed on this machine: the TypeScript types cannot be generated here",
)


async def test_committed_types_match_the_generator(db: TestDatabase) -> None:
    generated = await asyncio.to_thread(generate, db.url)
    assert TYPES_PATH.read_text(encoding="utf-8") == generated, "the types are stale: run `make types` and commit"


async def test_types_cover_the_api_schema_only(db: TestDatabase) -> None:
    """The check above can fail: a new api function shows up in the generated types, app tables never do."""
    async with db.owner() as conn:
        await conn.execute(
            "create function api.types_probe(probe_value integer) returns text language sql as $$ select 'x' $$"
        )
    generated = await asyncio.to_thread(generate, db.url)
    assert "types_probe: {" in generated and "probe_value: number" in generated
    assert generated != TYPES_PATH.read_text(encoding="utf-8")
    assert "\n  app: {" not in generated and "\n  private: {" not in generated


def test_the_generator_is_the_version_the_pinned_supabase_cli_runs() -> None:
    """`supabase gen types typescript` runs the postgres-meta image its binary names; ours must match it."""
    binaries = sorted(
        (PROJECT_ROOT / "tools" / "supabase-cli" / "node_modules" / "@supabase").glob("cli-*/bin/supabase*")
    )
    if not binaries:
        pytest.skip("the Supabase CLI is not installed (make supabase-cli): its postgres-meta version is unknown")
    image_versions = set(re.findall(rb"supabase/postgres-meta:v([0-9.]+[0-9])", binaries[0].read_bytes()))
    package = json.loads((GENERATOR_DIR / "package.json").read_text(encoding="utf-8"))
    assert image_versions == {package["dependencies"]["@supabase/postgres-meta"].encode()}


def test_a_failing_install_is_reported_not_raised_as_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`npm ci` without a lock file fails at once, offline too: main prints the message and exits 2."""
    monkeypatch.setattr(api_types, "GENERATOR_DIR", tmp_path)
    monkeypatch.setattr(api_types, "GENERATOR_SCRIPT", tmp_path / "missing.js")
    (tmp_path / "package.json").write_text('{"name": "probe", "version": "1.0.0"}', encoding="utf-8")
    with pytest.raises(GenerationFailed, match="npm ci"):
        install_generator()
