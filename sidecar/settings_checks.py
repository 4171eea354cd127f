"""The start-up checks of `Settings.validate`: what production refuses (test allows loopback http)."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from sidecar.settings import Settings

MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash output
MIN_METRICS_TOKEN_BYTES = 16


def problems(settings: Settings) -> list[str]:
    from sidecar.settings import Environment

    env = settings.environment
    found: list[str] = []
    if env is Environment.DEVELOPMENT:
        return found
    auth0, tokens = settings.auth0, settings.tokens
    if auth0.dev_idp:
        found.append(f"AUTH0_DOMAIN is unset: the dev identity provider is refused in {env.value}")
    for name, url in (("AUTH0_ISSUER", auth0.issuer), ("AUTH0_JWKS_URL", auth0.jwks_url)):
        if not auth0.dev_idp and not _secure_url(url, allow_loopback_http=env is Environment.TEST):
            found.append(f"{name} must be an https URL ({url!r})")
    if tokens.private_key_pem is None and tokens.secret is None:
        found.append("SUPABASE_JWT_PRIVATE_KEY (or the legacy SUPABASE_JWT_SECRET) must be set")
    if tokens.private_key_pem is not None and not tokens.kid:
        found.append("SUPABASE_JWT_KID must be set with SUPABASE_JWT_PRIVATE_KEY")
    if tokens.private_key_pem is None and tokens.secret is not None:
        if len(tokens.secret.encode()) < MIN_SECRET_BYTES:
            found.append(f"SUPABASE_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        from sidecar.settings import DEV_JWT_SECRET

        if tokens.secret == DEV_JWT_SECRET:
            found.append("SUPABASE_JWT_SECRET is the public development secret")
    if not (60 <= tokens.ttl_seconds <= 3600):
        found.append("ACCESS_TOKEN_TTL_SECONDS must be between 60 and 3600")
    if "*" in settings.http.cors_allow_origins:
        found.append("CORS_ALLOW_ORIGINS must list origins, not '*'")
    # Queue depths, cache hit rates and request counts are for operators, not for anyone on the internet.
    metrics_token = (settings.http.metrics_token or "").encode()
    if env is Environment.PRODUCTION and len(metrics_token) < MIN_METRICS_TOKEN_BYTES:
        found.append(
            f"METRICS_TOKEN must be set, at least {MIN_METRICS_TOKEN_BYTES} bytes: /metrics is not public in production"
        )
    # The AI client reads its own settings (the worker uses them too); the same refusals apply.
    from sidecar.ai.settings import OpenAISettings

    found += OpenAISettings.from_env().problems(env)
    return found


def _secure_url(url: str, *, allow_loopback_http: bool) -> bool:
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
