"""A JWKS cache for the Auth0 tenant's signing keys, safe under attack and through outages.

PyJWKClient refetches on every unknown kid (random kids amplify into the JWKS endpoint), forgets its
keys when a fetch fails and fetches with blocking urllib. This cache instead:
- refreshes on an unknown kid at most once per cooldown, one fetch at a time (single flight);
- refreshes when older than its TTL, and keeps serving known keys through an outage for up to
  `max_stale` seconds;
- fetches through an async callable (httpx), so the event loop never blocks;
- keeps only RSA signing keys, and never looks at what a token's header says about where keys live.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

log = logging.getLogger("sidecar.auth.jwks")
Fetch = Callable[[], Awaitable[dict[str, Any]]]


class JwksUnavailable(Exception):
    """No usable key set: the endpoint failed and nothing (fresh enough) is cached."""


class UnknownKey(Exception):
    """The key set was consulted (and refreshed if allowed) and has no key with this kid."""


class JwksCache:
    def __init__(
        self,
        fetch: Fetch,
        *,
        ttl: float = 600,
        cooldown: float = 30,
        max_stale: float = 86_400,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.ttl = ttl
        self.cooldown = cooldown
        self.max_stale = max_stale
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._failing = False  # the last attempt failed: we are serving stale keys
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        if kid in self._keys and self._fresh(self._clock()):
            return self._keys[kid]
        refreshed = await self._refresh()  # stale or unknown: refresh, unless the cooldown forbids it
        if not self._usable(self._clock()):
            raise JwksUnavailable("the signing keys are not available")
        if kid in self._keys:
            return self._keys[kid]
        if refreshed is False:  # could not look for new keys: not the token's fault
            raise JwksUnavailable("the signing keys could not be refreshed")
        raise UnknownKey(kid)

    def _fresh(self, now: float) -> bool:
        return self._fetched_at is not None and now - self._fetched_at < self.ttl

    def _usable(self, now: float) -> bool:
        """Keys are usable while the endpoint answers; during an outage, for max_stale after the last success."""
        if self._fetched_at is None:
            return False
        return not self._failing or now - self._fetched_at < self.max_stale

    async def _refresh(self) -> bool | None:
        """Fetch unless another caller just did (single flight) or the cooldown forbids it.

        Returns True after a successful fetch, False after a failed one, None when no fetch was made.
        """
        seen = self._attempted_at
        async with self._lock:
            if self._attempted_at != seen:  # someone refreshed while we waited: use their result
                return None
            now = self._clock()
            if self._attempted_at is not None and now - self._attempted_at < self.cooldown:
                return None
            self._attempted_at = now
            try:
                document = await self._fetch()
                keys = parse_jwks(document)
            except Exception as exc:  # any failure: keep what we have (stale-if-error)
                log.warning("JWKS refresh failed", extra={"error": repr(exc)})
                self._failing = True
                return False
            self._keys = keys
            self._failing = False
            self._fetched_at = self._clock()
            return True


def parse_jwks(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """The RSA signature keys of a JWK set, by kid; anything else (HMAC, EC, encryption keys) is dropped."""
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("a JWK set has a 'keys' list")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("use", "sig") != "sig" or entry.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256")
        except jwt.PyJWTError:
            continue
    return keys
