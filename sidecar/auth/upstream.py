"""Strict verification of Auth0 access tokens (RFC 8725): what a token must be before we trust it.

- RS256 only, decided here and never taken from the header: `none`, HMAC (even "signed" with our
  RSA public key) and every other algorithm are refused before any key is touched.
- The key comes from the tenant's JWKS by `kid`; `jku`, `x5u`, `jwk` and `x5c` headers are never read.
- A `crit` header is refused: we implement no extensions.
- iss, aud, exp, iat and sub are required; exp, nbf and iat are checked with a small leeway.
- An ID token is not an access token: its audience is the client id, not our API, and its `typ` is not
  an access-token type when Auth0 profiles it (RFC 9068 `at+jwt`).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt

from sidecar.auth.jwks import JwksCache, JwksUnavailable, UnknownKey
from sidecar.errors import ProblemError

ALGORITHM = "RS256"
ACCESS_TOKEN_TYPES = frozenset({"jwt", "at+jwt", "application/at+jwt"})
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]
MAX_TOKEN_BYTES = 16_384


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
    def __init__(self, jwks: JwksCache, *, issuer: str, audience: str, leeway: int = 30) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    async def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise invalid("malformed", "The token is too large.")
        header = _header(token)
        if header.get("alg") != ALGORITHM:
            raise invalid("algorithm", f"Only {ALGORITHM} tokens are accepted.")
        if "crit" in header:
            raise invalid("crit", "The token requires extensions we do not implement.")
        typ = header.get("typ")
        if typ is not None and str(typ).lower() not in ACCESS_TOKEN_TYPES:
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
        return self._decode(token, key)

    def _decode(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED_CLAIMS, "strict_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise ProblemError(
                "auth.token_expired", "The token has expired.", 401, details={"reason": "expired"}
            ) from exc
        except jwt.ImmatureSignatureError as exc:
            raise invalid("not_yet_valid", "The token is not valid yet.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise invalid("missing_claim", f"The token lacks the {exc.claim!r} claim.") from exc
        except jwt.InvalidAudienceError as exc:
            raise invalid("audience", "The token is not meant for this API.") from exc
        except jwt.InvalidIssuerError as exc:
            raise invalid("issuer", "The token comes from an unexpected issuer.") from exc
        except jwt.InvalidSignatureError as exc:
            raise invalid("signature", "The token's signature does not verify.") from exc
        except jwt.PyJWTError as exc:
            raise invalid("malformed", "The token could not be verified.") from exc
        if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
            raise invalid("missing_claim", "The token's subject is not usable.")
        if not isinstance(claims["iat"], int | float) or claims["iat"] > time.time() + self.leeway:
            raise invalid("not_yet_valid", "The token was issued in the future.")
        return claims


def _header(token: str) -> dict[str, Any]:
    """The JOSE header, read by us (PyJWT reads it again when verifying) so our checks come first."""
    segments = token.split(".")
    try:
        if len(segments) != 3:
            raise ValueError("a JWS has three segments")
        header = json.loads(base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("malformed", "The token is not a well-formed JWT.") from exc
    if not isinstance(header, dict):
        raise invalid("malformed", "The token is not a well-formed JWT.")
    return header


def identity_from(claims: dict[str, Any], namespace: str = "https://fluentpro.app/") -> UpstreamIdentity:
    """Profile facts from a verified token: standard claims, or the namespaced ones an Auth0 Action adds.

    Only these typed facts are kept: a `role` (or any other) claim upstream never reaches our token.
    """

    def pick(name: str) -> Any:
        return claims.get(name, claims.get(namespace + name))

    email, name, verified = pick("email"), pick("name"), pick("email_verified")
    return UpstreamIdentity(
        subject=str(claims["sub"]),
        email=email.strip()[:320] if isinstance(email, str) and "@" in email else None,
        email_verified=verified is True,
        name=name.strip()[:100] or None if isinstance(name, str) else None,
    )
