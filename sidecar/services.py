"""The sidecar's long-lived clients, built once at start from one `Settings` and handed out one way.

`open_services(settings, dev_idp)` (the app's lifespan) builds every client: the database pools, Redis,
the Auth0 client and token verifier, the exchanger, the OpenAI client with its circuit breaker and
the job-role search with its semantic index. Handlers receive them by name through Litestar's dependency injection
(`pool: NamedDependency[asyncpg.Pool]`, `exchanger: NamedDependency[Exchanger]`, ...; `DEPENDENCIES`).
Guards, which Litestar does not inject into, read the same object with `services_of(app)`. Nothing
reads the environment after start-up, so a test configures the sidecar through the Settings it
passes to `create_app`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import httpx
from litestar.datastructures import State
from litestar.di import Provide
from redis.asyncio import Redis

from core.ai.breaker import CircuitBreaker
from core.ai.client import AIClient
from core.db.statement_pool import StatementPool
from core.settings import DatabaseSettings, Settings
from sidecar.auth.address_limit import AddressLimiter
from sidecar.auth.auth0_client import Auth0Client
from sidecar.auth.exchange import Exchanger
from sidecar.auth.jwks import JwksCache
from sidecar.auth.profile_cache import ProfileCache, ProfileChangeListener
from sidecar.auth.tokens import TokenKeys
from sidecar.auth.upstream import Auth0Verifier
from sidecar.devidp.durable import DurableIdp
from sidecar.devidp.routes import idp_app
from sidecar.search.engine import JobRoleSearch
from sidecar.search.semantic_index import start_semantic_index

log = logging.getLogger("sidecar")
STATE_KEY = "services"


@dataclasses.dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    token_keys: TokenKeys  # verifies the bearer token of every request (sidecar.auth.guard)
    pool: asyncpg.Pool  # sessions that act as the user (sidecar.acting.acting_as)
    service_pool: StatementPool  # sessions as service_role, for the exchange
    redis: Redis
    address_limiter: AddressLimiter | None  # sign-in calls per client address; None when turned off
    auth0: Auth0Client
    exchanger: Exchanger
    ai_client: AIClient
    job_role_search: JobRoleSearch


def services_of(app_state: State) -> Services:
    """The app's services (`request.app.state` or a guard's `connection.app.state`), once started."""
    services = app_state.get(STATE_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("the sidecar's services are built in its lifespan; it has not started")
    return services


def _provider(name: str) -> Provide:
    def provide(state: State) -> Any:
        return getattr(services_of(state), name)

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


# One app-level dependency per client, named as the Services field; `claims` is added by create_app.
DEPENDENCIES = {field.name: _provider(field.name) for field in dataclasses.fields(Services)}


async def make_pool(settings: DatabaseSettings) -> asyncpg.Pool:
    """A pool; if PostgreSQL is down at start, start anyway (readiness says so, requests get 503)."""
    try:
        pool = await asyncpg.create_pool(settings.url, min_size=settings.pool_min, max_size=settings.pool_max)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        log.warning("database not reachable at start", extra={"error": repr(exc)})
        pool = await asyncpg.create_pool(settings.url, min_size=0, max_size=settings.pool_max)
    assert pool is not None
    return pool


@asynccontextmanager
async def open_services(settings: Settings, dev_idp: DurableIdp | None) -> AsyncIterator[Services]:
    """Build every client; close them all, newest first, when the block ends (or when building fails)."""
    async with AsyncExitStack() as stack:
        pool = await make_pool(settings.database)
        stack.push_async_callback(pool.close)
        # The exchange's connections: sessions as service_role (a startup parameter, so the session
        # default), whose one right here is EXECUTE on the profile sync; opened on first use.
        service_pool = StatementPool(
            settings.database.url, max_size=settings.database.pool_max, server_settings={"role": "service_role"}
        )
        stack.push_async_callback(service_pool.close)
        timeout = settings.redis.timeout_seconds
        redis = Redis.from_url(settings.redis.url, socket_timeout=timeout, socket_connect_timeout=timeout)
        stack.push_async_callback(redis.aclose)
        http = await stack.enter_async_context(_auth0_http(settings, dev_idp))
        auth0 = Auth0Client(http, settings.auth0)
        jwks = JwksCache(
            auth0.fetch_jwks,
            ttl=settings.auth0.jwks_ttl_seconds,
            cooldown=settings.auth0.jwks_cooldown_seconds,
            max_stale=settings.auth0.jwks_max_stale_seconds,
        )
        verifier = Auth0Verifier(
            jwks, issuer=settings.auth0.issuer, audience=settings.auth0.audience, leeway=settings.auth0.leeway_seconds
        )
        # Returning users' profiles, dropped on PostgreSQL's word (LISTEN profile_changes) that they changed.
        profiles = ProfileCache(settings.tokens.profile_cache_size)
        profile_listener = ProfileChangeListener(profiles, settings.database.url)
        profile_listener.start()
        stack.push_async_callback(profile_listener.stop)
        token_keys = TokenKeys(settings.tokens)
        # One OpenAI client for the app, its breaker seeing every call the sidecar makes.
        openai = settings.openai
        ai_client = AIClient(openai, CircuitBreaker(openai.breaker_failures, openai.breaker_cooldown_seconds))
        stack.push_async_callback(ai_client.aclose)
        # The job-title encoder and its index of the catalogue, rebuilt on PostgreSQL's word
        # (LISTEN job_role_catalogue); until built, or without it, job-role search is lexical.
        semantic = await start_semantic_index(settings.semantic, settings.database.url)
        if semantic is not None:
            stack.push_async_callback(semantic.stop)
        attempts = settings.http.auth_attempts_per_minute
        yield Services(
            settings=settings,
            token_keys=token_keys,
            pool=pool,
            service_pool=service_pool,
            redis=redis,
            address_limiter=AddressLimiter(redis, attempts) if attempts else None,
            auth0=auth0,
            exchanger=Exchanger(pool=service_pool, verifier=verifier, keys=token_keys, auth0=auth0, profiles=profiles),
            ai_client=ai_client,
            # Hybrid (vector) queries need OpenAI embeddings; without OpenAI, Azure answers by text alone.
            job_role_search=JobRoleSearch(
                settings.search,
                embed=ai_client.embed if openai.configured else None,
                semantic=semantic,
                semantic_wanted=settings.semantic.encoder is not None,
            ),
        )


@asynccontextmanager
async def _auth0_http(settings: Settings, dev_idp: DurableIdp | None) -> AsyncIterator[httpx.AsyncClient]:
    """The Auth0 client's HTTP connections. In development without a tenant they reach the dev IdP
    in-process, over real HTTP semantics (httpx's ASGI transport): the same client code as against Auth0."""
    transport = (
        httpx.ASGITransport(app=idp_app(dev_idp.idp, run=dev_idp.run))  # type: ignore[arg-type]
        if dev_idp is not None
        else None
    )
    async with httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.auth0.http_timeout_seconds),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    ) as http:
        yield http
