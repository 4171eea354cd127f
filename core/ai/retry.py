"""Bounded retries around one upstream attempt: which failures are retried, how long to wait
(the server's Retry-After when it gives one, else capped exponential backoff), and the error a
caller finally sees. The circuit breaker is consulted before every attempt and told every outcome.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import openai

from core.ai.breaker import CircuitBreaker
from core.ai.errors import AIError, AIUpstreamError, AIUpstreamRateLimited, AIUpstreamTimeout
from core.ai.settings import OpenAISettings

log = logging.getLogger("fluentpro.ai")
T = TypeVar("T")


def retry_after_seconds(headers: object) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, `retry-after` (seconds or HTTP date)."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    raw_ms = get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
        if parsed is None:
            return None
        seconds: float = parsed.timestamp() - time.time()
        return max(0.0, seconds)


def translate(exc: Exception) -> AIError:
    """The AIError a caller sees for an SDK exception (the last attempt's)."""
    if isinstance(exc, AIError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return AIUpstreamTimeout("the AI service did not answer in time", retry_after=5.0)
    if isinstance(exc, openai.RateLimitError):
        wait = retry_after_seconds(exc.response.headers)
        return AIUpstreamRateLimited("the AI service is rate limiting us", retry_after=wait or 5.0)
    if isinstance(exc, openai.APIStatusError):
        return AIUpstreamError(f"the AI service answered HTTP {exc.status_code}")
    if isinstance(exc, openai.APIConnectionError):
        return AIUpstreamError("the AI service could not be reached")
    return AIUpstreamError(f"the AI call failed ({exc.__class__.__name__})")


def is_retryable(exc: Exception) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def counts_against_breaker(exc: Exception) -> bool:
    """Availability failures trip the breaker; a 4xx that is our fault (bad request) does not."""
    return is_retryable(exc) or isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError)


class RetryPolicy:
    def __init__(self, settings: OpenAISettings, breaker: CircuitBreaker) -> None:
        self.settings = settings
        self.breaker = breaker

    def backoff(self, attempt: int) -> float:
        raw = min(self.settings.backoff_cap_seconds, self.settings.backoff_base_seconds * 2.0 ** (attempt - 1))
        return raw * random.uniform(0.8, 1.0)

    async def run(self, attempt_once: Callable[[], Awaitable[T]], what: str) -> T:
        """Run `attempt_once` until it succeeds, fails for good, or the attempts run out."""
        attempts = self.settings.max_attempts
        for attempt in range(1, attempts + 1):
            self.breaker.before_call()  # AICircuitOpen: no request leaves while the circuit is open
            try:
                result = await attempt_once()
            except Exception as exc:
                if counts_against_breaker(exc):
                    self.breaker.record_failure()
                if not is_retryable(exc) or attempt == attempts:
                    raise translate(exc) from exc
                wait = self._wait_before_retry(exc, attempt)
                log.warning("%s: attempt %d/%d failed (%s); retrying in %.2fs", what, attempt, attempts, exc, wait)
                await asyncio.sleep(wait)
                continue
            self.breaker.record_success()
            return result
        raise AssertionError("unreachable: the loop returns or raises")

    def _wait_before_retry(self, exc: Exception, attempt: int) -> float:
        asked = retry_after_seconds(exc.response.headers) if isinstance(exc, openai.APIStatusError) else None
        if asked is None:
            return self.backoff(attempt)
        if asked > self.settings.max_retry_after_seconds:
            # Too long to hold a request or a worker: give up now and tell the caller when to come back.
            raise AIUpstreamRateLimited("the AI service asked us to wait", retry_after=asked) from exc
        return asked
