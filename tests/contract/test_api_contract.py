"""The api contract the migrations build matches the committed snapshot and docs/api.md, every api
object is documented, and the comparison names the changes that would break clients."""

from __future__ import annotations

import json
from typing import Any

from fluentpro.api_compat import breaking_changes
from fluentpro.api_contract import DOCS_PATH, SNAPSHOT_PATH, read_contract, render_docs
from tests.support.database import TestDatabase

UPDATE = "run `.venv/bin/python -m fluentpro.api_contract --update` and commit the result with the change"


async def _live(db: TestDatabase) -> dict[str, Any]:
    async with db.owner() as conn:
        return await read_contract(conn)


async def test_the_api_matches_the_committed_snapshot(db: TestDatabase) -> None:
    live = await _live(db)
    committed = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))
    # Whether a change may ship is test_api_compatibility's question (against the released contract).
    assert live == committed, f"the api changed: {UPDATE}; breaking: {breaking_changes(committed, live)}"


async def test_docs_are_rendered_from_the_current_comments(db: TestDatabase) -> None:
    assert DOCS_PATH.read_text(encoding="utf-8") == render_docs(await _live(db)), UPDATE


async def test_every_api_function_and_view_has_a_comment(db: TestDatabase) -> None:
    live = await _live(db)
    undocumented = [f["name"] for f in live["functions"] if not f["comment"].strip()]
    undocumented += [r["name"] for r in live["relations"] if not r["comment"].strip()]
    assert undocumented == []


async def test_the_onboarding_contract_is_in_the_snapshot(db: TestDatabase) -> None:
    names = {f["name"] for f in (await _live(db))["functions"]}
    assert {
        "set_native_language", "set_industry", "select_job_role", "submit_custom_job_role",
        "set_communication_partners", "set_partner_situations", "onboarding_state", "onboarding_summary",
        "complete_onboarding", "reset_onboarding",
    } <= names  # fmt: skip


async def test_breaking_changes_are_named_and_additions_are_not(db: TestDatabase) -> None:
    """The checker on a real catalog, as PostgreSQL prints signatures (tests/contract/test_api_compatibility.py
    covers each kind on synthetic contracts)."""
    before = await _live(db)
    async with db.owner() as conn:
        await conn.execute(
            """
            drop function api.set_industry(text);
            create function api.set_industry(industry text, note text) returns jsonb
              language sql as $$ select '{}'::jsonb $$;
            drop function api.set_native_language(text);
            create function api.set_native_language(native_language text, region text default null) returns jsonb
              language sql as $$ select '{}'::jsonb $$;
            grant execute on function api.set_native_language(text, text) to authenticated;
            revoke execute on function api.onboarding_state() from authenticated;
            create or replace function api.onboarding_summary() returns jsonb language sql volatile
              as $$ select '{}'::jsonb $$;
            drop view api.situations;
            create view api.situations as select slug, sort_order::text as sort_order from app.situations;
            create function api.brand_new() returns int language sql as $$ select 1 $$;
            comment on function api.complete_onboarding() is 'reworded';
            """
        )
    after = await _live(db)
    assert sorted(breaking_changes(before, after)) == sorted([
        "new required argument: api.set_industry(note)",
        "authenticated may no longer call api.set_industry",
        "authenticated may no longer call api.onboarding_state",
        "api.onboarding_summary became volatile: GET requests to it now fail",
        "column removed or renamed: api.situations.situation_id",
        "column removed or renamed: api.situations.name",
        "column removed or renamed: api.situations.description",
        "column retyped: api.situations.sort_order integer -> text",
        "authenticated may no longer read api.situations",
        "service_role may no longer read api.situations",
    ])  # fmt: skip
    assert breaking_changes(after, after) == []
