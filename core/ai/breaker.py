"""A circuit breaker for one upstream: after `failures` consecutive failed attempts it opens and
refuses calls at once for `cooldown` seconds (no request leaves, callers get 503 with Retry-After);
then one trial call is let through (half-open): success closes it, failure opens it again.

One breaker per process and upstream; the event loop is single-threaded, so no lock is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from core.ai.errors import AICircuitOpen


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or cooldown <= 0:
            raise ValueError("failures must be >= 1 and cooldown > 0")
        self.failures = failures
        self.cooldown = cooldown
        self._clock = clock
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self.cooldown:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def before_call(self) -> None:
        """Raise `AICircuitOpen` unless a call may go out now (closed, or the one half-open trial)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return
        if state is BreakerState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return
        remaining = self.cooldown - (self._clock() - (self._opened_at or 0.0))
        raise AICircuitOpen("the AI service is failing; calls are paused", retry_after=max(remaining, 1.0))

    def record_success(self) -> None:
        self._consecutive = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._consecutive += 1
        if self._trial_running or self._consecutive >= self.failures:
            self._opened_at = self._clock()
        self._trial_running = False
