"""Which environment this process runs in (FLUENTPRO_ENV), and development's public defaults.

The bottom of the settings modules: the readers (settings_env) below it, each concern's settings
and the start-up checks above it, `core.settings.Settings` on top.
"""

from __future__ import annotations

from enum import StrEnum

from core.settings_env import SettingsError, env_str


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


# An unset FLUENTPRO_ENV means production: a deployment that forgets it gets every production refusal
# (no dev identity provider, no public dev secret, no CORS "*", /metrics behind a token) instead of a
# development server open to the network. The tests and `make run` say so explicitly; the development-only
# commands (`fluentpro dev`, `status`, `local-api`) take an unset value to mean development (fluentpro/cli.py).
UNSET_ENVIRONMENT = Environment.PRODUCTION


def environment() -> Environment:
    raw = env_str("FLUENTPRO_ENV") or UNSET_ENVIRONMENT.value
    try:
        return Environment(raw)
    except ValueError as exc:
        allowed = ", ".join(e.value for e in Environment)
        raise SettingsError(f"FLUENTPRO_ENV must be one of {allowed}, got {raw!r}") from exc


# The Supabase CLI's well-known local JWT secret: minted tokens then work with a local `supabase start`.
DEV_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105 (public dev value)
DEV_IDP_ISSUER = "http://dev-idp.localhost/"
DEV_IDP_AUDIENCE = "https://api.fluentpro.dev"
