"""The sidecar application: `create_app(settings)` builds Litestar with its routes, error mapper,
logs, metrics, CORS and docs; the lifespan makes the long-lived clients and puts them on app.state.

app.state after start-up: settings, pool (asyncpg, acting_as uses it), service_pool (a StatementPool
of service_role sessions, for the exchange), redis, address_limiter (sign-in calls per client address),
http (httpx), token_keys, verifier, auth0 (Authentication API client), exchanger; idp and dev_idp (its
state kept in PostgreSQL) in development when no Auth0 tenant is configured.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import httpx
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from core.db.statement_pool import StatementPool
from core.settings import DatabaseSettings, Environment, Settings
from sidecar import routes
from sidecar.auth.address_limit import AddressLimiter
from sidecar.auth.auth0_client import Auth0Client
from sidecar.auth.client_address import ClientAddressMiddleware, TrustedProxies
from sidecar.auth.exchange import Exchanger
from sidecar.auth.guard import provide_claims, provide_pool
from sidecar.auth.jwks import JwksCache
from sidecar.auth.profile_cache import ProfileCache, ProfileChangeListener
from sidecar.auth.tokens import TokenKeys
from sidecar.auth.upstream import Auth0Verifier
from sidecar.devidp import DEV_IDP_PATH as DEV_IDP_PATH  # re-exported: tests reach the dev IdP by it
from sidecar.devidp.core import IdentityProvider
from sidecar.devidp.demo import seed_demo_users
from sidecar.devidp.durable import DurableIdp
from sidecar.devidp.routes import idp_app, idp_router
from sidecar.devidp.store import PgIdpStore
from sidecar.errors import exception_handlers
from sidecar.observability import RequestIdMiddleware, configure_logging
from sidecar.queue_metrics import OutboxCollector
from sidecar.request_body import JsonBodyRequest

log = logging.getLogger("sidecar")


async def make_pool(settings: DatabaseSettings) -> asyncpg.Pool:
    """A pool; if PostgreSQL is down at start, start anyway (readiness says so, requests get 503)."""
    try:
        pool = await asyncpg.create_pool(settings.url, min_size=settings.pool_min, max_size=settings.pool_max)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        log.warning("database not reachable at start", extra={"error": repr(exc)})
        pool = await asyncpg.create_pool(settings.url, min_size=0, max_size=settings.pool_max)
    assert pool is not None
    return pool


def make_lifespan(
    settings: Settings, dev_idp: DurableIdp | None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await make_pool(settings.database)
        # The exchange's connections: sessions as service_role (a startup parameter, so the session
        # default), whose one right here is EXECUTE on the profile sync; opened on first use.
        service_pool = StatementPool(
            settings.database.url, max_size=settings.database.pool_max, server_settings={"role": "service_role"}
        )
        redis = Redis.from_url(settings.redis.url, socket_timeout=2.0, socket_connect_timeout=2.0)
        # In development without a tenant, the Auth0 client reaches the dev IdP in-process, over real HTTP
        # semantics (httpx's ASGI transport): the same client code as against Auth0.
        transport = (
            httpx.ASGITransport(app=idp_app(dev_idp.idp, run=dev_idp.run))  # type: ignore[arg-type]
            if dev_idp is not None
            else None
        )
        http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.auth0.http_timeout_seconds),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )
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
        state = app.state
        state.pool = pool
        state.service_pool = service_pool
        state.redis = redis
        attempts = settings.http.auth_attempts_per_minute
        state.address_limiter = AddressLimiter(redis, attempts) if attempts else None
        state.http = http
        state.auth0 = auth0
        state.jwks = jwks
        state.verifier = verifier
        # Returning users' profiles, dropped on PostgreSQL's word (LISTEN profile_changes) that they changed.
        profiles = ProfileCache(settings.tokens.profile_cache_size)
        profile_listener = ProfileChangeListener(profiles, settings.database.url)
        profile_listener.start()
        state.exchanger = Exchanger(
            pool=service_pool, verifier=verifier, keys=state.token_keys, auth0=auth0, profiles=profiles
        )
        # Queue health (outbox rows, lag, NOTIFY backlog) on /metrics, read at scrape time.
        queue_metrics = OutboxCollector(settings.database.url)
        registered = register_once(queue_metrics)
        try:
            if dev_idp is not None and settings.environment is Environment.DEVELOPMENT:
                await seed_demo_users(dev_idp, state.exchanger)
            yield
        finally:
            if dev_idp is not None:
                await dev_idp.close()
            if registered:
                REGISTRY.unregister(queue_metrics)
            await profile_listener.stop()
            await http.aclose()
            await redis.aclose()
            await service_pool.close()
            await pool.close()

    return lifespan


def register_once(collector: OutboxCollector) -> bool:
    """Register on the process registry unless another app in this process already did (tests run
    several apps in one process; the metric names are process-wide)."""
    try:
        REGISTRY.register(collector)
    except ValueError:
        return False
    return True


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    settings.validate()  # a hand-built Settings gets the same production refusals as the environment's
    dev_idp: DurableIdp | None = None
    if settings.auth0.dev_idp:
        if not settings.auth0.client_id:
            settings = dataclasses.replace(settings, auth0=dataclasses.replace(settings.auth0, client_id="dev-client"))
        idp = IdentityProvider(
            issuer=settings.auth0.issuer, audience=settings.auth0.audience, client_id=settings.auth0.client_id or ""
        )
        dev_idp = DurableIdp(idp, PgIdpStore(settings.database.url))
    prometheus = PrometheusConfig(
        app_name="fluentpro-sidecar", prefix="fluentpro", group_path=True, exclude=["/metrics"]
    )
    handlers: list[object] = routes.discover()  # /metrics among them (sidecar/routes/metrics.py)
    if dev_idp is not None:
        handlers.append(idp_router(dev_idp.idp, DEV_IDP_PATH, run=dev_idp.run))
    origins = list(settings.http.cors_allow_origins)
    app = Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        lifespan=[make_lifespan(settings, dev_idp)],
        dependencies={"claims": Provide(provide_claims), "pool": Provide(provide_pool, sync_to_thread=False)},
        exception_handlers=exception_handlers(),
        request_class=JsonBodyRequest,  # JSON it cannot read is a 400 problem, on every route
        middleware=[prometheus.middleware],
        cors_config=CORSConfig(allow_origins=origins, allow_credentials=False) if origins else None,
        openapi_config=OpenAPIConfig(
            title="FluentPro sidecar",
            version="0.1.0",
            description="Token exchange, native sign-in, and the endpoints that act as the user.",
            path="/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        logging_config=None,
        debug=False,
    )
    # Outermost, around Litestar's router itself: unknown routes and CORS preflights get an id and a log line too.
    app.asgi_handler = RequestIdMiddleware(app.asgi_handler, access=settings.http.access_log)
    # Outermost of all: every layer sees the client's address as far as it can be trusted (X-Forwarded-For
    # is believed only from the proxies in FORWARDED_ALLOW_IPS).
    app.asgi_handler = ClientAddressMiddleware(app.asgi_handler, TrustedProxies(settings.http.trusted_proxies))
    app.state.settings = settings
    app.state.token_keys = TokenKeys(settings.tokens)
    app.state.idp = dev_idp.idp if dev_idp is not None else None
    app.state.dev_idp = dev_idp
    return app


def app_from_env() -> Litestar:
    """The ASGI factory uvicorn calls (`sidecar.app:app_from_env`, factory=True)."""
    settings = Settings.from_env()
    configure_logging(settings.http.log_level)
    return create_app(settings)
