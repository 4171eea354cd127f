"""OpenAI settings (any OpenAI-compatible server), read once at start: `Settings.openai` in the sidecar,
the worker's own in jobs. core.settings_checks refuses them over plain http outside development.

Unset `OPENAI_API_KEY` means "not configured": AI endpoints answer 503 `ai.not_configured` and AI
jobs wait; nothing is faked. The resilience knobs have safe defaults and exist so tests and
operators can tighten them without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings_env import SettingsError, env_bounded, env_bounded_int, env_str

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

    @classmethod
    def from_env(cls) -> OpenAISettings:
        d = cls()  # the defaults above (slots forbid reading them off the class)
        settings = cls(
            api_key=env_str("OPENAI_API_KEY"),
            base_url=env_str("OPENAI_BASE_URL"),
            chat_model=env_str("OPENAI_CHAT_MODEL", DEFAULT_CHAT_MODEL) or DEFAULT_CHAT_MODEL,
            embedding_model=env_str("OPENAI_EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL) or DEFAULT_EMBEDDING_MODEL,
            # Under a second no chat completion finishes; past ten minutes a hung upstream holds a worker.
            timeout_seconds=env_bounded("OPENAI_TIMEOUT_SECONDS", d.timeout_seconds, 1, 600),
            # Connecting takes milliseconds; a minute is already an outage.
            connect_timeout_seconds=env_bounded("OPENAI_CONNECT_TIMEOUT_SECONDS", d.connect_timeout_seconds, 0.5, 60),
            # At least the one attempt; more than ten multiplies a hung upstream's cost for nothing.
            max_attempts=env_bounded_int("OPENAI_MAX_ATTEMPTS", d.max_attempts, 1, 10),
            # Waits between attempts: from a hundredth of a second (tests) to what a caller can still wait.
            backoff_base_seconds=env_bounded("OPENAI_BACKOFF_BASE_SECONDS", d.backoff_base_seconds, 0.01, 60),
            # The longest wait between attempts: at most five minutes, however many attempts.
            backoff_cap_seconds=env_bounded("OPENAI_BACKOFF_CAP_SECONDS", d.backoff_cap_seconds, 0.01, 300),
            # Waiting in-process for a Retry-After: a second to five minutes; longer, the caller retries later.
            max_retry_after_seconds=env_bounded("OPENAI_MAX_RETRY_AFTER_SECONDS", d.max_retry_after_seconds, 1, 300),
            # One failure may open the circuit; past a thousand it never would.
            breaker_failures=env_bounded_int("OPENAI_BREAKER_FAILURES", d.breaker_failures, 1, 1000),
            # Long enough to spare a failing upstream, short enough to notice within the hour that it is back.
            breaker_cooldown_seconds=env_bounded(
                "OPENAI_BREAKER_COOLDOWN_SECONDS", d.breaker_cooldown_seconds, 1, 3600
            ),
        )
        if settings.backoff_cap_seconds < settings.backoff_base_seconds:
            raise SettingsError("OPENAI_BACKOFF_CAP_SECONDS must be at least OPENAI_BACKOFF_BASE_SECONDS")
        return settings
