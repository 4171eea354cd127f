"""The sidecar fixtures (tests/sidecar/conftest.py), for the hostile-request tests here."""

from tests.sidecar.conftest import auth0, auth0_server, make_sidecar, sidecar

__all__ = ["auth0", "auth0_server", "make_sidecar", "sidecar"]
