"""The start-up checks of `Settings.validate`: what production refuses (test allows loopback http)."""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from core.environment import DEV_JWT_SECRET, Environment

if TYPE_CHECKING:  # for annotations only: core.settings imports this module to validate itself
    from core.ai.settings import OpenAISettings
    from core.settings import Settings

MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash output
MIN_METRICS_TOKEN_BYTES = 16
# Estimated bits (see `estimated_entropy_bits`): a random 32-byte secret in base64 scores about 220, a
# random 24-character token about 100; 'a' * 32 scores 0 and 'abcd' * 8 scores 64.
MIN_SECRET_BITS = 128
MIN_METRICS_TOKEN_BITS = 64
GENERATE = "generate one with `openssl rand -base64 32`"


def problems(settings: Settings) -> list[str]:
    env = settings.environment
    found: list[str] = []
    issuer_problem = _issuer_problem(settings.tokens.issuer)
    if issuer_problem:  # in every environment: a local Supabase CLI shares development's secret too
        found.append(issuer_problem)
    if env is Environment.DEVELOPMENT:
        return found
    auth0, tokens = settings.auth0, settings.tokens
    if auth0.dev_idp:
        found.append(f"AUTH0_DOMAIN is unset: the dev identity provider is refused in {env.value}")
    for name, url in (("AUTH0_ISSUER", auth0.issuer), ("AUTH0_JWKS_URL", auth0.jwks_url)):
        if not auth0.dev_idp and not secure_url(url, allow_loopback_http=env is Environment.TEST):
            found.append(f"{name} must be an https URL ({url!r})")
    if tokens.private_key_pem is None and tokens.secret is None:
        found.append("SUPABASE_JWT_PRIVATE_KEY (or the legacy SUPABASE_JWT_SECRET) must be set")
    if tokens.private_key_pem is not None and not tokens.kid:
        found.append("SUPABASE_JWT_KID must be set with SUPABASE_JWT_PRIVATE_KEY")
    if tokens.private_key_pem is None and tokens.secret is not None:
        if len(tokens.secret.encode()) < MIN_SECRET_BYTES:
            found.append(f"SUPABASE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        elif estimated_entropy_bits(tokens.secret) < MIN_SECRET_BITS:
            found.append(f"SUPABASE_JWT_SECRET is too predictable (repeated or few distinct characters); {GENERATE}")
        if tokens.secret == DEV_JWT_SECRET:
            found.append("SUPABASE_JWT_SECRET is the public development secret")
    for origin in settings.http.cors_allow_origins:
        problem = _origin_problem(origin, allow_loopback_http=env is Environment.TEST)
        if problem:
            found.append(problem)
    # Queue depths, cache hit rates and request counts are for operators, not for anyone on the internet.
    metrics_token = settings.http.metrics_token or ""
    if env is Environment.PRODUCTION and len(metrics_token.encode()) < MIN_METRICS_TOKEN_BYTES:
        found.append(
            f"METRICS_TOKEN must be set, at least {MIN_METRICS_TOKEN_BYTES} bytes: /metrics is not public in production"
        )
    elif metrics_token and estimated_entropy_bits(metrics_token) < MIN_METRICS_TOKEN_BITS:
        found.append(f"METRICS_TOKEN is too predictable (repeated or few distinct characters); {GENERATE}")
    found += openai_problems(settings.openai, env)
    return found


def openai_problems(openai: OpenAISettings, env: Environment) -> list[str]:
    """Outside development the OpenAI API key travels only over https (test allows plain http on
    loopback, for the local fake server)."""
    if env is Environment.DEVELOPMENT or not openai.configured or openai.base_url is None:
        return []
    if secure_url(openai.base_url, allow_loopback_http=env is Environment.TEST):
        return []
    return [f"OPENAI_BASE_URL must be an https URL ({openai.base_url!r})"]


def secure_url(url: str, *, allow_loopback_http: bool) -> bool:
    """https with a host; or, when allowed (test's local fakes), plain http to a loopback host."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    if parts.scheme != "http" or not allow_loopback_http or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def estimated_entropy_bits(secret: str) -> float:
    """Length times the Shannon entropy of the secret's characters: an optimistic estimate (it cannot see
    that 'abcdefgh...' is a sequence), but it does catch repeated or few-symbol secrets."""
    length = len(secret)
    return -sum(count * math.log2(count / length) for count in Counter(secret).values())


def _origin_problem(origin: str, *, allow_loopback_http: bool) -> str | None:
    """What is wrong with one CORS_ALLOW_ORIGINS entry, if anything. A browser's Origin is exactly
    scheme://host[:port]; `null` is what sandboxed frames and file:// pages send, so allowing it allows them."""
    if origin in ("*", "null"):
        return f"CORS_ALLOW_ORIGINS must list origins, not {origin!r}"
    parts = urlsplit(origin)
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked)
    except ValueError:
        return f"CORS_ALLOW_ORIGINS has an origin with a bad port: {origin!r}"
    extra = parts.username or parts.password or parts.path or parts.query or parts.fragment or "#" in origin
    if extra or not parts.hostname or "*" in origin or origin.endswith("?"):
        return f"CORS_ALLOW_ORIGINS entries must be scheme://host[:port] and nothing more, got {origin!r}"
    if not secure_url(origin, allow_loopback_http=allow_loopback_http):
        return f"CORS_ALLOW_ORIGINS entries must be https origins, got {origin!r}"
    # Origins are compared as text: one written otherwise than browsers send it would never match.
    if origin != origin.lower() or not origin.isascii() or parts.port == DEFAULT_PORTS.get(parts.scheme):
        return (
            "CORS_ALLOW_ORIGINS entries must be written as browsers send them (lower case, an international "
            f"name in its xn-- form, no default port), got {origin!r}"
        )
    return None


SUPABASE_HOSTS = (".supabase.co", ".supabase.in")
DEFAULT_PORTS = {"https": 443, "http": 80}


def _issuer_problem(issuer: str) -> str | None:
    """Our tokens' `iss` must not be Supabase Auth's (`https://<ref>.supabase.co/auth/v1`, or `/auth/v1` on
    a custom domain or the local CLI). Supabase Auth signs its own tokens with the project's key in use,
    the very key we sign with, so with its issuer a token it issued (a user with no profile) would pass
    our verification as well as PostgREST's."""
    parts = urlsplit(issuer)
    host = (parts.hostname or "").lower()
    if parts.path.lower().rstrip("/").endswith("/auth/v1") or host.endswith(SUPABASE_HOSTS):
        return (
            f"SUPABASE_JWT_ISSUER must be our own issuer, not Supabase Auth's ({issuer!r}): Supabase Auth signs "
            "with the same key, so its tokens would pass as ours; use e.g. https://api.<your domain>/sidecar"
        )
    return None
