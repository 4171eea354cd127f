"""A limit on sign-up, login, refresh and logout calls per client address, counted in Redis.

Why our own, before Auth0's: Auth0's brute-force protection counts failures per end-user address,
and it only learns that address from a confidential client's `auth0-forwarded-for` header; whatever
it is told, every call costs an upstream round trip. Here, each address has a counter per
fixed one-minute window: INCR is atomic, so attempts sent in parallel are all counted, and every
sidecar process shares the count. (Litestar's rate-limit middleware reads, then writes, its history,
so parallel requests can each see room that only one of them has.)

A fixed window lets a client make up to twice the limit across a window boundary; for slowing down
password guessing that is enough, and it costs one round trip. If Redis cannot be reached the call
goes through (logged and counted): availability of sign-in wins over this first line of defence,
and Auth0's own protection still stands behind it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("sidecar.auth.address_limit")
WINDOW_SECONDS = 60
KEY_PREFIX = "fluentpro:auth-attempts:"

DECISIONS = Counter(
    "fluentpro_auth_address_limit",
    "Sign-in calls by what the per-address limit decided: allowed, refused, or unchecked (Redis down)",
    ["decision"],
)
ALLOWED, REFUSED, UNCHECKED = (DECISIONS.labels(decision) for decision in ("allowed", "refused", "unchecked"))


class AddressLimiter:
    def __init__(self, redis: Redis, per_minute: int, *, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.per_minute = per_minute
        self.clock = clock
        # The key outlives its window by a second, no more. Tests that stop `clock` lengthen this.
        self.key_ttl_seconds = WINDOW_SECONDS + 1

    async def wait_seconds(self, address: str) -> int:
        """Count one call from `address`; 0 if it may go on, else the seconds until its window ends."""
        now = int(self.clock())
        window = now // WINDOW_SECONDS
        key = f"{KEY_PREFIX}{address}:{window}"
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, self.key_ttl_seconds)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            UNCHECKED.inc()
            log.warning("sign-in limit not checked: Redis unreachable", extra={"error": repr(exc)})
            return 0
        if int(count) <= self.per_minute:
            ALLOWED.inc()
            return 0
        REFUSED.inc()
        return (window + 1) * WINDOW_SECONDS - now
