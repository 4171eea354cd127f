"""The Auth0 JWKS: unknown kids, refresh storms, outages and key rotation, through the real HTTP client."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from litestar.testing import AsyncTestClient

from sidecar.devidp.core import new_key
from tests.fakes.auth0 import FakeAuth0
from tests.sidecar.conftest import SidecarFactory
from tests.sidecar.forge import access_token
from tests.sidecar.test_token_exchange import assert_refused, exchange

Client = AsyncTestClient[Any]


async def test_unknown_kid_refreshes_once_then_401(sidecar: Client, auth0: FakeAuth0) -> None:
    assert (await exchange(sidecar, access_token(auth0))).status_code == 200
    assert auth0.jwks_fetches == 1
    stranger = new_key()
    assert_refused(await exchange(sidecar, access_token(auth0, key=stranger)), 401, "auth.invalid_token", "unknown_key")
    assert auth0.jwks_fetches == 1  # within the cooldown of the first fetch: no new fetch


async def test_unknown_kid_after_cooldown_triggers_exactly_one_refresh(
    make_sidecar: SidecarFactory, auth0: FakeAuth0
) -> None:
    sidecar = await make_sidecar(jwks_cooldown_seconds=0)
    assert (await exchange(sidecar, access_token(auth0))).status_code == 200
    stranger = new_key()
    assert_refused(await exchange(sidecar, access_token(auth0, key=stranger)), 401, "auth.invalid_token", "unknown_key")
    assert auth0.jwks_fetches == 2


async def test_a_thousand_random_kids_cause_at_most_one_fetch_per_cooldown(sidecar: Client, auth0: FakeAuth0) -> None:
    assert (await exchange(sidecar, access_token(auth0))).status_code == 200
    forged = [access_token(auth0, headers={"kid": secrets.token_hex(8)}) for _ in range(1000)]
    responses = await asyncio.gather(*(exchange(sidecar, token) for token in forged))
    assert {r.status_code for r in responses} == {401}
    assert {r.json()["details"]["reason"] for r in responses} == {"unknown_key"}
    assert auth0.jwks_fetches <= 2  # the warm-up fetch, and at most one refresh per cooldown (30 s)


async def test_cold_cache_random_kids_fetch_once(sidecar: Client, auth0: FakeAuth0) -> None:
    forged = [access_token(auth0, headers={"kid": secrets.token_hex(8)}) for _ in range(200)]
    responses = await asyncio.gather(*(exchange(sidecar, token) for token in forged))
    assert {r.status_code for r in responses} == {401}
    assert auth0.jwks_fetches == 1  # concurrent misses share one fetch (single flight)


async def test_outage_with_warm_cache_keeps_working(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(jwks_ttl_seconds=0, jwks_cooldown_seconds=0)  # every request wants a refresh
    assert (await exchange(sidecar, access_token(auth0))).status_code == 200
    auth0.jwks_down = True
    response = await exchange(sidecar, access_token(auth0, "bob"))
    assert response.status_code == 200, response.text
    assert auth0.jwks_fetches >= 2  # it did try, failed, and used the known key


async def test_outage_past_max_stale_is_503(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(jwks_ttl_seconds=0, jwks_cooldown_seconds=0, jwks_max_stale_seconds=0)
    assert (await exchange(sidecar, access_token(auth0))).status_code == 200
    auth0.jwks_down = True
    assert_refused(await exchange(sidecar, access_token(auth0)), 503, "auth.jwks_unavailable")


async def test_outage_with_cold_cache_is_503_not_500(sidecar: Client, auth0: FakeAuth0) -> None:
    auth0.jwks_down = True
    assert_refused(await exchange(sidecar, access_token(auth0)), 503, "auth.jwks_unavailable")


async def test_unreachable_jwks_is_503(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(jwks_url="http://127.0.0.1:1/.well-known/jwks.json")
    assert_refused(await exchange(sidecar, access_token(auth0)), 503, "auth.jwks_unavailable")


async def test_key_rotation(make_sidecar: SidecarFactory, auth0: FakeAuth0) -> None:
    sidecar = await make_sidecar(jwks_cooldown_seconds=0)
    old_token = access_token(auth0)
    assert (await exchange(sidecar, old_token)).status_code == 200
    auth0.rotate(keep_old=True)  # Auth0 publishes the new key next to the old one
    assert (await exchange(sidecar, access_token(auth0, "bob"))).status_code == 200
    assert (await exchange(sidecar, old_token)).status_code == 200
    auth0.rotate(keep_old=False)  # the old keys are revoked
    newest = access_token(auth0, "carol")
    assert (await exchange(sidecar, newest)).status_code == 200
    assert_refused(await exchange(sidecar, old_token), 401, "auth.invalid_token", "unknown_key")
