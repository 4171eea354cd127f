"""The `fluentpro` command line: one entry point for the migrator, the processes and the dev stack."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from core.db.connect import DatabaseUnavailable, connect, database_name, redact, with_database
from core.db.migrator import PROJECT_ROOT, MigrationError, Migrator
from core.db.status import Status
from core.settings import (
    DatabaseSettings,
    Environment,
    RedisSettings,
    SettingsError,
    environment,
    load_dotenv,
)


async def ensure_database(url: str) -> None:
    """Create the target database when it does not exist yet (first `make run` on a new machine)."""
    name = database_name(url)
    admin = await connect(with_database(url, "postgres"))
    try:
        if not await admin.fetchval("select exists (select from pg_database where datname = $1)", name):
            await admin.execute(f'create database "{name}"')
            print(f"db: created database {name}")
    finally:
        await admin.close()


async def run_db(action: str, url: str) -> int:
    if action in ("migrate", "reset"):
        await ensure_database(url)
    conn = await connect(url)
    try:
        migrator = Migrator(conn)
        status: Status
        if action == "migrate":
            status = await migrator.migrate()
        elif action == "reset":
            status = await migrator.reset()
        elif action == "seed":
            await migrator.prepare()
            await migrator.seed(force=True)
            status = await migrator.status(prepared=True)
        else:
            status = await migrator.status()
        print_status(status, redact(url))
        return 0 if action != "status" or status.up_to_date else 3
    finally:
        await conn.close()


def print_status(status: Status, where: str) -> None:
    print(f"database {where}")
    for path in status.applied:
        print(f"  applied  {path}")
    for path in status.pending:
        print(f"  pending  {path}")
    for path in status.functions_changed:
        print(f"  changed  {path}")
    for path in status.seeds_changed:
        print(f"  unseeded {path}")
    for path in status.drifted:
        print(f"  edited   {path}")
    for identity in status.orphaned:
        print(f"  orphan   {identity} (no file defines it: the next migrate drops it)")
    for identity in status.unknown:
        print(f"  unknown  {identity} (no file creates it)")
    if status.up_to_date:
        print("  up to date")
    for step in status.next_steps():
        print(f"next: {step}")


async def run_search(action: str, url: str) -> int:
    """Create or update the Azure index, or upload every published role to it (with a progress line)."""
    from core.ai.runtime import process_client
    from core.ai.settings import OpenAISettings
    from core.db.connect import create_owner_pool
    from core.search.index import ensure_index, reindex_all
    from core.search.settings import AzureSearchSettings

    settings = AzureSearchSettings.from_env()
    if not settings.configured:
        print("fluentpro search: AZURE_SEARCH_ENDPOINT and AZURE_SEARCH_API_KEY are not set", file=sys.stderr)
        return 2
    await ensure_index(settings)
    if action == "create-index":
        print(f"search: index {settings.index_name} is up to date")
        return 0
    ai = OpenAISettings.from_env()
    if not ai.configured:
        print("search: OPENAI_API_KEY is not set, so documents are indexed for text search only")

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        print(f"\rsearch: reindex [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, flush=True)

    pool = await create_owner_pool(url, min_size=1, max_size=2)
    try:
        count = await reindex_all(
            pool, settings, embed=process_client(ai).embed if ai.configured else None, progress=progress
        )
    finally:
        await pool.close()
    print(f"search: {count} job roles indexed in {settings.index_name}")
    return 0


DEVELOPMENT_COMMANDS = frozenset({"dev", "status", "local-api"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fluentpro", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    db = commands.add_parser("db", help="migrate, reset, seed or inspect the database at DATABASE_URL")
    db.add_argument("action", choices=["migrate", "reset", "seed", "status"])
    serve = commands.add_parser("serve", help="run the sidecar (Litestar) under uvicorn")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    search = commands.add_parser("search", help="manage the Azure AI Search index of job roles")
    search.add_argument("action", choices=["create-index", "reindex"])
    api = commands.add_parser("api-contract", help="check (or --update) the api snapshot and docs/api.md")
    api.add_argument("--update", action="store_true", help="rewrite the snapshot and docs/api.md")
    api.add_argument("--release", metavar="VERSION", help="record the api as released VERSION (see docs)")
    commands.add_parser("relay", help="run the outbox relay (LISTEN + sweep -> RQ)")
    commands.add_parser("local-api", help="serve the local Supabase-compatible API (development only)")
    commands.add_parser("worker", help="run the RQ worker")
    status = commands.add_parser("status", help="the development stack's URLs, anon key and demo users")
    status.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    dev = commands.add_parser("dev", help="run the Procfile's processes and the local API, supervised")
    dev.add_argument("--procfile", type=Path, default=PROJECT_ROOT / "Procfile", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv()
    args = build_parser().parse_args(argv)
    if args.command in DEVELOPMENT_COMMANDS:
        # An unset FLUENTPRO_ENV means production everywhere else (fail closed); these commands exist
        # only for a development stack, so for them it means what they are. An explicit value still wins.
        os.environ.setdefault("FLUENTPRO_ENV", Environment.DEVELOPMENT.value)
    try:
        if args.command == "db":
            return asyncio.run(run_db(args.action, DatabaseSettings.from_env().url))
        if args.command == "serve":
            from sidecar.serve import serve

            return int(serve(args.host, args.port))
        if args.command == "search":
            return asyncio.run(run_search(args.action, DatabaseSettings.from_env().url))
        if args.command == "api-contract":
            from fluentpro.api_contract import main as api_contract_main

            return api_contract_main(["--update"] * args.update + (["--release", args.release] if args.release else []))
        if args.command == "status":
            from fluentpro.devstatus import main as status_main

            return status_main(as_json=args.json)
        if args.command == "relay":
            from jobs.relay import main as relay_main

            return int(relay_main())
        if args.command == "local-api":
            from localapi.server import main as local_api_main

            return local_api_main()
        if args.command == "worker":
            from jobs.worker import main as worker_main

            return int(worker_main())
        return run_dev(args.procfile)
    except (DatabaseUnavailable, MigrationError, SettingsError) as exc:
        print(f"fluentpro: {exc}", file=sys.stderr)
        return 2


async def preflight(database_url: str, redis_url: str) -> list[str]:
    """One line per service that cannot be reached, saying where and how to point elsewhere."""
    problems = []
    try:
        conn = await connect(database_url)
        await conn.close()
    except DatabaseUnavailable as exc:
        problems.append(str(exc))
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as exc:
        problems.append(
            f"Redis is not reachable at {redact(redis_url)} ({exc.__class__.__name__}). Start it, or set REDIS_URL "
            "to another server, e.g. REDIS_URL=redis://host:6379/0"
        )
    finally:
        await client.aclose()
    return problems


def run_dev(procfile_path: Path) -> int:
    """Start every process of the Procfile with honcho: Ctrl-C stops all, one crash stops the rest."""
    from honcho.environ import parse_procfile
    from honcho.manager import Manager

    problems = asyncio.run(preflight(DatabaseSettings.from_env().url, RedisSettings.from_env().url))
    for problem in problems:
        print(f"fluentpro dev: {problem}", file=sys.stderr)
    if problems:
        return 2
    procfile = parse_procfile(procfile_path.read_text(encoding="utf-8"))
    env = dict(os.environ)
    # The processes run `fluentpro`, which lives beside this interpreter (the virtualenv's bin).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONUNBUFFERED", "1")
    manager = Manager()
    for name, process in procfile.processes.items():
        manager.add_process(name, process, env=env, cwd=str(PROJECT_ROOT))
    if environment() is not Environment.PRODUCTION:
        # Development's stand-in for Supabase's APIs: beside the Procfile's processes, never in it.
        manager.add_process("local-api", "fluentpro local-api", env=env, cwd=str(PROJECT_ROOT))
    manager.loop()
    code = int(manager.returncode or 0)
    if code not in (0, 130):  # 130: stopped by Ctrl-C, which needs no explanation
        print(f"fluentpro dev: a process exited with code {code}, so every process was stopped", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
