"""Settings, read once from the environment into frozen dataclasses, one per concern.

Names and defaults are the contract in the README ("Configuration"). A `.env` file in the working
directory fills in variables that the environment does not set (development convenience only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/fluentpro"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


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


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def environment() -> Environment:
    raw = env_str("FLUENTPRO_ENV") or Environment.DEVELOPMENT.value
    try:
        return Environment(raw)
    except ValueError as exc:
        allowed = ", ".join(e.value for e in Environment)
        raise SettingsError(f"FLUENTPRO_ENV must be one of {allowed}, got {raw!r}") from exc


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    pool_min: int = 1
    pool_max: int = 10

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        return cls(
            url=env_str("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            pool_min=env_int("DATABASE_POOL_MIN", 1),
            pool_max=env_int("DATABASE_POOL_MAX", 10),
        )


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str

    @classmethod
    def from_env(cls) -> RedisSettings:
        return cls(url=env_str("REDIS_URL", DEFAULT_REDIS_URL) or DEFAULT_REDIS_URL)
