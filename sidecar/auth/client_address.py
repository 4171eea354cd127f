"""The client's address, as far as it can be trusted: the peer, or what trusted proxies say about it.

Each proxy appends the address it received the request from to X-Forwarded-For, so the entries can be
believed only from the right: the right-most is written by the proxy that connected to us, the next by
the proxy before it, and so on. Walking from the right past the addresses of our own proxies
(FORWARDED_ALLOW_IPS), the first address that is not one of them is the client. Everything to its left
came from the client itself and may be anything; the left-most entry in particular is whatever the
client chose to send, so a limit keyed on it limits no one.

The sign-in limit (address_limit.py) and the address told to Auth0 both read `scope["client"]`, which
this middleware sets, so they agree on one address. uvicorn's own proxy handling is off
(sidecar/serve.py): it trusts the left-most entry when told to trust every proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import ASGIApp, Receive, Scope, Send

from core.settings import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": {"http", "https"}, "websocket": {"ws", "wss"}}


def parse_address(text: str) -> IPAddress | None:
    """An address from a peer or an X-Forwarded-For entry (`1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`);
    None for anything else. IPv4 addresses seen through a dual-stack socket compare as IPv4."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class TrustedProxies:
    def __init__(self, networks: Iterable[IPNetwork]) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: Iterable[str]) -> str:
        """The right-most address that is not one of our proxies; the peer when it is not one of them."""
        nearest = parse_address(peer)
        if not self.trusts(nearest):
            return peer
        hops = [hop for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            address = parse_address(hop)
            if address is None:  # no proxy of ours writes that: stop at the last hop we trust
                break
            nearest = address
            if not self.trusts(address):
                break
        return str(nearest)


class ClientAddressMiddleware:
    """Sets scope["client"] (and the scheme a trusted proxy saw) before anything reads them."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in SCHEMES and client and self.proxies.trusts(parse_address(str(client[0]))):
            headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
            forwarded = [value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"]
            scope["client"] = (self.proxies.client(str(client[0]), forwarded), 0)
            proto = next(
                (value.decode("latin-1").strip().lower() for name, value in headers if name == b"x-forwarded-proto"),
                None,
            )
            if proto in SCHEMES[scope["type"]]:
                scope["scheme"] = proto
        await self.app(scope, receive, send)
