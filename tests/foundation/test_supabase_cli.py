"""The real Supabase CLI (npm package, pinned) accepts our config.toml and reads our tracking table."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.db.migrator import PROJECT_ROOT
from tests.support.database import TestDatabase

CLI_DIR = PROJECT_ROOT / "tools" / "supabase-cli"
CLI = CLI_DIR / "node_modules" / ".bin" / "supabase"


@pytest.fixture(scope="module")
def supabase_cli() -> Path:
    if not CLI.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed on this machine: the Supabase CLI check cannot run here")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLI_DIR, check=True, capture_output=True)
    return CLI


def run_cli(cli: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli), *args, "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_url(db: TestDatabase) -> str:
    return f"{db.url}?sslmode=disable"


def local_versions() -> list[str]:
    return sorted(p.name.split("_", 1)[0] for p in (PROJECT_ROOT / "supabase" / "migrations").glob("*.sql"))


def test_cli_reads_our_tracking_table_as_its_own(supabase_cli: Path, db: TestDatabase) -> None:
    listed = run_cli(supabase_cli, PROJECT_ROOT, "migration", "list", "--db-url", cli_url(db))
    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if line.strip().startswith("`")]
    pairs = [[cell.strip().strip("`") for cell in row.split("|")][:2] for row in rows]
    assert pairs == [[v, v] for v in local_versions()]  # every local migration is applied remotely

    pushed = run_cli(supabase_cli, PROJECT_ROOT, "db", "push", "--dry-run", "--db-url", cli_url(db))
    assert pushed.returncode == 0, pushed.stderr
    assert "Remote database is up to date" in pushed.stdout + pushed.stderr


def test_cli_rejects_a_config_it_does_not_accept(supabase_cli: Path, db: TestDatabase, tmp_path: Path) -> None:
    """The check above could fail: an unknown key makes the same command refuse our config."""
    shutil.copytree(PROJECT_ROOT / "supabase" / "migrations", tmp_path / "supabase" / "migrations")
    config = (PROJECT_ROOT / "supabase" / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "supabase" / "config.toml").write_text(config + "\n[api]\nno_such_key = true\n", encoding="utf-8")
    broken = run_cli(supabase_cli, tmp_path, "migration", "list", "--db-url", cli_url(db))
    assert broken.returncode != 0


def test_config_exposes_only_api_with_extensions_on_the_search_path() -> None:
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / "supabase" / "config.toml").read_text(encoding="utf-8"))
    assert config["api"]["schemas"] == ["api"]
    assert config["api"]["extra_search_path"] == ["extensions"]
    assert config["db"]["major_version"] == 15
    assert config["realtime"]["enabled"] is True
