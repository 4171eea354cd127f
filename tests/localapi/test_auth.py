"""Who a request acts as: Supabase's gateway checks the API key, PostgREST (v14) verifies the bearer
JWT with the keys the sidecar mints with."""

from __future__ import annotations

import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core.settings import TokenSettings
from localapi.auth import InvalidToken, TokenVerifier
from sidecar.auth.tokens import TokenKeys
from tests.localapi.rest.conftest import KEYS, Served, now, served, user_token

__all__ = ["served"]


async def whoami(served: Served, headers: dict[str, str]) -> tuple[int, dict[str, object], dict[str, str]]:
    response = await served.http.post("/rest/v1/rpc/probe_whoami", json={}, headers=headers)
    return response.status_code, response.json(), dict(response.headers)


async def test_a_request_without_a_known_apikey_is_refused_by_the_gateway(served: Served) -> None:
    """Supabase docs, API keys: the gateway refuses a request without a project key (401)."""
    status, body, _ = await whoami(served, {})
    assert (status, body["message"]) == (401, "No API key found in request")
    status, body, _ = await whoami(served, {"apikey": "sb_publishable_not_ours"})
    assert (status, body["message"]) == (401, "Invalid API key")


async def test_the_anon_key_alone_or_as_bearer_runs_as_anon(served: Served) -> None:
    """PostgREST docs, References > Authentication > Anonymous role (the anon key's role claim)."""
    for headers in ({"apikey": KEYS.anon}, {"apikey": KEYS.anon, "Authorization": f"Bearer {KEYS.anon}"}):
        status, body, _ = await whoami(served, headers)
        assert (status, body["role"]) == (200, "anon")
        assert body["has_apikey_header"] is True  # request.headers carries every header, as PostgREST's


async def test_the_service_key_runs_as_service_role(served: Served) -> None:
    """PostgREST docs, References > Authentication > JWT Impersonation (role claim service_role)."""
    status, body, _ = await whoami(served, {"apikey": KEYS.service})
    assert (status, body["role"]) == (200, "service_role")


async def test_a_minted_token_runs_as_its_user_with_its_claims(served: Served) -> None:
    """PostgREST docs, References > Authentication > JWT Impersonation; References > Transactions
    (request.jwt.claims with the role inserted)."""
    user_id = uuid.uuid4()
    status, body, _ = await whoami(served, served.headers(user_token(user_id)))
    assert status == 200
    assert body["role"] == "authenticated"
    claims = body["claims"]
    assert isinstance(claims, dict)
    assert (claims["sub"], claims["role"], claims["aud"]) == (str(user_id), "authenticated", "authenticated")


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        ("not-a-jwt", "PGRST301", "Expected 3 parts in JWT; got 1"),
        (jwt.encode({"role": "authenticated"}, "another-secret-of-thirty-two-chars!"), "PGRST301", None),
        ("expired", "PGRST303", "JWT expired"),
        ("other-audience", "PGRST303", "JWT not in audience"),
    ],
)
async def test_invalid_tokens_are_401_with_postgrests_codes(
    served: Served, token: str, code: str, message: str | None
) -> None:
    """PostgREST docs, References > Errors > PGRST301 / PGRST303 (401, WWW-Authenticate invalid_token)."""
    token = {
        "expired": user_token(iat=now() - 600, exp=now() - 60),
        "other-audience": user_token(aud="someone-else"),
    }.get(token, token)
    status, body, headers = await whoami(served, served.headers(token))
    assert (status, body["code"]) == (401, code)
    if message:
        assert body["message"] == message
    assert headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert headers["proxy-status"] == f"PostgREST; error={code}"


async def test_expiry_allows_postgrests_30_second_skew(served: Served) -> None:
    """PostgREST docs, References > Authentication (exp, iat and nbf checked with a 30 s clock skew)."""
    status, _, _ = await whoami(served, served.headers(user_token(exp=now() - 10)))
    assert status == 200


def test_es256_tokens_verify_with_the_public_half_of_the_sidecars_key() -> None:
    """PostgREST docs, References > Authentication > Asymmetric Keys (ES256, as the sidecar signs)."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    settings = TokenSettings(issuer="fluentpro-sidecar", private_key_pem=pem, kid="k1")
    minted = TokenKeys(settings).mint(profile_id=uuid.uuid4(), auth0_subject="auth0|x", roles=["learner"])
    assert TokenVerifier.from_settings(settings).verify(minted.token)["sub"] == minted.claims["sub"]
    other = TokenSettings(issuer="fluentpro-sidecar", secret="a-different-hs256-secret-of-32-chars")
    with pytest.raises(InvalidToken) as refused:
        TokenVerifier.from_settings(other).verify(minted.token)
    assert refused.value.code == "PGRST301"
