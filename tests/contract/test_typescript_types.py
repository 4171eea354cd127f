"""The committed TypeScript types are what `supabase gen types typescript`'s generator writes for the
api the migrations build, so the frontend never compiles against a stale schema."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from sidecar.api_types import TYPES_PATH, generate
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
