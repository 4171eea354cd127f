"""The sidecar application: `create_app(settings)` builds Litestar with its routes, error mapper,
logs, metrics, CORS and docs; its lifespan builds every long-lived client from those settings
(sidecar/services.py) and the handlers receive them by dependency injection.

In development without an Auth0 tenant, the dev identity provider (its state kept in PostgreSQL) is
mounted under DEV_IDP_PATH and seeded with the demo users at each start.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import REGISTRY

from core.settings import Environment, Settings
from sidecar import routes
from sidecar.auth.client_address import ClientAddressMiddleware, TrustedProxies
from sidecar.auth.guard import provide_claims
from sidecar.devidp import DEV_IDP_PATH as DEV_IDP_PATH  # re-exported: tests reach the dev IdP by it
from sidecar.devidp.core import IdentityProvider
from sidecar.devidp.demo import seed_demo_users
from sidecar.devidp.durable import DurableIdp
from sidecar.devidp.routes import idp_router
from sidecar.devidp.store import PgIdpStore
from sidecar.errors import exception_handlers
from sidecar.observability import RequestIdMiddleware, configure_logging
from sidecar.queue_metrics import OutboxCollector
from sidecar.request_body import JsonBodyRequest
from sidecar.services import DEPENDENCIES, STATE_KEY, open_services


def make_lifespan(
    settings: Settings, dev_idp: DurableIdp | None
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Queue health (outbox rows, lag, NOTIFY backlog) on /metrics, read at scrape time.
        queue_metrics = OutboxCollector(settings.database.url)
        registered = register_once(queue_metrics)
        try:
            async with open_services(settings, dev_idp) as services:
                app.state[STATE_KEY] = services
                if dev_idp is not None and settings.environment is Environment.DEVELOPMENT:
                    await seed_demo_users(dev_idp, services.exchanger)
                yield
        finally:
            app.state.pop(STATE_KEY, None)
            if dev_idp is not None:
                await dev_idp.close()
            if registered:
                REGISTRY.unregister(queue_metrics)

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
        dependencies={**DEPENDENCIES, "claims": Provide(provide_claims)},
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
    return app


def app_from_env() -> Litestar:
    """The ASGI factory uvicorn calls (`sidecar.app:app_from_env`, factory=True)."""
    settings = Settings.from_env()
    configure_logging(settings.http.log_level)
    return create_app(settings)
