"""The command line says clearly which service is missing, where, and how to point elsewhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from core.db.connect import with_database
from core.db.migrator import PROJECT_ROOT
from fluentpro.cli import preflight
from tests.support.database import server_url


def fluentpro(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreachable_postgres_is_one_clear_line() -> None:
    result = fluentpro("db", "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/fluentpro")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in lines[0]
    assert "DATABASE_URL" in lines[0]


async def test_preflight_names_each_unreachable_service() -> None:
    problems = await preflight("postgresql://postgres@127.0.0.1:1/x", "redis://127.0.0.1:1/0")
    assert len(problems) == 2
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in problems[0]
    assert "Redis is not reachable at redis://127.0.0.1:1/0" in problems[1] and "REDIS_URL" in problems[1]


async def test_preflight_is_quiet_when_services_are_up() -> None:
    assert await preflight("postgresql://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/0") == []


def test_status_of_a_missing_database_says_how_to_create_it() -> None:
    result = fluentpro("db", "status", DATABASE_URL="postgresql://postgres@127.0.0.1:5432/fp_does_not_exist")
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "fluentpro db migrate" in result.stderr


def test_dev_stops_every_process_when_one_crashes(tmp_path: Path, template_db: str) -> None:
    # template_db: the local API that `dev` starts beside the Procfile connects as the compat roles,
    # which exist on the server once a database has been migrated.
    marker = tmp_path / "survivor-finished"
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"survivor: sleep 30 && touch {marker}\ncrasher: sleep 1 && exit 3\n", encoding="utf-8")
    # The preflight only needs a reachable server: the maintenance database exists on any machine.
    result = fluentpro("dev", "--procfile", str(procfile), **dev_env(free_port()))
    assert result.returncode == 3
    assert "a process exited with code 3, so every process was stopped" in result.stderr
    assert not marker.exists()  # the long-running process was stopped, not left to finish


def test_dev_stops_every_process_when_the_local_api_crashes(tmp_path: Path) -> None:
    """The local API runs beside the Procfile's processes (not in the Procfile); its crash stops them too."""
    marker = tmp_path / "survivor-finished"
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"survivor: sleep 30 && touch {marker}\n", encoding="utf-8")
    with socket.socket() as taken:  # the local API's port is already in use, so it cannot serve
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = fluentpro("dev", "--procfile", str(procfile), **dev_env(port))
    assert result.returncode == 2
    assert f"fluentpro local-api: cannot serve on 127.0.0.1:{port}" in result.stdout + result.stderr
    assert "a process exited with code 2, so every process was stopped" in result.stderr
    assert not marker.exists()


def dev_env(local_api_port: int) -> dict[str, str]:
    """`fluentpro dev` as `make run` starts it, on the maintenance database and a port of the test's own."""
    return {
        "DATABASE_URL": with_database(server_url(), "postgres"),
        "FLUENTPRO_ENV": "development",
        "LOCAL_API_PORT": str(local_api_port),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dev_means_development_when_the_environment_is_unset(tmp_path: Path) -> None:
    """Unset means production everywhere else; the development command says what it is."""
    procfile = tmp_path / "Procfile"
    procfile.write_text('reporter: echo "env=$FLUENTPRO_ENV"\n', encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "FLUENTPRO_ENV"}
    result = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "dev", "--procfile", str(procfile)],
        cwd=PROJECT_ROOT,
        env={**env, **{k: v for k, v in dev_env(free_port()).items() if k != "FLUENTPRO_ENV"}},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "env=development" in result.stdout, result.stdout + result.stderr
