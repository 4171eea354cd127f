"""Running a Node script that uses the pinned supabase-js (tools/supabase-js) against the running stack."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.jobs.stack import ROOT, JobStack

JS_CLIENT_DIR = ROOT / "tools" / "supabase-js"
# Only turns a hung script into a clear failure; the scripts bound each of their own waits too.
SCRIPT_BOUND_SECONDS = 600


def node_command() -> list[str]:
    """`node`, with the WebSocket global switched on where it is still experimental (Node 20, 21)."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("node is not installed; the supabase-js tests need Node 20+ and npm")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    major = int(version.strip().lstrip("v").split(".")[0])
    if major < 20:
        raise AssertionError(f"Node {version.strip()} is too old for supabase-js; install Node 20+")
    return [node, "--experimental-websocket"] if major < 22 else [node]


def require_supabase_js() -> None:
    if not (JS_CLIENT_DIR / "node_modules" / "@supabase" / "supabase-js").is_dir():
        raise AssertionError("supabase-js is not installed: run `make supabase-js` (make test does)")


async def run_node(script: Path, env: dict[str, str], stack: JobStack, *, cwd: Path = JS_CLIENT_DIR) -> str:
    """Run the script; its stdout on success, else an AssertionError with its output and the stack's logs."""
    require_supabase_js()
    process = await asyncio.create_subprocess_exec(
        *node_command(),
        str(script),
        cwd=cwd,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), SCRIPT_BOUND_SECONDS)
    except TimeoutError:
        process.kill()
        stdout, stderr = await process.communicate()
    out, err = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    if process.returncode != 0:
        raise AssertionError(
            f"{script.name} exited {process.returncode}\n--- stdout\n{out[-4000:]}\n--- stderr\n{err[-4000:]}\n"
            f"{stack.logs()}"
        )
    return out


def last_json_line(output: str) -> dict[str, Any]:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    assert lines, f"the script printed no JSON result:\n{output[-4000:]}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result
