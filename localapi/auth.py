"""Token verification shared by the local API's Data API and Realtime, and who a request acts as:
the API key checked as Supabase's gateway checks it, and the bearer JWT verified as PostgREST verifies
it, with the keys the sidecar mints with.

Gateway: the `apikey` header must be one of the project's keys (else 401 before PostgREST is asked).
The keys are the Supabase CLI's kind, JWTs naming a role; without an Authorization header the key is
the bearer, so the anon key runs as `anon` and the service key as `service_role`.

PostgREST (v14, the version the Supabase CLI pins): signature by the HS256 secret or the ES256 public
key (a JWKS chooses by `kid`); exp, nbf and iat with a 30 s skew; `aud`, when present, must be
`authenticated`; no token means the anon role. Malformed or wrongly signed tokens are PGRST301, failed
claims PGRST303, both 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from core.anon_key import anon_key, service_role_key
from core.settings import TokenSettings

JWT_SKEW_SECONDS = 30  # PostgREST's allowed clock skew for exp, nbf and iat
AUDIENCE = "authenticated"

VerifyToken = Callable[[str], dict[str, Any]]


class InvalidToken(Exception):
    """The token is not one of ours: bad signature, wrong claims, or expired. `code` is PostgREST's:
    PGRST301 (undecodable or wrongly signed) or PGRST303 (claims refused, expiry included)."""

    def __init__(self, message: str = "JWT cryptographic operation failed", code: str = "PGRST301") -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def www_authenticate(self) -> str:
        return f'Bearer error="invalid_token", error_description="{self.message}"'


class InvalidApiKey(Exception):
    """The gateway's refusal: no `apikey`, or not one of the project's keys."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.body = {"message": message, "hint": hint}


class TokenVerifier:
    """Verifies bearer tokens; `keys` is an HS256 secret, a public key, or a JWKS ({"keys": [...]})."""

    def __init__(self, keys: Any, *, audience: str | None = AUDIENCE, leeway: int = JWT_SKEW_SECONDS) -> None:
        self.keys = keys.encode() if isinstance(keys, str) else keys
        self.audience = audience
        self.leeway = leeway

    @classmethod
    def from_settings(cls, settings: TokenSettings) -> TokenVerifier:
        """The key the sidecar signs with (sidecar/auth/tokens.py): its public half, or the shared secret."""
        if settings.private_key_pem:
            private = load_pem_private_key(settings.private_key_pem.encode(), password=None)
            return cls(private.public_key())
        if not settings.secret:
            raise ValueError("a JWT secret or private key is required to verify tokens")
        return cls(settings.secret)

    def __call__(self, token: str) -> dict[str, Any]:
        return self.verify(token)

    def verify(self, token: str) -> dict[str, Any]:
        if not token:
            raise InvalidToken("Empty JWT is sent in Authorization header", "PGRST301")
        parts = token.count(".") + 1
        if parts != 3:
            raise InvalidToken(f"Expected 3 parts in JWT; got {parts}", "PGRST301")
        try:
            key, algorithms = self._key_for(token)
            claims: Any = jwt.decode(
                token,
                key=key,
                algorithms=algorithms,
                options={"verify_aud": False, "require": []},
                leeway=self.leeway,
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("JWT expired", "PGRST303") from exc
        except jwt.ImmatureSignatureError as exc:
            message = "JWT issued at future" if "iat" in str(exc) else "JWT not yet valid"
            raise InvalidToken(message, "PGRST303") from exc
        except (jwt.InvalidKeyError, jwt.InvalidAlgorithmError, ValueError, TypeError) as exc:
            raise InvalidToken("No suitable key or wrong key type", "PGRST301") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("JWT cryptographic operation failed", "PGRST301") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("Parsing claims failed", "PGRST303")
        self._check_audience(claims.get("aud"))
        role = claims.get("role")
        if role is not None and not isinstance(role, str):
            raise InvalidToken("Parsing claims failed", "PGRST303")
        return claims

    def _check_audience(self, aud: Any) -> None:
        if self.audience is None or aud is None or aud == []:
            return  # PostgREST accepts a token without an audience
        audiences = aud if isinstance(aud, list) else [aud]
        if self.audience not in audiences:
            raise InvalidToken("JWT not in audience", "PGRST303")

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        """The key and the only algorithms it may verify: a token signed another way is refused
        ("wrong key type"), never checked with a key of the wrong kind."""
        keys = self.keys
        if isinstance(keys, Mapping) and "keys" in keys:
            kid = jwt.get_unverified_header(token).get("kid")
            for jwk in keys["keys"]:
                if kid is None or jwk.get("kid") == kid:
                    found = jwt.PyJWK(jwk)
                    return found.key, [found.algorithm_name]
            raise jwt.InvalidKeyError(f"no key for kid {kid!r}")
        if isinstance(keys, bytes):
            return keys, ["HS256", "HS384", "HS512"]
        if isinstance(keys, ec.EllipticCurvePublicKey):
            return keys, ["ES256"]
        return keys, ["RS256"]


@dataclass(frozen=True, slots=True)
class ApiKeys:
    """The project's two API keys, as the gateway knows them (core/anon_key.py makes them)."""

    anon: str
    service: str

    @classmethod
    def from_settings(cls, tokens: TokenSettings) -> ApiKeys:
        return cls(anon=anon_key(tokens), service=service_role_key(tokens))

    def known(self, key: str) -> bool:
        return any(hmac.compare_digest(key.encode(), k.encode()) for k in (self.anon, self.service))


def gateway(headers: Mapping[str, str], keys: ApiKeys, query_apikey: str | None = None) -> str:
    """The bearer token PostgREST gets, after the API key is checked as Supabase's gateway checks it.

    The key must be one of the project's (else InvalidApiKey, 401). Without an Authorization header,
    or with the key itself as bearer, the key is the token: its `role` claim (anon or service_role)
    decides, as with the Supabase CLI's JWT keys."""
    apikey = headers.get("apikey") or query_apikey
    if not apikey:
        raise InvalidApiKey("No API key found in request", "No `apikey` request header or url param was found.")
    if not keys.known(apikey):
        raise InvalidApiKey("Invalid API key", "Double check your Supabase `anon` or `service_role` API key.")
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return apikey
    return token.strip()
