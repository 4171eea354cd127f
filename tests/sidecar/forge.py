"""Token forgery for the tests: Auth0-shaped claims, and the classic attacks (RFC 8725)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import serialization

from sidecar.devidp.core import NAMESPACE, SigningKey
from tests.fakes.auth0 import FakeAuth0


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_for(auth0: FakeAuth0, name: str = "alice", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": auth0.issuer,
        "sub": f"auth0|{name}",
        "aud": [auth0.audience, auth0.issuer + "userinfo"],
        "iat": now,
        "exp": now + 3600,
        "scope": "openid profile email",
        "azp": auth0.client_id,
        NAMESPACE + "email": f"{name}@example.com",
        NAMESPACE + "email_verified": True,
        NAMESPACE + "name": name.capitalize(),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def access_token(
    auth0: FakeAuth0,
    name: str = "alice",
    *,
    key: SigningKey | None = None,
    headers: dict[str, Any] | None = None,
    **overrides: Any,
) -> str:
    return auth0.sign(claims_for(auth0, name, **overrides), key=key, headers=headers)


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(signature)}"


def hs256_with_public_key(auth0: FakeAuth0, claims: dict[str, Any]) -> str:
    """The key-confusion attack: HMAC-sign with the RSA public key (PEM), which is public."""
    key = auth0.keys[0]
    pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"
