"""OpenAI settings (any OpenAI-compatible server), read once from the environment.

Unset `OPENAI_API_KEY` means "not configured": AI endpoints answer 503 `ai.not_configured` and AI
jobs wait; nothing is faked. The resilience knobs have safe defaults and exist so tests and
operators can tighten them without code changes.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from sidecar.settings import Environment, SettingsError, env_int, env_positive, env_str

DEFAULT_CHAT_MODEL = "gpt-4o-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"


@dataclass(frozen=True, slots=True)
class OpenAISettings:
    api_key: str | None = None
    base_url: str | None = None  # None: the SDK's default (api.openai.com)
    chat_model: str = DEFAULT_CHAT_MODEL
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    # Per attempt: connect, read, write; a hung upstream costs at most timeout * max_attempts (+ waits).
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0
    # Attempts per call (1 = no retry). Retried: 429, 5xx, timeouts, connection errors.
    max_attempts: int = 3
    # Backoff between attempts without Retry-After: base * 2^(n-1), capped.
    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 8.0
    # A Retry-After longer than this is not waited for in-process: the call fails, the caller retries later.
    max_retry_after_seconds: float = 20.0
    # Consecutive failed calls that open the circuit, and how long it stays open before one trial call.
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    def problems(self, environment: Environment) -> list[str]:
        """What `environment` refuses: outside development the API key travels only over https
        (test allows plain http on loopback, for the local fake server)."""
        if environment is Environment.DEVELOPMENT or not self.configured or self.base_url is None:
            return []
        parts = urlsplit(self.base_url)
        if parts.scheme == "https":
            return []
        if parts.scheme == "http" and environment is Environment.TEST and _is_loopback(parts.hostname or ""):
            return []
        return [f"OPENAI_BASE_URL must be an https URL ({self.base_url!r})"]

    @classmethod
    def from_env(cls) -> OpenAISettings:
        d = cls()  # the defaults above (slots forbid reading them off the class)
        attempts = env_int("OPENAI_MAX_ATTEMPTS", d.max_attempts)
        failures = env_int("OPENAI_BREAKER_FAILURES", d.breaker_failures)
        if attempts < 1 or failures < 1:
            raise SettingsError("OPENAI_MAX_ATTEMPTS and OPENAI_BREAKER_FAILURES must be at least 1")
        return cls(
            api_key=env_str("OPENAI_API_KEY"),
            base_url=env_str("OPENAI_BASE_URL"),
            chat_model=env_str("OPENAI_CHAT_MODEL", DEFAULT_CHAT_MODEL) or DEFAULT_CHAT_MODEL,
            embedding_model=env_str("OPENAI_EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL) or DEFAULT_EMBEDDING_MODEL,
            timeout_seconds=env_positive("OPENAI_TIMEOUT_SECONDS", d.timeout_seconds),
            connect_timeout_seconds=env_positive("OPENAI_CONNECT_TIMEOUT_SECONDS", d.connect_timeout_seconds),
            max_attempts=attempts,
            backoff_base_seconds=env_positive("OPENAI_BACKOFF_BASE_SECONDS", d.backoff_base_seconds),
            backoff_cap_seconds=env_positive("OPENAI_BACKOFF_CAP_SECONDS", d.backoff_cap_seconds),
            max_retry_after_seconds=env_positive("OPENAI_MAX_RETRY_AFTER_SECONDS", d.max_retry_after_seconds),
            breaker_failures=failures,
            breaker_cooldown_seconds=env_positive("OPENAI_BREAKER_COOLDOWN_SECONDS", d.breaker_cooldown_seconds),
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
