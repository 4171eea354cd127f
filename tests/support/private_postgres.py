"""A throwaway PostgreSQL cluster of a test's own, for faults the shared server must not suffer.

The run's server (TEST_DATABASE_URL, see run_cluster.py, itself a cluster made here) serves every
other test at once, so a test that restarts or stops PostgreSQL (reliability catalogue R04) does it to
a cluster of its own:
`initdb` into a temporary directory, a free port on 127.0.0.1, trust authentication, its Unix socket
in that directory (not /var/run/postgresql, which the shared server owns), fsync off (nothing in it has
to survive a crash of the machine). initdb and postgres refuse to run as root, so when the tests run as
root every binary runs as the `postgres` OS user, which owns the directory.

    with private_postgres() as cluster:
        async with private_database(cluster) as db:   # a TestDatabase, migrated by the real migrator
            ...
            cluster.restart()
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.db.connect import connect, with_database
from core.db.migrator import Migrator
from core.db.seed_loaders import SeedLoader
from localapi.rest.emulator import PostgrestEmulator

from .database import TestDatabase

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
# mkdtemp makes a fresh directory there that only its owner can enter, as under /tmp.
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108
OS_USER = "postgres"  # who runs initdb and postgres when we are root
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "logging_collector": "off",
}


class PrivatePostgres:
    """One cluster: `root` holds the data directory, the socket and the server log."""

    def __init__(self, root: Path, port: int, binaries: Path = PG_BIN, settings: dict[str, str] | None = None) -> None:
        self.root = root
        self.port = port
        self.binaries = binaries
        self.settings = {**SETTINGS, **(settings or {})}
        self.data = root / "data"
        self.log_path = root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        # The same encoding and locale as the shared server, so collation-sensitive results agree.
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        settings = {**self.settings, "port": str(self.port), "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:  # read again by every start and restart
            conf.write("".join(f"{name} = {value}\n" for name, value in settings.items()))

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.log_path))

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """`pg_ctl restart`: returns once the server accepts connections again."""
        self._pg_ctl("restart", "-m", mode, "-l", str(self.log_path))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", *args)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.binaries / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{program} {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}\n{self.log()}"
            )


def server_binaries() -> Path | None:
    """The directory of initdb and pg_ctl: TEST_PG_BIN, else the newest Debian-style install."""
    candidates = [PG_BIN, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_major, reverse=True)]
    return next((path for path in candidates if (path / "initdb").exists() and (path / "pg_ctl").exists()), None)


def _major(path: Path) -> int:
    version = path.parent.name
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started cluster, stopped and deleted on exit (whatever the test did to it)."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set TEST_PG_BIN)")
    cluster = start_cluster(binaries)
    try:
        yield cluster
    finally:
        discard_cluster(cluster)


def start_cluster(
    binaries: Path, *, in_memory: bool = False, settings: dict[str, str] | None = None
) -> PrivatePostgres:
    """initdb and start a cluster on a free port; `in_memory` puts it on /dev/shm where there is one."""
    # Not pytest's tmp_path: its parents are private to root, and postgres must reach the directory.
    parent = SHARED_MEMORY if in_memory and SHARED_MEMORY.is_dir() else None
    root = Path(tempfile.mkdtemp(prefix="fp_pg_", dir=parent))
    if os.geteuid() == 0:
        account = pwd.getpwnam(OS_USER)
        os.chown(root, account.pw_uid, account.pw_gid)
    cluster = PrivatePostgres(root, _free_port(), binaries, settings or {})
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


def discard_cluster(cluster: PrivatePostgres) -> None:
    with suppress(RuntimeError, subprocess.TimeoutExpired):
        cluster.stop("immediate")  # the data is thrown away: no checkpoint needed
    shutil.rmtree(cluster.root, ignore_errors=True)


@dataclass
class PrivateDatabase(TestDatabase):
    """A TestDatabase on a private cluster, so helpers written for the shared server's work unchanged."""

    server: str = ""

    @property
    def url(self) -> str:
        return with_database(self.server, self.name)


@asynccontextmanager
async def private_database(
    cluster: PrivatePostgres, name: str = "fluentpro", loaders: Sequence[SeedLoader] = ()
) -> AsyncIterator[TestDatabase]:
    """Create `name` on the cluster and migrate it with the real migrator (compat roles and schemas,
    migrations, functions_sql, SQL seeds). The data loaders (the job-role catalogue: some 8 s) run only
    when passed, e.g. `loaders=core.db.seed_loaders.LOADERS`."""
    admin = await connect(cluster.url())
    try:
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    conn = await connect(cluster.url(name))
    try:
        await Migrator(conn, log=lambda _line: None, loaders=loaders).migrate()
    finally:
        await conn.close()
    api = await PostgrestEmulator(cluster.url(name)).start()
    try:
        yield PrivateDatabase(name=name, api=api, server=cluster.url())
    finally:
        await api.close()
