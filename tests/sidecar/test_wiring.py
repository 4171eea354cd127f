"""The sidecar reaches its long-lived clients one way: built at start from Settings (sidecar/services.py)
and injected; no module reads the environment or app.state on its own during a request."""

from __future__ import annotations

import re
from pathlib import Path

SIDECAR = Path(__file__).resolve().parents[2] / "sidecar"
# Where start-up happens: reading the environment once, and putting the built services on the app.
READS_ENVIRONMENT = {"app.py", "serve.py"}
HOLDS_APP_STATE = {"app.py", "services.py"}
ENVIRONMENT = re.compile(r"\bfrom_env\(|\bos\.environ\b|\bos\.getenv\(|\bgetenv\(")
APP_STATE = re.compile(r"\bapp\.state\b")


def offenders(pattern: re.Pattern[str], allowed: set[str]) -> list[str]:
    found = []
    for path in sorted(SIDECAR.rglob("*.py")):
        relative = path.relative_to(SIDECAR).as_posix()
        if relative in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                found.append(f"sidecar/{relative}:{number}: {line.strip()}")
    return found


def test_only_start_up_reads_the_environment() -> None:
    assert offenders(ENVIRONMENT, READS_ENVIRONMENT) == []


def test_clients_are_injected_not_fetched_from_app_state() -> None:
    # Guards, which Litestar does not inject into, read the same Services with services_of(connection.app.state).
    through_services = re.compile(r"services_of\(\w+\.app\.state\)")
    assert [line for line in offenders(APP_STATE, HOLDS_APP_STATE) if not through_services.search(line)] == []
