"""GET /metrics: Prometheus exposition, behind a bearer token when METRICS_TOKEN is set.

Production refuses to start without the token (settings_checks): queue depths, cache hit rates and
request counts describe the service to whoever reads them, so they are for the operators' scraper.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusController

from sidecar.errors import ProblemError
from sidecar.services import services_of


async def require_metrics_token(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    expected = services_of(connection.app.state).settings.http.metrics_token
    if expected is None:
        return
    scheme, _, presented = (connection.headers.get("authorization") or "").partition(" ")
    # Compared in constant time: the comparison must not tell a guesser how much of the token is right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise ProblemError(
            "metrics.unauthorized",
            "Metrics need the scraper's bearer token.",
            401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


class MetricsController(PrometheusController):
    guards = [require_metrics_token]
    include_in_schema = False
