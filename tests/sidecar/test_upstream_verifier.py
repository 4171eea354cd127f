"""Auth0Verifier against PyJWT as the reference: we check the compact JWS ourselves (for speed), so
generated tokens (good, tampered, badly typed, every header and claim variation) must never be
accepted by us and refused by PyJWT; and on well-typed claims both must agree exactly."""

from __future__ import annotations

import base64
import json
import math
import time
from typing import Any

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecar.auth.jwks import JwksCache
from sidecar.auth.upstream import Auth0Verifier
from sidecar.devidp.core import new_key
from sidecar.errors import ProblemError

ISSUER = "https://tenant.example.com/"
AUDIENCE = "https://api.fluentpro.test"
LEEWAY = 30
KEY = new_key()
OTHER_KEY = new_key()
MISSING = object()

# A token is a valid one with up to two fields changed (so acceptance is common and every boundary is
# reached). A change is a wrong value of the right type, or (when not well typed) a wrong type, or absence.
TIME_OFFSETS = st.sampled_from([-86_400, -LEEWAY - 1, -LEEWAY + 1, 0, LEEWAY - 1, LEEWAY + 1, 3600]).map(
    lambda d: ("now", d)
)
BAD_TYPES = st.sampled_from([MISSING, None, True, "1700000000", [1], {"a": 1}, math.nan, math.inf, 1.5e13])
VALID_HEADER = {"alg": "RS256", "kid": KEY.kid, "typ": "JWT"}
VALID_CLAIMS = {
    "iss": ISSUER,
    "aud": [AUDIENCE, ISSUER + "userinfo"],
    "sub": "auth0|alice",
    "exp": ("now", 3600),
    "iat": ("now", 0),
}
WELL_TYPED_VARIANTS: dict[str, st.SearchStrategy[Any]] = {
    "alg": st.sampled_from(["RS384", "PS256", "HS256", "none", "ES256"]),
    "kid": st.sampled_from([OTHER_KEY.kid, ""]),
    "typ": st.sampled_from([MISSING, "at+jwt", "application/at+jwt", "id+jwt"]),
    "crit": st.just(["exp"]),
    "iss": st.sampled_from(["https://evil.example.com/", ISSUER.rstrip("/"), ""]),
    "aud": st.one_of(
        st.sampled_from([AUDIENCE, "https://other.example.com"]),
        st.lists(st.sampled_from([AUDIENCE, "https://other.example.com", ISSUER + "userinfo"]), max_size=3),
    ),
    "sub": st.sampled_from(["", "x" * 256, "google-oauth2|1"]),
    "exp": TIME_OFFSETS,
    "iat": TIME_OFFSETS,
    "nbf": TIME_OFFSETS,
}
HEADER_FIELDS = ("alg", "kid", "typ", "crit")
ANY_VARIANTS = {
    name: st.one_of(variants, BAD_TYPES, st.just([AUDIENCE, 7])) if name == "aud" else st.one_of(variants, BAD_TYPES)
    for name, variants in WELL_TYPED_VARIANTS.items()
}


def tokens(variants: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """The changes to make to the valid token: up to two fields, with one of their variants each."""
    return st.lists(st.sampled_from(sorted(variants)), max_size=2, unique=True).flatmap(
        lambda fields: st.fixed_dictionaries({name: variants[name] for name in fields})
    )


MUTATIONS = st.sampled_from(["none"] * 6 + ["flip_payload", "flip_signature", "pad", "junk", "drop"])
# PyJWT accepts '=' padding (some issuers add it); RFC 7515 forbids it and Auth0 never sends it: we refuse it.
UNPADDED_MUTATIONS = MUTATIONS.filter(lambda m: m != "pad")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def materialise(changes: dict[str, Any], now: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of the valid token with `changes` applied."""
    header = {**VALID_HEADER, **{k: v for k, v in changes.items() if k in HEADER_FIELDS}}
    claims = {**VALID_CLAIMS, **{k: v for k, v in changes.items() if k not in HEADER_FIELDS}}

    def value(v: Any) -> Any:
        return now + v[1] if isinstance(v, tuple) else v

    return (
        {k: v for k, v in header.items() if v is not MISSING},
        {k: value(v) for k, v in claims.items() if v is not MISSING},
    )


def build(header: dict[str, Any], claims: dict[str, Any], mutation: str, signer: Any) -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    signature = b64(jwt.get_algorithm_by_name("RS256").sign(f"{head}.{body}".encode(), signer))
    if mutation == "flip_payload":
        body = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    elif mutation == "flip_signature":
        signature = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    elif mutation == "pad":
        signature += "=="
    elif mutation == "junk":
        body += "!"
    elif mutation == "drop":
        signature = signature[:-1]
    return f"{head}.{body}.{signature}"


async def ours(verifier: Auth0Verifier, token: str) -> bool:
    try:
        await verifier.verify(token)
    except ProblemError:
        return False
    return True


def reference(token: str, header: dict[str, Any]) -> bool:
    """PyJWT's verdict, plus the policy PyJWT has no option for (header rules, a usable subject)."""
    keys = {KEY.kid: KEY, OTHER_KEY.kid: OTHER_KEY}  # the tenant's JWKS
    if header.get("alg") != "RS256" or "crit" in header or header.get("kid") not in keys:
        return False
    if header.get("typ") not in (None, "JWT", "at+jwt", "application/at+jwt"):
        return False
    try:
        claims = jwt.decode(
            token,
            key=keys[header["kid"]].private.public_key(),
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "strict_aud": False},
        )
    except jwt.PyJWTError:
        return False
    subject = claims["sub"]
    return isinstance(subject, str) and 0 < len(subject) <= 255 and claims["iat"] <= time.time() + LEEWAY


@pytest.fixture(scope="module")
def verifier() -> Auth0Verifier:
    async def fetch() -> dict[str, Any]:
        return {"keys": [KEY.public_jwk(), OTHER_KEY.public_jwk()]}

    return Auth0Verifier(JwksCache(fetch), issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=tokens(ANY_VARIANTS), mutation=MUTATIONS, wrong_key=st.booleans())
async def test_never_accepts_what_pyjwt_refuses(
    verifier: Auth0Verifier, changes: dict[str, Any], mutation: str, wrong_key: bool
) -> None:
    header, claims = materialise(changes, int(time.time()))
    token = build(header, claims, mutation, (OTHER_KEY if wrong_key else KEY).private)
    if await ours(verifier, token):
        assert reference(token, header), token


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=tokens(WELL_TYPED_VARIANTS), mutation=UNPADDED_MUTATIONS)
async def test_agrees_with_pyjwt_on_well_typed_tokens(
    verifier: Auth0Verifier, changes: dict[str, Any], mutation: str
) -> None:
    header, claims = materialise(changes, int(time.time()))
    token = build(header, claims, mutation, KEY.private)
    assert await ours(verifier, token) == reference(token, header), token


async def test_a_good_token_is_accepted_by_both(verifier: Auth0Verifier) -> None:
    """The generators above start from this token: if it failed, the agreement test would be vacuous."""
    header, claims = materialise({}, int(time.time()))
    token = build(header, claims, "none", KEY.private)
    assert await ours(verifier, token)
    assert reference(token, header)
