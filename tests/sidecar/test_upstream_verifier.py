"""Auth0Verifier against PyJWT as the oracle: we check the compact JWS ourselves (for speed), so a
differential property test generates tokens and fails whenever we accept one that PyJWT (plus the
policy PyJWT has no option for) refuses, and whenever a valid token is not accepted by both.

Generated: headers and claims where any field may be absent or hold JSON of any type (NaN, the
infinities, huge integers, nested values) or a near-miss (alg, kid, typ, crit and b64 variants, times
around the leeway's edges, fractional times); then the token's spelling: '=' padding, the standard
base64 alphabet, set unused bits in a segment's last character, a bit flipped in the signature or the
payload, truncation, junk and non-ASCII characters, a missing or extra segment, the wrong signing key,
the header in UTF-16. Both verifiers read one frozen clock, so times at the leeway's edge are exact.

Examples: 2,000 per run of the main property (`make test`). For a longer search set
HYPOTHESIS_PROFILE=long (50,000), e.g.
    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/sidecar/test_upstream_verifier.py
"""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecar.auth.jwks import JwksCache
from sidecar.auth.upstream import Auth0Verifier
from sidecar.devidp.core import new_key
from sidecar.errors import ProblemError

settings.register_profile(
    "jwt-default", max_examples=2_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile("jwt-long", settings.get_profile("jwt-default"), max_examples=50_000)
PROFILE = settings.get_profile("jwt-long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "jwt-default")

ISSUER = "https://tenant.example.com/"
AUDIENCE = "https://api.fluentpro.test"
LEEWAY = 30
NOW = float(int(time.time())) + 0.5  # the frozen clock, with a fraction so truncation matters
KEY, OTHER_KEY = new_key(), new_key()  # generated once: RSA key generation is the slow part
KEYS = {KEY.kid: KEY, OTHER_KEY.kid: OTHER_KEY}  # the tenant's JWKS
MISSING = object()
ACCESS_TYPES = {"jwt", "at+jwt", "application/at+jwt"}

VALID_HEADER: dict[str, Any] = {"alg": "RS256", "kid": KEY.kid, "typ": "JWT"}
VALID_CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "aud": [AUDIENCE, ISSUER + "userinfo"],
    "sub": "auth0|alice",
    "exp": NOW + 3600,
    "iat": NOW,
}
HEADER_FIELDS = {"alg", "kid", "typ", "crit", "b64", "cty", "jku", "jwk", "x5u", "x5c", "zip"}

# JSON of every type, as a hostile issuer could sign it.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=19, max_value=400).map(lambda digits: 10**digits),
    st.floats(),  # NaN and the infinities included: Python's json writes and reads them
    st.text(max_size=12),
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def at(*offsets: float) -> st.SearchStrategy[float]:
    return st.sampled_from([NOW + offset for offset in offsets])


EDGES = (-86_400, -LEEWAY - 1, -LEEWAY - 0.5, -LEEWAY, -LEEWAY + 0.5, -LEEWAY + 1, 0, LEEWAY - 1, LEEWAY, LEEWAY + 1)
TIMES = st.one_of(at(*EDGES, 3600), at(*EDGES).map(int), at(*EDGES).map(lambda t: t + 0.75))
# Values a valid token may hold: any of them keeps it valid.
VALID_VARIANTS: dict[str, st.SearchStrategy[Any]] = {
    "typ": st.sampled_from([MISSING, "JWT", "jwt", "at+jwt", "application/at+jwt", "AT+JWT"]),
    "aud": st.sampled_from([AUDIENCE, [AUDIENCE], [ISSUER + "userinfo", AUDIENCE]]),
    "sub": st.sampled_from(["google-oauth2|1", "x" * 255, "é"]),
    "exp": at(1, 3600, -LEEWAY + 1, -LEEWAY + 0.5),  # NOW has a .5 fraction: int(exp) > NOW - LEEWAY
    "iat": at(-86_400, 0, LEEWAY - 1, LEEWAY, LEEWAY + 0.25),  # int(iat) <= NOW + LEEWAY
    "nbf": at(-86_400, 0, LEEWAY, LEEWAY + 0.25),
    "jti": st.text(max_size=20),
    "scope": ANY_JSON,
    "https://fluentpro.app/name": ANY_JSON,
}
# Near misses of the right type, for each field.
NEAR_MISSES: dict[str, st.SearchStrategy[Any]] = {
    "alg": st.sampled_from(["RS384", "PS256", "HS256", "none", "None", "ES256", "rs256", "RS256 ", ""]),
    "kid": st.sampled_from([OTHER_KEY.kid, "", "unknown", KEY.kid + " ", "x" * 300]),
    "typ": st.sampled_from(["id+jwt", "JOSE", "", "at+jwt+x"]),
    "crit": st.sampled_from([["b64"], ["exp"], [], "b64", ["b64", "b64"]]),
    "b64": st.sampled_from([False, True, "false", 0]),
    "jku": st.just("https://evil.example.com/jwks.json"),
    "jwk": st.just({"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
    "iss": st.sampled_from(["https://evil.example.com/", ISSUER.rstrip("/"), "", ISSUER.upper()]),
    "aud": st.sampled_from(["https://other.example.com", [], [AUDIENCE, 7], [["x"]], ""]),
    "sub": st.sampled_from(["", "x" * 256]),
    "exp": TIMES,
    "iat": TIMES,
    "nbf": TIMES,
    "jti": st.sampled_from([7, None, ["x"], {"a": 1}, True]),
}
ALL_FIELDS = sorted({*VALID_VARIANTS, *NEAR_MISSES, *HEADER_FIELDS})


def any_value(field: str) -> st.SearchStrategy[Any]:
    options = [st.just(MISSING), ANY_JSON]
    options += [s for s in (VALID_VARIANTS.get(field), NEAR_MISSES.get(field)) if s is not None]
    return st.one_of(*options)


def changes(fields: list[str], value: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.sampled_from(fields), max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({name: value(name) for name in chosen})
    )


ANY_CHANGES = changes(ALL_FIELDS, any_value)
VALID_CHANGES = changes(sorted(VALID_VARIANTS), lambda name: VALID_VARIANTS[name])
SPELLINGS = st.sampled_from(
    ["canonical"] * 6
    + ["pad", "std_alphabet", "unused_bits", "flip_signature", "flip_payload", "truncate", "junk", "non_ascii"]
    + ["extra_segment", "drop_segment", "wrong_key", "utf16_header", "spaced_header", "duplicate_alg"]
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def apply(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    header, claims = dict(VALID_HEADER), dict(VALID_CLAIMS)
    for name, value in changes.items():
        target = header if name in HEADER_FIELDS else claims
        target.pop(name, None)
        if value is not MISSING:
            target[name] = value
    return header, claims


def set_unused_bits(segment: str, bit: int) -> str:
    """Another spelling of the same bytes: a set bit in the last character's unused low bits."""
    unused = {2: 4, 3: 2}.get(len(segment) % 4, 0)
    if not unused:
        return segment + "A"  # no unused bits here: a 4n+1 length instead
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = alphabet.index(segment[-1]) | (1 << (bit % unused))
    return segment[:-1] + alphabet[index]


def build(header: dict[str, Any], claims: dict[str, Any], spelling: str, where: int) -> str:
    """Sign the header and claims, then spell the token as `spelling` says (`where` picks a place)."""
    head_json = json.dumps(header).encode()
    if spelling == "utf16_header":
        head_json = json.dumps(header).encode("utf-16")
    elif spelling == "spaced_header":
        head_json = b"\n " + json.dumps(header, indent=2).encode() + b" "
    elif spelling == "duplicate_alg":
        head_json = b'{"alg": "none", ' + json.dumps(header).encode()[1:]
    head, body = b64(head_json), b64(json.dumps(claims).encode())
    signer = (OTHER_KEY if spelling == "wrong_key" else KEY).private
    raw_signature = jwt.get_algorithm_by_name("RS256").sign(f"{head}.{body}".encode(), signer)
    if spelling == "flip_signature":
        flipped = bytearray(raw_signature)
        flipped[where % len(flipped)] ^= 1 << (where % 8)
        raw_signature = bytes(flipped)
    segments = [head, body, b64(raw_signature)]
    i = where % 3
    if spelling == "pad":
        segments[i] += "=" * (-len(segments[i]) % 4 or 4)
    elif spelling == "std_alphabet":
        segments[i] = segments[i].replace("-", "+").replace("_", "/") + ("" if "-" in segments[i] else "+")
    elif spelling == "unused_bits":
        segments[i] = set_unused_bits(segments[i], where)
    elif spelling == "flip_payload":
        p = where % len(body)
        segments[1] = body[:p] + ("A" if body[p] != "A" else "B") + body[p + 1 :]
    elif spelling == "truncate":
        segments[i] = segments[i][: -(1 + where % 4)]
    elif spelling == "junk":
        segments[i] += "!*. "[where % 4]
    elif spelling == "non_ascii":
        segments[i] = segments[i][:-1] + "é" + segments[i][-1:]
    elif spelling == "extra_segment":
        segments.append(segments[2])
    elif spelling == "drop_segment":
        segments.pop(i)
    return ".".join(segments)


async def ours(verifier: Auth0Verifier, token: str) -> bool:
    try:
        await verifier.verify(token)
    except ProblemError:
        return False
    return True


class FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> FrozenDatetime:
        return cls.fromtimestamp(NOW, tz or UTC)


def reference(token: str) -> bool:
    """PyJWT's verdict, plus the policy PyJWT has no option for: only RS256 by a key of the tenant's
    set, no `crit`, an access-token `typ` if any, a usable subject, and `iat` not in the future."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    kid, typ = header.get("kid"), header.get("typ")
    if header.get("alg") != "RS256" or "crit" in header or not isinstance(kid, str) or kid not in KEYS:
        return False
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in ACCESS_TYPES):
        return False
    try:
        with mock.patch.object(jwt.api_jwt, "datetime", FrozenDatetime):
            claims = jwt.decode(
                token,
                key=KEYS[kid].private.public_key(),
                algorithms=["RS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "sub"], "strict_aud": False},
            )
    except jwt.PyJWTError:
        return False
    subject = claims["sub"]
    return isinstance(subject, str) and 0 < len(subject) <= 255 and int(claims["iat"]) <= NOW + LEEWAY


@pytest.fixture(scope="module")
def verifier() -> Auth0Verifier:
    async def fetch() -> dict[str, Any]:
        return {"keys": [KEY.public_jwk(), OTHER_KEY.public_jwk()]}

    return Auth0Verifier(JwksCache(fetch), issuer=ISSUER, audience=AUDIENCE, leeway=LEEWAY, clock=lambda: NOW)


@settings(PROFILE)
@given(changes=ANY_CHANGES, spelling=SPELLINGS, where=st.integers(min_value=0, max_value=2**16))
async def test_never_accepts_what_pyjwt_refuses(
    verifier: Auth0Verifier, changes: dict[str, Any], spelling: str, where: int
) -> None:
    header, claims = apply(changes)
    token = build(header, claims, spelling, where)
    if await ours(verifier, token):
        assert reference(token), (header, claims, spelling, token)


@settings(PROFILE, max_examples=max(PROFILE.max_examples // 8, 200))
@given(changes=VALID_CHANGES)
async def test_valid_tokens_are_accepted_by_both(verifier: Auth0Verifier, changes: dict[str, Any]) -> None:
    header, claims = apply(changes)
    token = build(header, claims, "canonical", 0)
    assert reference(token), (header, claims)
    assert await ours(verifier, token), (header, claims)


@settings(PROFILE, max_examples=max(PROFILE.max_examples // 4, 300))
@given(changes=changes(sorted({*VALID_VARIANTS, *NEAR_MISSES}), lambda n: NEAR_MISSES.get(n, VALID_VARIANTS.get(n))))
async def test_agrees_with_pyjwt_on_well_typed_canonical_tokens(
    verifier: Auth0Verifier, changes: dict[str, Any]
) -> None:
    """Where only policy and values (not types or spelling) differ, we refuse exactly what PyJWT does."""
    header, claims = apply(changes)
    if "b64" in header or "crit" in header:  # extensions: we refuse them all, PyJWT some
        return
    token = build(header, claims, "canonical", 0)
    assert await ours(verifier, token) == reference(token), (header, claims)


@pytest.mark.parametrize("segment", [0, 1, 2])
async def test_each_segment_has_one_spelling(verifier: Auth0Verifier, segment: int) -> None:
    """The 15 (or 3) other spellings of a segment's last character decode to the same bytes."""
    head, body, signature = build(VALID_HEADER, VALID_CLAIMS, "canonical", 0).split(".")
    assert await ours(verifier, f"{head}.{body}.{signature}")
    parts = [head, body, signature]
    for bit in range(4):
        respelled = list(parts)
        respelled[segment] = set_unused_bits(parts[segment], bit)
        token = ".".join(respelled)
        assert not reference(token)
        assert not await ours(verifier, token), (segment, bit)
