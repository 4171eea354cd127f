"""Reading one variable from the environment: the typed, range-checked readers every settings class uses.

Each reader names the variable in its error, so a bad deployment says which line of its configuration
to fix. A `.env` file fills in what the environment leaves unset (a development convenience).
"""

from __future__ import annotations

import ipaddress
import math
import os
from pathlib import Path


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def load_dotenv(path: Path = Path(".env")) -> None:
    """Fill unset variables from a `.env` file (KEY=VALUE lines); the environment always wins."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bounded(name: str, default: float, low: float, high: float, *, whole: bool = False) -> float:
    """A finite number within [low, high] from the environment. Every numeric setting has a range: without
    one, a typo (a leeway of 100000000 s, a negative TTL) quietly turns off what the setting tunes.
    float() also reads "nan" and "inf", which would make a wait forever or a comparison always false."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be finite, got {raw!r}")
    if whole and value != int(value):
        raise SettingsError(f"{name} must be a whole number, got {raw!r}")
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def env_bounded_int(name: str, default: int, low: float, high: float) -> int:
    """`env_bounded` for counts and whole seconds."""
    return int(env_bounded(name, default, low, high, whole=True))


def env_port(name: str, default: int) -> int:
    """A TCP port to listen on or to reach."""
    return env_bounded_int(name, default, 1, 65_535)


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def env_list(name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    raw = env_str(name)
    if raw is None:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def env_networks(name: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or CIDR networks of trusted proxies. `*` and networks wider than a /8
    (IPv4) or /32 (IPv6) outside the private ranges are refused: trusting every hop means believing
    whatever X-Forwarded-For a client makes up."""
    networks: list[IPNetwork] = []
    for item in env_list(name):
        if item == "*":
            raise SettingsError(f"{name} must list the proxies' addresses or networks, not '*'")
        try:
            network = ipaddress.ip_network(item)
        except ValueError as exc:
            raise SettingsError(f"{name} entries must be IP addresses or CIDR networks, got {item!r}") from exc
        widest = 8 if network.version == 4 else 32
        if network.prefixlen < widest and not network.is_private:
            raise SettingsError(f"{name} must list proxy networks, not a share of the internet: {item!r}")
        networks.append(network)
    return tuple(networks)
