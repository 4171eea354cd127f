"""`fluentpro serve`: the sidecar under uvicorn."""

from __future__ import annotations

import uvicorn

from sidecar.settings import Settings, SettingsError


def serve(host: str, port: int) -> int:
    try:
        Settings.from_env()  # refuse a bad configuration before binding the port, with a clear message
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
