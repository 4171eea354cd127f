"""Settings, read once from the environment into frozen dataclasses, one per concern.

Names and defaults are the contract in the README ("Configuration"). A `.env` file in the working
directory fills in variables that the environment does not set (development convenience only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ai.settings import OpenAISettings
from core.environment import DEV_IDP_AUDIENCE, DEV_IDP_ISSUER
from core.environment import DEV_JWT_SECRET as DEV_JWT_SECRET
from core.environment import UNSET_ENVIRONMENT as UNSET_ENVIRONMENT
from core.environment import Environment as Environment
from core.environment import environment as environment
from core.search.settings import AzureSearchSettings, SemanticSearchSettings
from core.settings_checks import problems

# The readers live in settings_env; importing them from here keeps working (explicit re-exports).
from core.settings_env import IPNetwork as IPNetwork
from core.settings_env import SettingsError as SettingsError
from core.settings_env import env_bool as env_bool
from core.settings_env import env_bounded as env_bounded
from core.settings_env import env_bounded_int as env_bounded_int
from core.settings_env import env_list as env_list
from core.settings_env import env_networks as env_networks
from core.settings_env import env_port as env_port
from core.settings_env import env_str as env_str
from core.settings_env import load_dotenv as load_dotenv

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/fluentpro"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str
    pool_min: int = 1
    pool_max: int = 10

    @classmethod
    def from_env(cls) -> DatabaseSettings:
        settings = cls(
            url=env_str("DATABASE_URL", DEFAULT_DATABASE_URL) or DEFAULT_DATABASE_URL,
            # 0 opens connections on demand; PostgreSQL allows 100 connections by default, for everyone.
            pool_min=env_bounded_int("DATABASE_POOL_MIN", 1, 0, 100),
            pool_max=env_bounded_int("DATABASE_POOL_MAX", 10, 1, 100),
        )
        if settings.pool_min > settings.pool_max:
            raise SettingsError(
                f"DATABASE_POOL_MIN must not exceed DATABASE_POOL_MAX ({settings.pool_min} > {settings.pool_max})"
            )
        return settings


@dataclass(frozen=True, slots=True)
class RedisSettings:
    url: str
    # The sidecar's calls (the sign-in limit): past this, a call is given up and sign-in goes on unchecked.
    timeout_seconds: float = 2.0

    @classmethod
    def from_env(cls) -> RedisSettings:
        return cls(
            url=env_str("REDIS_URL", DEFAULT_REDIS_URL) or DEFAULT_REDIS_URL,
            # Under 50 ms a busy but healthy Redis would look down; past a minute a sign-in would hang.
            timeout_seconds=env_bounded_int("REDIS_TIMEOUT_MS", 2000, 50, 60_000) / 1000,
        )


@dataclass(frozen=True, slots=True)
class Auth0Settings:
    """The Auth0 tenant that signs the tokens we exchange; `dev_idp` when no tenant is configured."""

    issuer: str
    audience: str
    jwks_url: str
    client_id: str | None = None
    client_secret: str | None = None
    realm: str = "Username-Password-Authentication"
    dev_idp: bool = False
    leeway_seconds: int = 30
    jwks_ttl_seconds: int = 600
    jwks_cooldown_seconds: int = 30
    jwks_max_stale_seconds: int = 86_400
    http_timeout_seconds: float = 5.0

    @property
    def base_url(self) -> str:
        """The Authentication API lives at the issuer's origin (https://<domain>/)."""
        return self.issuer.rstrip("/")

    @classmethod
    def from_env(cls) -> Auth0Settings:
        domain = env_str("AUTH0_DOMAIN")
        common = {
            "client_id": env_str("AUTH0_CLIENT_ID"),
            "client_secret": env_str("AUTH0_CLIENT_SECRET"),
            "realm": env_str("AUTH0_REALM", "Username-Password-Authentication") or "",
            # Clock skew between Auth0 and us; past five minutes an expired token is simply accepted.
            "leeway_seconds": env_bounded_int("AUTH0_LEEWAY_SECONDS", 30, 0, 300),
            # Refreshing more than once a minute only loads Auth0; past a day a withdrawn key stays trusted.
            "jwks_ttl_seconds": env_bounded_int("AUTH0_JWKS_TTL_SECONDS", 600, 60, 86_400),
            # At least a second between fetches for unknown kids (random kids must not amplify into Auth0),
            # at most ten minutes before a newly rotated key is picked up.
            "jwks_cooldown_seconds": env_bounded_int("AUTH0_JWKS_COOLDOWN_SECONDS", 30, 1, 600),
            # Known keys keep working through an Auth0 outage this long (0: not at all); three days covers
            # a weekend without trusting a key Auth0 may have withdrawn indefinitely.
            "jwks_max_stale_seconds": env_bounded_int("AUTH0_JWKS_MAX_STALE_SECONDS", 86_400, 0, 3 * 86_400),
        }
        if domain is None:
            return cls(
                issuer=DEV_IDP_ISSUER,
                audience=env_str("AUTH0_AUDIENCE", DEV_IDP_AUDIENCE) or DEV_IDP_AUDIENCE,
                jwks_url=DEV_IDP_ISSUER + ".well-known/jwks.json",
                dev_idp=True,
                **common,  # type: ignore[arg-type]
            )
        audience = env_str("AUTH0_AUDIENCE")
        if audience is None:
            raise SettingsError("AUTH0_AUDIENCE must be set with AUTH0_DOMAIN (the API identifier)")
        issuer = env_str("AUTH0_ISSUER", f"https://{domain}/") or ""
        jwks_url = env_str("AUTH0_JWKS_URL", f"https://{domain}/.well-known/jwks.json") or ""
        return cls(issuer=issuer, audience=audience, jwks_url=jwks_url, **common)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """How we mint Supabase JWTs: signed ES256 with an imported key, or with the legacy HS256 secret;
    and how many returning users' profiles the exchange keeps in memory (0: always ask the database)."""

    issuer: str
    ttl_seconds: int = 900
    private_key_pem: str | None = None
    kid: str | None = None
    secret: str | None = None
    profile_cache_size: int = 10_000

    @property
    def algorithm(self) -> str:
        return "ES256" if self.private_key_pem else "HS256"

    @classmethod
    def from_env(cls, env: Environment) -> TokenSettings:
        private_key = env_str("SUPABASE_JWT_PRIVATE_KEY")
        secret = env_str("SUPABASE_JWT_SECRET")
        if private_key is None and secret is None and env is Environment.DEVELOPMENT:
            secret = DEV_JWT_SECRET
        return cls(
            issuer=env_str("SUPABASE_JWT_ISSUER", "fluentpro-sidecar") or "fluentpro-sidecar",
            # Long enough to outlast a request, short enough that a leaked token dies within the hour
            # (the app exchanges its Auth0 token again).
            ttl_seconds=env_bounded_int("ACCESS_TOKEN_TTL_SECONDS", 900, 60, 3600),
            private_key_pem=private_key.replace("\\n", "\n") if private_key else None,
            kid=env_str("SUPABASE_JWT_KID"),
            secret=secret,
            # 0 turns the cache off; a million profiles of a few hundred bytes each is a generous ceiling.
            profile_cache_size=env_bounded_int("PROFILE_CACHE_SIZE", 10_000, 0, 1_000_000),
        )


@dataclass(frozen=True, slots=True)
class HttpSettings:
    cors_allow_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    access_log: bool = True
    # Bearer token a scraper must present on /metrics; None leaves it open (refused in production).
    metrics_token: str | None = None
    # Sign-up, login, refresh and logout calls per client address per minute; 0 turns the limit off.
    auth_attempts_per_minute: int = 30
    # The proxies in front of the sidecar whose X-Forwarded-For entries we believe; none by default.
    trusted_proxies: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_env(cls, env: Environment) -> HttpSettings:
        default_origins = ("*",) if env is Environment.DEVELOPMENT else ()
        return cls(
            cors_allow_origins=env_list("CORS_ALLOW_ORIGINS", default_origins),
            log_level=(env_str("LOG_LEVEL", "INFO") or "INFO").upper(),
            access_log=env_bool("ACCESS_LOG", True),
            metrics_token=env_str("METRICS_TOKEN"),
            # 0 turns the limit off; above a thousand a minute it would no longer slow anyone down.
            auth_attempts_per_minute=env_bounded_int("AUTH_ATTEMPTS_PER_MINUTE", 30, 0, 1000),
            trusted_proxies=env_networks("FORWARDED_ALLOW_IPS"),
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the sidecar reads from the environment, read once at start and checked by `validate`;
    every long-lived client is built from it (sidecar/services.py), nothing reads the environment later."""

    environment: Environment
    database: DatabaseSettings
    redis: RedisSettings
    auth0: Auth0Settings
    tokens: TokenSettings
    http: HttpSettings
    # Unset by default: a hand-built Settings (tests) has AI, Azure and semantic search off unless it says so.
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    search: AzureSearchSettings = field(default_factory=AzureSearchSettings)
    semantic: SemanticSearchSettings = field(default_factory=SemanticSearchSettings)

    @classmethod
    def from_env(cls) -> Settings:
        env = environment()
        settings = cls(
            environment=env,
            database=DatabaseSettings.from_env(),
            redis=RedisSettings.from_env(),
            auth0=Auth0Settings.from_env(),
            tokens=TokenSettings.from_env(env),
            http=HttpSettings.from_env(env),
            openai=OpenAISettings.from_env(),
            search=AzureSearchSettings.from_env(),
            semantic=SemanticSearchSettings.from_env(),
        )
        try:
            settings.validate()
        except SettingsError as exc:
            if env_str("FLUENTPRO_ENV") is None:
                raise SettingsError(
                    f"{exc} (FLUENTPRO_ENV is unset, which means production; "
                    "set FLUENTPRO_ENV=development to run on your machine)"
                ) from exc
            raise
        return settings

    def validate(self) -> None:
        """Production (and test, which behaves like it) refuses unsafe configurations at start."""
        found = problems(self)
        if found:
            raise SettingsError("; ".join(found))
