"""JwksCache on its own, with a controlled clock: TTL, cooldown, stale-if-error, single flight."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sidecar.auth.jwks import JwksCache, JwksUnavailable, UnknownKey, parse_jwks
from sidecar.devidp.core import new_key


class Endpoint:
    def __init__(self) -> None:
        self.keys = [new_key()]
        self.calls = 0
        self.down = False

    async def fetch(self) -> dict[str, Any]:
        self.calls += 1
        await asyncio.sleep(0)  # let concurrent callers pile up, as a real fetch would
        if self.down:
            raise OSError("connection refused")
        return {"keys": [k.public_jwk() for k in self.keys]}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


def cache(endpoint: Endpoint, clock: Clock, **options: float) -> JwksCache:
    return JwksCache(endpoint.fetch, clock=clock, **{"ttl": 600, "cooldown": 30, "max_stale": 3600, **options})


async def test_known_kid_is_served_from_cache_until_ttl(endpoint: Endpoint) -> None:
    clock = Clock()
    jwks = cache(endpoint, clock)
    kid = endpoint.keys[0].kid
    await jwks.key(kid)
    await jwks.key(kid)
    assert endpoint.calls == 1
    clock.now += 601
    await jwks.key(kid)
    assert endpoint.calls == 2


async def test_unknown_kids_refresh_at_most_once_per_cooldown(endpoint: Endpoint) -> None:
    clock = Clock()
    jwks = cache(endpoint, clock)
    await jwks.key(endpoint.keys[0].kid)
    for i in range(50):
        with pytest.raises(UnknownKey):
            await jwks.key(f"random-{i}")
    assert endpoint.calls == 1
    clock.now += 31
    with pytest.raises(UnknownKey):
        await jwks.key("random-again")
    assert endpoint.calls == 2


async def test_concurrent_cold_start_fetches_once(endpoint: Endpoint) -> None:
    jwks = cache(endpoint, Clock())
    kid = endpoint.keys[0].kid
    await asyncio.gather(*(jwks.key(kid) for _ in range(100)))
    assert endpoint.calls == 1


async def test_stale_keys_serve_through_an_outage_until_max_stale(endpoint: Endpoint) -> None:
    clock = Clock()
    jwks = cache(endpoint, clock)
    kid = endpoint.keys[0].kid
    await jwks.key(kid)
    endpoint.down = True
    clock.now += 601
    assert (await jwks.key(kid)).key_id == kid
    clock.now += 3600
    with pytest.raises(JwksUnavailable):
        await jwks.key(kid)


async def test_cold_outage_is_unavailable(endpoint: Endpoint) -> None:
    endpoint.down = True
    with pytest.raises(JwksUnavailable):
        await cache(endpoint, Clock()).key("any")


def test_only_rsa_signature_keys_are_kept() -> None:
    rsa = new_key().public_jwk()
    document = {
        "keys": [
            rsa,
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**new_key().public_jwk(), "kid": "enc", "use": "enc"},
            {**new_key().public_jwk(), "kid": "ps", "alg": "PS256"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "x", "y": "y"},
        ]
    }
    assert list(parse_jwks(document)) == [rsa["kid"]]
