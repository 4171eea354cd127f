"""The client's address: X-Forwarded-For read from the right, believed only from our own proxies."""

from __future__ import annotations

import ipaddress

import pytest

from core.settings import Settings, SettingsError
from sidecar.auth.client_address import TrustedProxies, parse_address
from tests.sidecar.settings_env import cleared, production

PROXIES = TrustedProxies([ipaddress.ip_network("10.0.0.0/8")])


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert TrustedProxies([]).client("10.0.0.2", ["198.51.100.1"]) == "10.0.0.2"


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("10.0.0.2", ["203.0.113.7"], "203.0.113.7"),  # one proxy: what it saw
        ("10.0.0.2", ["198.51.100.1, 203.0.113.7"], "203.0.113.7"),  # the client's own entry is ignored
        ("10.0.0.2", ["198.51.100.1", "203.0.113.7, 10.0.0.9"], "203.0.113.7"),  # two proxies, two header lines
        ("10.0.0.2", ["evil, 203.0.113.7"], "203.0.113.7"),  # garbage left of the client does not matter
        ("10.0.0.2", ["203.0.113.7, not-an-address"], "10.0.0.2"),  # no proxy of ours wrote that: stop there
        ("10.0.0.2", ["10.0.0.5"], "10.0.0.5"),  # a client inside our own network
        ("10.0.0.2", [], "10.0.0.2"),  # a proxy calling us itself (health checks)
        ("10.0.0.2", ["203.0.113.7:4321"], "203.0.113.7"),
        ("10.0.0.2", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("::ffff:10.0.0.2", ["203.0.113.7"], "203.0.113.7"),  # IPv4 through a dual-stack socket
        ("192.0.2.1", ["198.51.100.1"], "192.0.2.1"),  # not our proxy: its header is not believed
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_the_client_is_the_right_most_untrusted_hop(peer: str, forwarded_for: list[str], client: str) -> None:
    assert PROXIES.client(peer, forwarded_for) == client


def test_addresses_are_read_with_or_without_ports() -> None:
    assert parse_address(" 203.0.113.7 ") == ipaddress.ip_address("203.0.113.7")
    assert parse_address("::1") == ipaddress.ip_address("::1")
    assert parse_address("[::1") is None
    assert parse_address("unknown") is None


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return cleared(monkeypatch)


def test_no_proxy_is_trusted_unless_listed(env: pytest.MonkeyPatch) -> None:
    production(env)
    assert Settings.from_env().http.trusted_proxies == ()
    env.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8, 192.0.2.10, fd00::/8")
    trusted = Settings.from_env().http.trusted_proxies
    assert [str(network) for network in trusted] == ["10.0.0.0/8", "192.0.2.10/32", "fd00::/8"]


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("*", "not '\\*'"),
        ("0.0.0.0/0", "not a share of the internet"),
        ("::/0", "not a share of the internet"),
        ("10.0.0.0/8, 64.0.0.0/2", "not a share of the internet"),
        ("10.0.0.5/8", "IP addresses or CIDR networks"),
        ("lb.internal", "IP addresses or CIDR networks"),
    ],
)
def test_trusting_everyone_or_nonsense_is_refused(env: pytest.MonkeyPatch, value: str, complaint: str) -> None:
    production(env, FORWARDED_ALLOW_IPS=value)
    with pytest.raises(SettingsError, match=f"FORWARDED_ALLOW_IPS .*{complaint}"):
        Settings.from_env()
