"""The local API's settings: its port, plus the database and token settings the sidecar
reads (so it verifies exactly the tokens the sidecar mints).

It never runs in production: there Supabase itself serves /rest/v1 and /realtime/v1.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import (
    DatabaseSettings,
    Environment,
    SettingsError,
    TokenSettings,
    env_port,
    environment,
)

HOST = "127.0.0.1"  # loopback only: a development stand-in is never exposed
DEFAULT_PORT = 54321  # the Supabase CLI's API port, so client configuration carries over


@dataclass(frozen=True, slots=True)
class LocalApiSettings:
    port: int
    database: DatabaseSettings
    tokens: TokenSettings

    @classmethod
    def from_env(cls) -> LocalApiSettings:
        env = environment()
        if env is Environment.PRODUCTION:
            raise SettingsError(
                "the local API is a development stand-in and refuses to start when FLUENTPRO_ENV=production "
                "(Supabase serves /rest/v1 and /realtime/v1 there)"
            )
        port = env_port("LOCAL_API_PORT", DEFAULT_PORT)
        tokens = TokenSettings.from_env(env)
        if not tokens.secret and not tokens.private_key_pem:
            raise SettingsError("SUPABASE_JWT_SECRET or SUPABASE_JWT_PRIVATE_KEY must be set to verify tokens")
        return cls(
            port=port,
            database=DatabaseSettings.from_env(),
            tokens=tokens,
        )
