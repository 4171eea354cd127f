"""The errors AI work raises: each carries its stable code (docs/error_codes.md), HTTP status and,
where the caller should come back later, a Retry-After in seconds.

Upstream trouble is 502 (it answered badly) or 503 (it is unavailable, or not configured), never 500.
Jobs treat every `AIUnavailable` as "try again later" and `AIInvalidOutput` as a failed attempt.
"""

from __future__ import annotations

import math


class AIError(Exception):
    code = "ai.upstream_error"
    status = 502

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        # The code first: logs and the outbox's last_error carry it (the plan's failure_code is read from it).
        return f"{self.code}: {self.message}"

    @property
    def retry_after_header(self) -> str | None:
        """Whole seconds for a Retry-After header (rounded up, at least 1)."""
        if self.retry_after is None:
            return None
        return str(max(1, math.ceil(self.retry_after)))


class AIUnavailable(AIError):
    """The upstream cannot serve now; the same request may succeed later."""

    code = "ai.unavailable"
    status = 503


class AINotConfigured(AIUnavailable):
    code = "ai.not_configured"


class AICircuitOpen(AIUnavailable):
    code = "ai.circuit_open"


class AIUpstreamRateLimited(AIUnavailable):
    code = "ai.upstream_rate_limited"


class AIUpstreamTimeout(AIUnavailable):
    code = "ai.upstream_timeout"


class AIUpstreamError(AIError):
    """The upstream answered with an error (5xx after retries, 4xx, broken connection)."""

    code = "ai.upstream_error"
    status = 502


class AIInvalidOutput(AIError):
    """The model's output broke the schema (or our rules) on every attempt; nothing was stored."""

    code = "ai.invalid_output"
    status = 502
