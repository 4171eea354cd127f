"""TypeScript types of the `api` schema for the frontend, written by the generator the Supabase CLI runs.

`supabase gen types typescript` starts Supabase's postgres-meta with PG_META_GENERATE_TYPES set and
prints what it writes to stdout. We run the same package (`@supabase/postgres-meta`, pinned in
tools/postgres-meta to the version the pinned CLI uses) with node, without Docker, against a freshly
migrated database, and commit the result; a test regenerates it and fails when the file is stale.

    python -m fluentpro.api_types            # check: exit 1 when the committed file is stale
    python -m fluentpro.api_types --update   # rewrite supabase/types/database.types.ts
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from core.db.migrator import PROJECT_ROOT
from core.settings import DatabaseSettings
from fluentpro.api_contract import scratch_database

TYPES_PATH = PROJECT_ROOT / "supabase" / "types" / "database.types.ts"
GENERATOR_DIR = PROJECT_ROOT / "tools" / "postgres-meta"
GENERATOR_SCRIPT = GENERATOR_DIR / "node_modules" / "@supabase" / "postgres-meta" / "dist" / "server" / "server.js"


class TypesUnavailable(RuntimeError):
    """node or npm is missing, so the generator cannot run on this machine."""


class GenerationFailed(RuntimeError):
    """postgres-meta ran and failed; the message carries what it printed."""


def install_generator() -> Path:
    """The generator's entry point, installed from the lockfile (`npm ci`) when it is missing."""
    if GENERATOR_SCRIPT.exists():
        return GENERATOR_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        raise TypesUnavailable("npm is not installed: install Node.js 20 or newer to generate the TypeScript types")
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=GENERATOR_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:  # offline, or a broken lock file: say so rather than print a traceback
        failed = f"`npm ci` in {GENERATOR_DIR} exited with {installed.returncode}"
        raise GenerationFailed(f"{failed}:\n{installed.stderr.strip()}")
    return GENERATOR_SCRIPT


def generate(database_url: str) -> str:
    """The TypeScript postgres-meta writes for schema `api` of a migrated database, exactly as printed."""
    script = install_generator()
    node = shutil.which("node")
    if node is None:
        raise TypesUnavailable("node is not installed: install Node.js 20 or newer to generate the TypeScript types")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PG_META_DB_URL": database_url,
        "PG_META_GENERATE_TYPES": "typescript",
        "PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS": "api",
        # As `supabase gen types typescript` passes it unless told --postgrest-v9-compat.
        "PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS": "true",
    }
    done = subprocess.run([node, str(script)], cwd=GENERATOR_DIR, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise GenerationFailed(f"postgres-meta exited with {done.returncode}:\n{done.stderr.strip()}")
    return done.stdout


async def generate_from_files(server_url: str) -> str:
    async with scratch_database(server_url, "api_types") as url:
        return await asyncio.to_thread(generate, url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fluentpro.api_types", description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help=f"rewrite {TYPES_PATH.relative_to(PROJECT_ROOT)}")
    args = parser.parse_args(argv)
    try:
        types = asyncio.run(generate_from_files(DatabaseSettings.from_env().url))
    except (TypesUnavailable, GenerationFailed) as exc:
        print(f"api types: {exc}", file=sys.stderr)
        return 2
    relative = TYPES_PATH.relative_to(PROJECT_ROOT)
    if args.update:
        TYPES_PATH.parent.mkdir(parents=True, exist_ok=True)
        TYPES_PATH.write_text(types, encoding="utf-8")
        print(f"wrote {relative}")
        return 0
    if TYPES_PATH.exists() and TYPES_PATH.read_text(encoding="utf-8") == types:
        print(f"api types: {relative} is up to date")
        return 0
    print(f"api types: {relative} is stale: run `make types` and commit it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
