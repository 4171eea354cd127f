"""`fluentpro serve`: the sidecar under uvicorn."""

from __future__ import annotations

import ipaddress

import uvicorn

from core.settings import Settings, SettingsError


def serve(host: str, port: int) -> int:
    try:
        settings = Settings.from_env()  # refuse a bad configuration before binding the port, with a clear message
        refuse_dev_idp_beyond_loopback(settings, host)
    except SettingsError as exc:
        print(f"fluentpro serve: {exc}")
        return 2
    uvicorn.run(
        "sidecar.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        access_log=False,  # our middleware logs each request as JSON with its request id
        log_config=None,
        # The app finds the client's address itself (sidecar/auth/client_address.py): uvicorn's proxy handling
        # would first replace the peer, trusting 127.0.0.1 by default and the left-most entry under '*'.
        proxy_headers=False,
        server_header=False,
    )
    return 0


def refuse_dev_idp_beyond_loopback(settings: Settings, host: str) -> None:
    """The development identity provider signs anyone in as the demo admin (public passwords, and a
    grant that needs none), so it is served to this machine only: a development sidecar that another
    host could reach would hand out admin tokens. With an Auth0 tenant configured there is no dev IdP."""
    if not settings.auth0.dev_idp:
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost: it may resolve to any interface
        loopback = False
    if not loopback:
        raise SettingsError(
            f"the development identity provider is served on loopback only, not on {host!r}: "
            "listen on 127.0.0.1 (HOST), or configure an Auth0 tenant (AUTH0_DOMAIN)"
        )
