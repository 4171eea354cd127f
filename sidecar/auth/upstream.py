"""Strict verification of Auth0 access tokens (RFC 7515, RFC 8725): what a token must be before we trust it.

- RS256 only, decided here and never taken from the header: `none`, HMAC (even "signed" with our
  RSA public key) and every other algorithm are refused before any key is touched.
- The key comes from the tenant's JWKS by `kid`; `jku`, `x5u`, `jwk` and `x5c` headers are never read.
- A `crit` header is refused: we implement no extensions; nor is `b64` read (RFC 7797's unencoded
  payload): a token carrying it is refused, whatever its value.
- Each segment is base64url in its one canonical spelling: no padding, no other alphabet, and no set
  bits in the unused low bits of the last character (which would give each token 15 other spellings).
- iss, aud, exp, iat and sub are required; exp, nbf and iat are checked with a small leeway, in whole
  seconds as PyJWT compares them; a `jti`, if present, is a string.
- An ID token is not an access token: its audience is the client id, not our API, and its `typ` is not
  an access-token type when Auth0 profiles it (RFC 9068 `at+jwt`).

The compact JWS is checked here rather than by PyJWT's decode: a token has one shape we accept, so the
check is short, and PyJWT's generic path (its per-character base64url check in Python, options,
algorithm lookup) was the largest part of an exchange's CPU time. The signature itself is verified by
`cryptography`. tests/sidecar/test_upstream_verifier.py generates tokens (and misspellings of them) and
fails if we accept one PyJWT refuses; bench/jwt_verify measures what this saves.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sidecar.auth.jwks import JwksCache, JwksUnavailable, UnknownKey
from sidecar.errors import ProblemError

ALGORITHM = "RS256"
ACCESS_TOKEN_TYPES = frozenset({"jwt", "at+jwt", "application/at+jwt"})
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "sub")
MAX_TOKEN_BYTES = 16_384
# base64url without padding (RFC 7515 §2), canonical: a length of 4n+1 characters encodes no whole byte;
# at 4n+2 the last character carries 2 bits (so is one of AQgw), at 4n+3 it carries 4 (one of AEIM...).
_B64 = "[A-Za-z0-9_-]"
_SEGMENT = re.compile(rf"(?:{_B64}{{4}})*(?:{_B64}[AQgw]|{_B64}{{2}}[AEIMQUYcgkosw048])?")
# C0 and C1 control characters: PostgreSQL cannot store NUL, and none belongs in a name or an address.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


@dataclass(frozen=True, slots=True)
class UpstreamIdentity:
    """What we keep from a verified Auth0 token: the subject and profile facts, nothing else."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def invalid(reason: str, message: str) -> ProblemError:
    return ProblemError(
        "auth.invalid_token",
        message,
        401,
        details={"reason": reason},
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


class Auth0Verifier:
    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        leeway: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.clock = clock

    async def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise invalid("malformed", "The token is too large.")
        segments = token.split(".")
        if len(segments) != 3:
            raise invalid("malformed", "The token is not a well-formed JWT.")
        # Every segment is checked to be base64url (so ASCII) before any is used, as PyJWT does.
        header_json, payload_json, signature = (_decode_segment(segment) for segment in segments)
        header = _json_object(header_json)
        if header.get("alg") != ALGORITHM:
            raise invalid("algorithm", f"Only {ALGORITHM} tokens are accepted.")
        if "crit" in header or "b64" in header:
            raise invalid("crit", "The token requires extensions we do not implement.")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES):
            raise invalid("token_type", "This is not an access token.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise invalid("unknown_key", "The token names no signing key.")
        try:
            key = await self.jwks.key(kid)
        except UnknownKey as exc:
            raise invalid("unknown_key", "The token was signed by an unknown key.") from exc
        except JwksUnavailable as exc:
            raise ProblemError(
                "auth.jwks_unavailable", "The identity provider's signing keys cannot be fetched.", 503
            ) from exc
        _verify_signature(key.key, f"{segments[0]}.{segments[1]}".encode("ascii"), signature)
        return self.check_claims(_json_object(payload_json), now=self.clock())

    def check_claims(self, claims: dict[str, Any], *, now: float) -> dict[str, Any]:
        """RFC 7519 §4.1 as we require it: every claim present and well typed, times with the leeway."""
        for name in REQUIRED_CLAIMS:
            if name not in claims:
                raise invalid("missing_claim", f"The token lacks the {name!r} claim.")
        times = (claims["exp"], claims["iat"], claims.get("nbf", 0))
        if not all(_is_time(value) for value in times):
            raise invalid("malformed", "The token's time claims must be numbers.")
        exp, iat, nbf = (int(value) for value in times)  # whole seconds, truncated, as PyJWT compares them
        if exp <= now - self.leeway:
            raise ProblemError("auth.token_expired", "The token has expired.", 401, details={"reason": "expired"})
        if nbf > now + self.leeway:
            raise invalid("not_yet_valid", "The token is not valid yet.")
        if iat > now + self.leeway:
            raise invalid("not_yet_valid", "The token was issued in the future.")
        if claims["iss"] != self.issuer:
            raise invalid("issuer", "The token comes from an unexpected issuer.")
        audiences = claims["aud"]
        if isinstance(audiences, str):
            audiences = [audiences]
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise invalid("audience", "The token's audience is not a string or a list of strings.")
        if self.audience not in audiences:
            raise invalid("audience", "The token is not meant for this API.")
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 255 or _CONTROLS.search(subject):
            raise invalid("missing_claim", "The token's subject is not usable.")
        if "jti" in claims and not isinstance(claims["jti"], str):
            raise invalid("malformed", "The token's id (jti) must be a string.")
        return claims


def _is_time(value: Any) -> bool:
    """A NumericDate (RFC 7519 §2): a finite number, and not a boolean (which Python counts as int)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value and abs(value) < 1e12


def _decode_segment(segment: str) -> bytes:
    if not _SEGMENT.fullmatch(segment):
        raise invalid("malformed", "The token is not a well-formed JWT.")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (ValueError, binascii.Error) as exc:  # pragma: no cover - the pattern admits only decodable text
        raise invalid("malformed", "The token is not a well-formed JWT.") from exc


def _json_object(data: bytes) -> dict[str, Any]:
    """The JSON object of a decoded segment. The standard library's parser, as PyJWT's, so that both
    read the same text the same way; deep nesting is refused like any other malformed text."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise invalid("malformed", "The token is not a well-formed JWT.") from exc
    if not isinstance(value, dict):
        raise invalid("malformed", "The token is not a well-formed JWT.")
    return value


def _verify_signature(key: Any, signing_input: bytes, signature: bytes) -> None:
    """RSASSA-PKCS1-v1_5 with SHA-256 over `header.payload`, as RS256 is (RFC 7518 §3.3)."""
    if not isinstance(key, rsa.RSAPublicKey):  # pragma: no cover - the JWKS cache keeps RSA keys only
        raise invalid("unknown_key", "The token was signed by an unknown key.")
    try:
        key.verify(signature, signing_input, _PKCS1, _SHA256)
    except InvalidSignature as exc:
        raise invalid("signature", "The token's signature does not verify.") from exc


def identity_from(claims: dict[str, Any], namespace: str = "https://fluentpro.app/") -> UpstreamIdentity:
    """Profile facts from a verified token: standard claims, or the namespaced ones an Auth0 Action adds.

    Only these typed facts are kept: a `role` (or any other) claim upstream never reaches our token.
    Control characters are dropped from the name (an address holding one is no address): Auth0 keeps
    whatever a sign-up once gave it, and a NUL would otherwise fail every sync of that account.
    """

    def pick(name: str) -> Any:
        return claims.get(name, claims.get(namespace + name))

    email, name, verified = pick("email"), pick("name"), pick("email_verified")
    return UpstreamIdentity(
        subject=str(claims["sub"]),
        email=email.strip()[:320] if isinstance(email, str) and "@" in email and not _CONTROLS.search(email) else None,
        email_verified=verified is True,
        name=" ".join(_CONTROLS.sub(" ", name).split())[:100] or None if isinstance(name, str) else None,
    )
