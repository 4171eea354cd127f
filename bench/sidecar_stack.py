"""The stack under measurement: a fresh database, an identity provider over HTTP, sidecar processes.

A sidecar runs as `fluentpro serve` would (uvicorn, one process, FLUENTPRO_ENV=test with an ES256
key) in its own process, so the load generator does not share its CPU time slice or event loop. The
identity provider (the dev IdP's code) serves the JWKS from a thread of this process; it is called
once, at the first exchange. `running_stack` is the usual one of each; a benchmark comparing
sidecars with different settings starts them with `running_sidecar` over one database and IdP.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bench.database import create_migrated_database, drop_database, free_port, scratch_name
from core.db.connect import with_database
from sidecar.devidp.core import IdentityProvider
from sidecar.devidp.routes import idp_app

SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AUDIENCE = "https://api.fluentpro.bench"


@dataclass
class Sidecar:
    url: str
    pid: int
    started_in: float  # seconds from spawning the process to its first 200 on /health/live

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the sidecar process so far (Linux /proc), None elsewhere."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def resident_mib(self) -> float | None:
        """The process's resident memory now (Linux /proc), None elsewhere."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return None
        return kib / 1024


@dataclass
class Stack:
    sidecar: Sidecar
    idp: IdentityProvider

    @property
    def sidecar_url(self) -> str:
        return self.sidecar.url

    def cpu_seconds(self) -> float | None:
        return self.sidecar.cpu_seconds()


def start_idp() -> tuple[IdentityProvider, uvicorn.Server, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    idp = IdentityProvider(issuer=url + "/", audience=AUDIENCE, client_id="bench-client")
    server = uvicorn.Server(uvicorn.Config(idp_app(idp), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return idp, server, url


def sidecar_env(database: str, idp_url: str, **overrides: str) -> dict[str, str]:
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        **os.environ,
        "FLUENTPRO_ENV": "test",
        "DATABASE_URL": with_database(SERVER_URL, database),
        "DATABASE_POOL_MAX": "20",
        "AUTH0_DOMAIN": "bench.invalid",
        "AUTH0_AUDIENCE": AUDIENCE,
        "AUTH0_ISSUER": idp_url + "/",
        "AUTH0_JWKS_URL": idp_url + "/.well-known/jwks.json",
        "SUPABASE_JWT_PRIVATE_KEY": key.decode(),
        "SUPABASE_JWT_KID": "bench-key",
        "SUPABASE_JWT_ISSUER": "fluentpro-bench",
        "CORS_ALLOW_ORIGINS": "https://app.fluentpro.bench",
        "LOG_LEVEL": "WARNING",
        "PROFILE_CACHE_SIZE": "10000",
        "JOB_ROLE_ENCODER": "off",
        **overrides,
    }


@asynccontextmanager
async def running_sidecar(database: str, idp_url: str, **overrides: str) -> AsyncIterator[Sidecar]:
    """A sidecar process over `database` (on SERVER_URL), its environment's defaults changed by `overrides`."""
    port = free_port()
    spawned = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"from sidecar.serve import serve; raise SystemExit(serve('127.0.0.1', {port}))",
        env=sidecar_env(database, idp_url, **overrides),
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_up(url, process)
        yield Sidecar(url=url, pid=process.pid, started_in=time.perf_counter() - spawned)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


@asynccontextmanager
async def running_idp() -> AsyncIterator[tuple[IdentityProvider, str]]:
    idp, server, url = start_idp()
    try:
        yield idp, url
    finally:
        server.should_exit = True


@asynccontextmanager
async def running_database(bench: str) -> AsyncIterator[str]:
    """A freshly migrated and seeded scratch database's name, dropped afterwards."""
    database = scratch_name(bench)
    await create_migrated_database(SERVER_URL, database)
    try:
        yield database
    finally:
        await drop_database(SERVER_URL, database)


@asynccontextmanager
async def running_stack(**overrides: str) -> AsyncIterator[Stack]:
    async with (
        running_database("token_exchange") as database,
        running_idp() as (idp, idp_url),
        running_sidecar(database, idp_url, **overrides) as sidecar,
    ):
        yield Stack(sidecar=sidecar, idp=idp)


async def wait_until_up(url: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if process.returncode is not None:
                raise RuntimeError(f"the sidecar exited with {process.returncode}")
            try:
                if (await client.get(url + "/health/live")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the sidecar did not start")
