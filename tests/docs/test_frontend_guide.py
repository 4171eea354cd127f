"""docs/frontend.md's JavaScript runs: every titled ```js block, in order, in one Node process with the
pinned supabase-js, against the stack `fluentpro dev` starts (sign-in, exchange, onboarding, the private
channel and the plan). A snippet that breaks, or hangs waiting for an event, fails the test."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.clients.node import JS_CLIENT_DIR, run_node
from tests.e2e.conftest import ClientStack
from tests.jobs.stack import ROOT

from .events import sent_events
from .snippets import code_blocks, module_of
from .typescript import compile_errors

GUIDE = ROOT / "docs" / "frontend.md"


def test_every_js_block_is_run_or_marked_as_an_illustration() -> None:
    blocks = [block for block in code_blocks(GUIDE.read_text(encoding="utf-8")) if block.lang == "js"]
    unmarked = [block.line for block in blocks if not block.runnable and not block.illustration]
    assert not unmarked, f'```js blocks on lines {unmarked} need title="..." (run) or illustration (not run)'
    titles = [block.title for block in blocks if block.runnable]
    assert len(titles) == len(set(titles)), titles
    assert len(titles) >= 10, titles  # the guide walks the whole journey


def test_the_event_table_lists_every_event_the_database_sends() -> None:
    sent = sent_events([ROOT / "supabase" / "migrations", ROOT / "supabase" / "functions_sql"])
    assert {"onboarding_state", "learning_plan_ready", "job_done"} <= sent, sent  # the reader works
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### Every event the database sends") :]
    table = section[section.index("\n|") : section.index("\n\n", section.index("\n|"))]  # its first table
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert listed == sent, f"in the guide only: {listed - sent}; sent but not in the guide: {sent - listed}"


# Misuses the generated types must reject, so a block that compiles proves the types were applied.
MISUSES = """
// @ts-expect-error: no such argument
await supabase.rpc('set_industry', { industri: 'banking_finance' })
// @ts-expect-error: no such function
await supabase.rpc('set_industri', { industry: 'banking_finance' })
// @ts-expect-error: no such column
await supabase.from('industries').select('slug').eq('colour', 'red')
"""


def test_the_typescript_example_compiles_against_the_generated_types(tmp_path: Path) -> None:
    [block] = [block for block in code_blocks(GUIDE.read_text(encoding="utf-8")) if block.lang == "ts"]
    errors = compile_errors(block.code + MISUSES, tmp_path)
    assert not errors, errors


async def test_the_guide_snippets_run_against_the_local_stack(client_stack: ClientStack, tmp_path: Path) -> None:
    """The guide signs in as alice, a dev user the client tests (sharing this stack) never use."""
    blocks = code_blocks(GUIDE.read_text(encoding="utf-8"))
    script = tmp_path / "frontend_guide.mjs"
    script.write_text(module_of(blocks, client_stack.api.client_config()), encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(JS_CLIENT_DIR / "node_modules")  # so '@supabase/supabase-js' resolves
    output = await run_node(script, {}, client_stack.stack, cwd=tmp_path)
    markers = [json.loads(line) for line in output.splitlines() if line.startswith('{"snippet":')]
    runnable = [block.title for block in blocks if block.runnable]
    assert [m["title"] for m in markers] == runnable
    assert f'{{"snippets_run": {len(runnable)}}}' in output, output
    assert "completed null 2" in output, output  # the "Onboard" snippet's own report
