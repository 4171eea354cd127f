"""What the Realtime benchmark runs against: a fresh migrated database with learners, and the local
Realtime in its own process (so the load generator does not share its event loop or CPU slice)."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from sidecar.auth.tokens import TokenKeys
from sidecar.db.connect import connect, connect_as_owner, with_database
from sidecar.db.migrator import Migrator
from sidecar.settings import TokenSettings

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def create_database(name: str, learners: int) -> list[uuid.UUID]:
    admin = await connect(with_database(SERVER_URL, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    conn = await connect(with_database(SERVER_URL, name))
    try:
        await Migrator(conn, log=lambda _line: None).migrate()
        await conn.execute("set role fluentpro_owner")
        rows = await conn.fetch(
            "insert into app.profiles (auth0_subject, email, email_verified, full_name) "
            "select 'auth0|bench-' || i, 'bench-' || i || '@example.com', true, 'Bench ' || i "
            "from generate_series(1, $1) as i returning profile_id",
            learners,
        )
    finally:
        await conn.close()
    return [row["profile_id"] for row in rows]


async def drop_database(name: str) -> None:
    admin = await connect(with_database(SERVER_URL, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


@asynccontextmanager
async def running_stack(learners: int) -> AsyncIterator[Stack]:
    name = f"fp_bench_realtime_{os.getpid()}"
    secret = secrets.token_urlsafe(32)
    keys = TokenKeys(TokenSettings(issuer=ISSUER, secret=secret, ttl_seconds=3600))
    profiles = await create_database(name, learners)
    database_url = with_database(SERVER_URL, name)
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
        await drop_database(name)
