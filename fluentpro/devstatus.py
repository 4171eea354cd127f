"""`fluentpro status`: where the development stack answers and how to sign in, like `supabase status`.

Everything comes from the settings (the same environment and `.env` the stack reads), so it also
works before the stack is started. Production is refused: this prints keys and passwords meant for a
developer's machine, and a production environment has none of them to print.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from core.anon_key import anon_key
from core.db.connect import redact
from core.settings import (
    Auth0Settings,
    DatabaseSettings,
    Environment,
    SettingsError,
    TokenSettings,
    env_port,
    env_str,
    environment,
)
from sidecar.devidp import DEV_IDP_PATH
from sidecar.devidp.demo import DEMO_USERS

DEFAULT_LOCAL_API_PORT = 54321  # the Supabase CLI's API port
LABELS = {
    "api_url": "API URL",
    "sidecar_url": "Sidecar URL",
    "anon_key": "anon key",
    "dev_idp_token_url": "Dev IdP token URL",
    "db_url": "DB URL",
}


def collect() -> dict[str, Any]:
    """The status as `--json` prints it; SettingsError in production or with a bad setting."""
    env = environment()
    if env is Environment.PRODUCTION:
        raise SettingsError(
            "status describes a development stack and FLUENTPRO_ENV is production; "
            "set FLUENTPRO_ENV=development, or leave it unset"
        )
    host = env_str("HOST", "127.0.0.1") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # listening everywhere: reachable on loopback
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address is bracketed in a URL
        host = f"[{host}]"
    sidecar_url = f"http://{host}:{env_port('PORT', 8000)}"
    dev_idp = Auth0Settings.from_env().dev_idp and env is Environment.DEVELOPMENT
    return {
        "api_url": f"http://127.0.0.1:{env_port('LOCAL_API_PORT', DEFAULT_LOCAL_API_PORT)}",
        "sidecar_url": sidecar_url,
        "anon_key": anon_key(TokenSettings.from_env(env)),
        "dev_idp_token_url": f"{sidecar_url}{DEV_IDP_PATH}/oauth/token" if dev_idp else None,
        "db_url": redact(DatabaseSettings.from_env().url),
        # Seeded by the dev IdP at start-up, so they exist only where it runs.
        "demo_users": [
            {"email": user.email, "password": user.password, "roles": list(user.roles)} for user in DEMO_USERS
        ]
        if dev_idp
        else [],
    }


def render(status: dict[str, Any]) -> str:
    """An aligned table: one line per URL or key, then the demo users in columns."""
    width = max(len(label) for label in LABELS.values())
    lines = [f"{label.rjust(width)}: {status[key] or '(none: Auth0 is configured)'}" for key, label in LABELS.items()]
    users = status["demo_users"]
    if users:
        rows = [("email", "password", "roles")]
        rows += [(user["email"], user["password"], ", ".join(user["roles"])) for user in users]
        widths = [max(len(row[column]) for row in rows) for column in range(2)]
        cells = [f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2]}" for row in rows]
        lines.append("")
        lines.append(f"{'Demo users'.rjust(width)}: {cells[0]}")
        lines += [f"{''.rjust(width)}  {cell}" for cell in cells[1:]]
    return "\n".join(lines)


def main(*, as_json: bool) -> int:
    try:
        status = collect()
    except SettingsError as exc:
        print(f"fluentpro status: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(status, indent=2) if as_json else render(status))
    return 0
