"""Compiling the guide's TypeScript block against the committed api types, with the pinned TypeScript."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.clients.node import JS_CLIENT_DIR, require_supabase_js
from tests.jobs.stack import ROOT

TYPES = ROOT / "supabase" / "types" / "database.types.ts"
TSC = JS_CLIENT_DIR / "node_modules" / ".bin" / "tsc"
# What the block takes from the guide's earlier sections.
DECLARATIONS = """declare const SUPABASE_URL: string
declare const SUPABASE_ANON_KEY: string
declare function supabaseAccessToken(): Promise<string>
"""
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",  # as an app's bundler (Vite, webpack) resolves './database.types'
        "lib": ["es2022", "dom"],
        "skipLibCheck": True,
        "noUnusedLocals": False,
    },
    "files": ["guide.ts"],
}


def compile_errors(code: str, workdir: Path) -> str:
    """tsc's diagnostics for the block (empty when it compiles); `code` may append @ts-expect-error probes."""
    require_supabase_js()
    if not TSC.is_file():
        raise AssertionError("TypeScript is not installed: run `make supabase-js` (make test does)")
    (workdir / "node_modules").symlink_to(JS_CLIENT_DIR / "node_modules")
    (workdir / "database.types.ts").write_text(TYPES.read_text(encoding="utf-8"), encoding="utf-8")
    (workdir / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    (workdir / "guide.ts").write_text(DECLARATIONS + code + "\nexport {}\n", encoding="utf-8")
    result = subprocess.run(
        [str(TSC), "--project", str(workdir / "tsconfig.json")],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr
