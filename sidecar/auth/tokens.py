"""Our own Supabase JWTs: minting them after an exchange, and verifying them on incoming requests.

Minted claims are exactly: iss, sub (profile uuid), aud and role ("authenticated"), iat, exp,
session_id, auth0_sub and app_roles. Nothing else is copied from the upstream token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from core.settings import TokenSettings
from sidecar.errors import ProblemError

AUDIENCE = "authenticated"
ROLE = "authenticated"


@dataclass(frozen=True, slots=True)
class MintedToken:
    token: str
    claims: dict[str, Any]
    expires_in: int


class TokenKeys:
    """The signing key (ES256 private key or HS256 secret) and what verifies it, loaded once."""

    def __init__(self, settings: TokenSettings) -> None:
        self.settings = settings
        self.algorithm = settings.algorithm
        self.headers: dict[str, Any] = {"typ": "JWT"}
        if settings.kid:
            self.headers["kid"] = settings.kid
        self.headers["alg"] = self.algorithm
        self._header_segment = _b64(json.dumps(self.headers, separators=(",", ":")).encode())
        if settings.private_key_pem:
            private = load_pem_private_key(settings.private_key_pem.encode(), password=None)
            if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
                raise ValueError("SUPABASE_JWT_PRIVATE_KEY must be a P-256 (ES256) private key")
            self.signing_key: Any = private
            self.verifying_key: Any = private.public_key()
        else:
            assert settings.secret, "a secret or a private key is required"
            self.signing_key = self.verifying_key = settings.secret.encode()

    def mint(
        self, *, profile_id: uuid.UUID, auth0_subject: str, roles: Sequence[str], now: int | None = None
    ) -> MintedToken:
        issued = int(time.time()) if now is None else now
        claims = {
            "iss": self.settings.issuer,
            "sub": str(profile_id),
            "aud": AUDIENCE,
            "role": ROLE,
            "iat": issued,
            "exp": issued + self.settings.ttl_seconds,
            "session_id": str(uuid.uuid4()),
            "auth0_sub": auth0_subject,
            "app_roles": sorted(roles),
        }
        return MintedToken(token=self.sign(claims), claims=claims, expires_in=self.settings.ttl_seconds)

    def sign(self, claims: dict[str, Any]) -> str:
        """Compact JWS (RFC 7515) by hand: the header segment is encoded once, and the hot path skips
        PyJWT's generic encoder (verification, in tests and in `verify`, still goes through PyJWT)."""
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self._header_segment}.{payload}".encode("ascii")
        if self.algorithm == "ES256":
            r, s = decode_dss_signature(self.signing_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants raw R || S, not DER
        else:
            signature = hmac.new(self.signing_key, signing_input, hashlib.sha256).digest()
        return f"{self._header_segment}.{payload}.{_b64(signature)}"

    def verify(self, token: str) -> dict[str, Any]:
        """Verify one of our tokens: our algorithm only, our issuer, aud/role authenticated, a uuid sub.

        `auth0_sub` is required as well: Supabase Auth never issues it, so even a token Supabase Auth
        signed with a shared key and our issuer (a misconfiguration start-up refuses) is not ours."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=self.verifying_key,
                algorithms=[self.algorithm],
                audience=AUDIENCE,
                issuer=self.settings.issuer,
                leeway=5,
                options={"require": ["iss", "aud", "exp", "iat", "sub", "role", "auth0_sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("auth.token_expired", "The access token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise unauthorized("auth.invalid_token", "The access token is not valid.") from exc
        if claims.get("role") != ROLE:
            raise unauthorized("auth.invalid_token", "The access token does not carry the authenticated role.")
        try:
            uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise unauthorized("auth.invalid_token", "The access token's subject is not a user id.") from exc
        return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unauthorized(code: str, message: str) -> ProblemError:
    return ProblemError(code, message, 401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
