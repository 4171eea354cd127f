"""The identity provider's state and rules: keys, users, refresh tokens; no HTTP here (see routes.py).

Tokens look like Auth0's: an access token for the API audience (plus /userinfo when `openid` is asked
for), with the profile facts an Auth0 post-login Action would add under our namespace; an ID token
whose audience is the client id; opaque refresh tokens with `offline_access` (kept as SHA-256 digests).

State lives in memory. When `journal` is a list, every change is also appended to it, and the durable
wrapper (durable.py) writes those changes to PostgreSQL before the answer leaves.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from sidecar.devidp.changes import Change, KeysReplaced, RefreshIssued, RefreshRevoked, UserSaved

NAMESPACE = "https://fluentpro.app/"
PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"  # noqa: S105 (a grant name)
DEV_USER_GRANT = "urn:fluentpro:dev-user"
COMMON_PASSWORDS = frozenset({"password1!", "passw0rd!", "welcome1!", "qwerty123!"})


class IdpError(Exception):
    """An error the Authentication API answers with: HTTP status and Auth0's JSON body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("error_description") or body.get("description") or body)
        self.status = status
        self.body = body


@dataclass
class IdpUser:
    subject: str
    email: str
    name: str
    password_hash: bytes
    salt: bytes
    email_verified: bool = False


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


def new_key() -> SigningKey:
    return SigningKey(
        kid=secrets.token_urlsafe(12), private=rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )


@dataclass
class IdentityProvider:
    issuer: str
    audience: str
    client_id: str = "dev-client"
    client_secret: str | None = None
    realm: str = "Username-Password-Authentication"
    token_ttl: int = 3600
    keys: list[SigningKey] = field(default_factory=lambda: [new_key()])
    users: dict[str, IdpUser] = field(default_factory=dict)  # by lower-cased email
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token digest -> lower-cased email
    journal: list[Change] | None = None  # changes not yet written, when a durable store keeps the state

    # -- keys -----------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}

    def rotate(self, *, keep_old: bool = True) -> SigningKey:
        """A new signing key in front; the old one stays published (Auth0's rotation) unless told."""
        key = new_key()
        self.keys = [key, *self.keys] if keep_old else [key]
        self._record(KeysReplaced(list(self.keys)))
        return key

    def sign(
        self, claims: dict[str, Any], *, key: SigningKey | None = None, headers: dict[str, Any] | None = None
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            claims, key.private, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT", **(headers or {})}
        )

    # -- users ----------------------------------------------------------------------------------
    def add_user(self, email: str, password: str, name: str | None = None, *, subject: str | None = None) -> IdpUser:
        key = email.strip().lower()
        if key in self.users:  # Auth0's answer for an existing user, word for word
            raise IdpError(
                400,
                {
                    "name": "BadRequestError",
                    "code": "invalid_signup",
                    "description": "Invalid sign up",
                    "statusCode": 400,
                },
            )
        salt = secrets.token_bytes(16)
        user = IdpUser(
            subject=subject or f"auth0|{uuid.uuid4().hex[:24]}",
            email=email.strip(),
            name=name or email.strip(),
            password_hash=_hash(password, salt),
            salt=salt,
        )
        self.users[key] = user
        self._record(UserSaved(user))
        return user

    def ensure_user(self, email: str, password: str, name: str, *, subject: str) -> IdpUser:
        """A verified user with this email and password (the demo users): created, or its password and
        verification restored; an existing user keeps its subject, so its profile stays the same."""
        user = self.users.get(email.strip().lower())
        if user is None:
            user = self.add_user(email, password, name, subject=subject)
        elif user.email_verified and self.password_matches(user, password):
            return user
        else:
            user.salt = secrets.token_bytes(16)
            user.password_hash = _hash(password, user.salt)
        user.email_verified = True
        self._record(UserSaved(user))
        return user

    def password_matches(self, user: IdpUser, password: str) -> bool:
        return hmac.compare_digest(user.password_hash, _hash(password, user.salt))

    def dev_user(self, name: str) -> IdpUser:
        """A named development user (alice, bob, admin...), created on first use."""
        email = f"{name}@example.com"
        user = self.users.get(email)
        if user is None:
            user = self.add_user(email, secrets.token_urlsafe(16), name.capitalize(), subject=f"auth0|dev-{name}")
            user.email_verified = True
            self._record(UserSaved(user))
        return user

    # -- the Authentication API -----------------------------------------------------------------
    def signup(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check_client(body, secret_required=False)
        if body.get("connection") != self.realm:
            raise IdpError(400, {"error": "invalid_connection", "error_description": "Unknown connection"})
        email, password = str(body.get("email") or ""), str(body.get("password") or "")
        if "@" not in email or not password:
            raise IdpError(400, {"error": "invalid_request", "error_description": "email and password are required"})
        if password.lower() in COMMON_PASSWORDS:  # Auth0's password dictionary, in miniature
            raise IdpError(
                400,
                {
                    "name": "PasswordDictionaryError",
                    "code": "invalid_password",
                    "description": "Password is too common",
                },
            )
        user = self.add_user(email, password, body.get("name"))
        return {"_id": user.subject.split("|", 1)[1], "email": user.email, "email_verified": False}

    def token(self, form: dict[str, Any], *, forwarded_for: str | None = None) -> dict[str, Any]:
        """The token endpoint. `forwarded_for` is the auth0-forwarded-for header: Auth0 keys its
        brute-force protection on it; the dev IdP has no such protection and ignores it."""
        del forwarded_for
        grant = form.get("grant_type")
        if grant in (PASSWORD_REALM, "password"):
            self._check_client(form)
            user = self.users.get(str(form.get("username") or "").strip().lower())
            if user is None or not self.password_matches(user, str(form.get("password") or "")):
                raise IdpError(403, {"error": "invalid_grant", "error_description": "Wrong email or password."})
        elif grant == "refresh_token":
            self._check_client(form)
            email = self.refresh_tokens.get(token_digest(str(form.get("refresh_token") or "")))
            if email is None:
                raise IdpError(
                    403, {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}
                )
            user = self.users[email]
            return self.tokens_for(user, scope=str(form.get("scope") or "openid profile email"), refresh=False)
        elif grant == DEV_USER_GRANT:
            user = self.dev_user(str(form.get("username") or "alice"))
        else:
            raise IdpError(403, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
        return self.tokens_for(user, scope=str(form.get("scope") or "openid profile email"))

    def revoke(self, body: dict[str, Any]) -> None:
        self._check_client(body)
        digest = token_digest(str(body.get("token") or ""))
        if self.refresh_tokens.pop(digest, None) is not None:
            self._record(RefreshRevoked(digest))

    def userinfo(self, access_token: str) -> dict[str, Any]:
        try:
            # Any published key, as Auth0 does: a token signed before a rotation stays good until it expires.
            kid = jwt.get_unverified_header(access_token).get("kid")
            key = next((k for k in self.keys if k.kid == kid), None)
            if key is None:
                raise jwt.InvalidKeyError("unknown kid")
            claims = jwt.decode(
                access_token,
                key=key.private.public_key(),
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
            )
        except jwt.PyJWTError as exc:
            raise IdpError(401, {"error": "invalid_token", "error_description": str(exc)}) from exc
        user = next((u for u in self.users.values() if u.subject == claims["sub"]), None)
        if user is None:
            raise IdpError(401, {"error": "invalid_token", "error_description": "unknown user"})
        return {"sub": user.subject, "email": user.email, "email_verified": user.email_verified, "name": user.name}

    def tokens_for(self, user: IdpUser, *, scope: str, refresh: bool = True) -> dict[str, Any]:
        now = int(time.time())
        scopes = scope.split()
        audience: Any = [self.audience, self.issuer + "userinfo"] if "openid" in scopes else self.audience
        access = {
            "iss": self.issuer,
            "sub": user.subject,
            "aud": audience,
            "iat": now,
            "exp": now + self.token_ttl,
            "scope": scope,
            "azp": self.client_id,
            NAMESPACE + "email": user.email,
            NAMESPACE + "email_verified": user.email_verified,
            NAMESPACE + "name": user.name,
        }
        result: dict[str, Any] = {
            "access_token": self.sign(access),
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "scope": scope,
        }
        if "openid" in scopes:
            result["id_token"] = self.sign(self.id_claims(user, now))
        if refresh and "offline_access" in scopes:
            token = secrets.token_urlsafe(32)
            digest = token_digest(token)
            self.refresh_tokens[digest] = user.email.lower()
            self._record(RefreshIssued(digest, user.subject))
            result["refresh_token"] = token
        return result

    def id_claims(self, user: IdpUser, now: int) -> dict[str, Any]:
        return {
            "iss": self.issuer,
            "sub": user.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + self.token_ttl,
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
        }

    def _record(self, change: Change) -> None:
        if self.journal is not None:
            self.journal.append(change)

    def _check_client(self, body: dict[str, Any], *, secret_required: bool = True) -> None:
        if body.get("client_id") != self.client_id:
            raise IdpError(401, {"error": "invalid_client", "error_description": "Unknown client"})
        secret = str(body.get("client_secret") or "")
        if secret_required and self.client_secret is not None and not hmac.compare_digest(secret, self.client_secret):
            raise IdpError(401, {"error": "access_denied", "error_description": "Unauthorized"})


def token_digest(token: str) -> str:
    """Refresh tokens are kept as digests: a leaked table or memory dump holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000)
