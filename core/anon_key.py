"""The project's API keys as the Supabase CLI mints them: long-lived JWTs naming a database role.

A client sends the anon key as `apikey` (and as bearer until it signs in); the local API and
`fluentpro status` take both keys from here. Claims are exactly the CLI's,
`{"iss": "supabase-demo", "role": ..., "exp": 1983812996}`: with the development secret (the CLI's
own, core/settings.py DEV_JWT_SECRET) the keys are byte for byte the CLI's well-known local keys,
so examples written for `supabase start` work unchanged. With an ES256 key set instead, they are
signed by it (with its kid), as every token the sidecar mints is.
"""

from __future__ import annotations

import jwt

from core.settings import SettingsError, TokenSettings

ISSUER = "supabase-demo"
EXPIRES_AT = 1_983_812_996  # the CLI's: 2032-11-12, so a local key never expires mid-project


def api_key(tokens: TokenSettings, role: str) -> str:
    """A key for `role` (anon or service_role), signed with the key the sidecar mints tokens with."""
    claims = {"iss": ISSUER, "role": role, "exp": EXPIRES_AT}
    if tokens.private_key_pem:
        headers = {"kid": tokens.kid} if tokens.kid else None
        return jwt.encode(claims, tokens.private_key_pem, algorithm="ES256", headers=headers)
    if not tokens.secret:
        raise SettingsError("SUPABASE_JWT_SECRET or SUPABASE_JWT_PRIVATE_KEY must be set to make the API keys")
    return jwt.encode(claims, tokens.secret, algorithm="HS256")


def anon_key(tokens: TokenSettings) -> str:
    """The public key a client ships with: requests run as `anon` until a user's token is sent."""
    return api_key(tokens, "anon")


def service_role_key(tokens: TokenSettings) -> str:
    """The secret key: requests run as `service_role` (bypassing row-level security); servers only."""
    return api_key(tokens, "service_role")
