"""Scratch databases and ports for the benchmarks: a fresh database per run, built by the real migrator
(so a benchmark measures what `fluentpro db migrate` deploys), dropped afterwards."""

from __future__ import annotations

import os
import socket

from core.db.connect import connect, with_database
from core.db.migrator import Migrator


def scratch_name(bench: str) -> str:
    """A database name of this process's own, so benchmarks and test runs never collide."""
    return f"fp_bench_{bench}_{os.getpid()}"


async def create_migrated_database(server_url: str, name: str) -> str:
    """Create `name` afresh on the server `server_url` points at, migrate it, and return its URL."""
    admin = await connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    conn = await connect(url)
    try:
        await Migrator(conn, log=lambda _line: None).migrate()
    finally:
        await conn.close()
    return url


async def drop_database(server_url: str, name: str) -> None:
    admin = await connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
