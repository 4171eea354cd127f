"""`fluentpro serve` refuses, before binding, to serve the development identity provider beyond loopback."""

from __future__ import annotations

import pytest

from core.settings import Settings, SettingsError
from sidecar.serve import refuse_dev_idp_beyond_loopback
from tests.sidecar.settings_env import cleared


@pytest.fixture
def development(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    env = cleared(monkeypatch)
    env.setenv("FLUENTPRO_ENV", "development")  # no AUTH0_DOMAIN: the dev identity provider is served
    return env


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "dev.example.test"])
def test_the_dev_idp_is_refused_on_a_reachable_address(development: pytest.MonkeyPatch, host: str) -> None:
    with pytest.raises(SettingsError, match="loopback only"):
        refuse_dev_idp_beyond_loopback(Settings.from_env(), host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_serves_it(development: pytest.MonkeyPatch, host: str) -> None:
    refuse_dev_idp_beyond_loopback(Settings.from_env(), host)


def test_with_an_auth0_tenant_any_address_is_fine(development: pytest.MonkeyPatch) -> None:
    development.setenv("AUTH0_DOMAIN", "fluentpro.eu.auth0.com")
    development.setenv("AUTH0_AUDIENCE", "https://api.fluentpro.app")
    refuse_dev_idp_beyond_loopback(Settings.from_env(), "0.0.0.0")
