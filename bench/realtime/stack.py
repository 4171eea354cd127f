"""What the Realtime benchmark runs against: a fresh migrated database with learners, and the local
Realtime in its own process (so the load generator does not share its event loop or CPU slice)."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from bench.database import create_migrated_database, drop_database, free_port, scratch_name
from core.db.connect import connect_as_owner
from core.settings import TokenSettings
from sidecar.auth.tokens import TokenKeys

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ISSUER = "fluentpro-bench"


@dataclass
class Stack:
    database_url: str
    realtime_url: str  # ws://127.0.0.1:<port>/realtime/v1/websocket
    keys: TokenKeys
    learners: list[uuid.UUID]

    def socket_url(self, learner: uuid.UUID) -> str:
        token = self.keys.mint(profile_id=learner, auth0_subject=f"auth0|bench-{learner}", roles=["learner"]).token
        return f"{self.realtime_url}?apikey={token}&vsn=1.0.0"

    async def owner(self) -> asyncpg.Connection:
        return await connect_as_owner(self.database_url)


async def add_learners(database_url: str, learners: int) -> list[uuid.UUID]:
    conn = await connect_as_owner(database_url)
    try:
        rows = await conn.fetch(
            "insert into app.profiles (auth0_subject, email, email_verified, full_name) "
            "select 'auth0|bench-' || i, 'bench-' || i || '@example.com', true, 'Bench ' || i "
            "from generate_series(1, $1) as i returning profile_id",
            learners,
        )
    finally:
        await conn.close()
    return [row["profile_id"] for row in rows]


@asynccontextmanager
async def running_stack(learners: int) -> AsyncIterator[Stack]:
    name = scratch_name("realtime")
    secret = secrets.token_urlsafe(32)
    keys = TokenKeys(TokenSettings(issuer=ISSUER, secret=secret, ttl_seconds=3600))
    database_url = await create_migrated_database(SERVER_URL, name)
    profiles = await add_learners(database_url, learners)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "BENCH_JWT_SECRET": secret}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.realtime.serve",
        env={**env, "BENCH_JWT_ISSUER": ISSUER},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        if line.strip() != b"ready":
            raise RuntimeError(f"the Realtime server did not start (exit code {process.returncode})")
        yield Stack(database_url, f"ws://127.0.0.1:{port}/realtime/v1/websocket", keys, profiles)
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 10)
        await drop_database(SERVER_URL, name)
