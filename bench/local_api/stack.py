"""What the benchmark runs against: a fresh migrated database with bench learners, and the local API
started as `fluentpro dev` starts it, in its own process (so the load generator does not share its CPU
time slice or event loop)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO

import httpx

from sidecar.auth.anon_key import anon_key
from sidecar.auth.tokens import TokenKeys
from sidecar.db.connect import connect, with_database
from sidecar.db.migrator import Migrator
from sidecar.settings import TokenSettings

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ISSUER = "fluentpro-sidecar"
NEW_LEARNERS = """
insert into app.profiles (auth0_subject, email, full_name)
select 'bench|' || g, 'bench' || g || '@example.com', 'Bench ' || g
from generate_series(1, $1::int) as g
returning profile_id
"""


@dataclass(frozen=True)
class Stack:
    database_url: str
    api_url: str
    anon_key: str
    learners: list[uuid.UUID]
    tokens: list[str]  # learners[i]'s Supabase JWT, minted as the sidecar mints it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    name = f"fp_bench_local_api_{os.getpid()}"
    admin = await connect(with_database(SERVER_URL, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    url = with_database(SERVER_URL, name)
    try:
        conn = await connect(url)
        try:
            await Migrator(conn, log=lambda _line: None).migrate()
        finally:
            await conn.close()
        yield url
    finally:
        admin = await connect(with_database(SERVER_URL, "postgres"))
        try:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await admin.close()


async def add_learners(database_url: str, count: int, tokens: TokenSettings) -> tuple[list[uuid.UUID], list[str]]:
    """`count` learner profiles, and a Supabase JWT for each, minted as the sidecar's exchange mints it."""
    conn = await connect(database_url)
    try:
        learners = [row["profile_id"] for row in await conn.fetch(NEW_LEARNERS, count)]
    finally:
        await conn.close()
    keys = TokenKeys(tokens)
    minted = [keys.mint(profile_id=p, auth0_subject=f"bench|{i}", roles=["learner"]) for i, p in enumerate(learners)]
    return learners, [m.token for m in minted]


@asynccontextmanager
async def running_stack(*, learners: int) -> AsyncIterator[Stack]:
    tokens = TokenSettings(issuer=ISSUER, ttl_seconds=3600, secret=secrets.token_urlsafe(32))
    async with scratch_database() as database_url:
        profiles, minted = await add_learners(database_url, learners, tokens)
        port = free_port()
        env = {
            **os.environ,
            "FLUENTPRO_ENV": "development",  # as `fluentpro dev` runs it
            "DATABASE_URL": database_url,
            "LOCAL_API_PORT": str(port),
            "SUPABASE_JWT_SECRET": tokens.secret or "",
            "SUPABASE_JWT_ISSUER": ISSUER,
        }
        env.pop("SUPABASE_JWT_PRIVATE_KEY", None)
        # Its log (a line per request) goes to a file, shown only if it fails to start.
        with tempfile.TemporaryFile() as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "sidecar.cli", "local-api", env=env, stdout=log, stderr=subprocess.STDOUT
            )
            api_url = f"http://127.0.0.1:{port}"
            try:
                await wait_until_up(api_url, process, log)
                yield Stack(database_url, api_url, anon_key(tokens), profiles, minted)
            finally:
                if process.returncode is None:
                    process.terminate()
                    await asyncio.wait_for(process.wait(), 30)


async def wait_until_up(url: str, process: asyncio.subprocess.Process, log: IO[bytes]) -> None:
    """Until the local API answers (any PostgREST answer: anon may not read the view)."""
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if process.returncode is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")[-4000:]
                raise RuntimeError(f"the local API exited with {process.returncode} before answering:\n{output}")
            try:
                await client.get(f"{url}/rest/v1/industries")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"the local API did not answer at {url}")
