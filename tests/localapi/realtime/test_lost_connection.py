"""A client that vanishes mid-send, or stops reading, costs the server one bounded socket and no error.

The websocket here is a stand-in for the network end only (a peer cannot be made to vanish between
two writes, or to stop reading, on cue over real TCP); the socket, its queue and its close are real.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import pytest
from aiohttp import ClientConnectionResetError, WSCloseCode

from localapi.realtime import Limits
from localapi.realtime import socket as realtime_socket
from localapi.realtime.context import RealtimeContext
from localapi.realtime.hub import Hub
from localapi.realtime.socket import RealtimeSocket
from tests.localapi.realtime.conftest import verify_token
from tests.localapi.realtime.wire import HANG_GUARD_SECONDS


async def never() -> None:
    await asyncio.Event().wait()


async def vanished() -> None:
    raise ClientConnectionResetError("Cannot write to closing transport")


class PeerEnd:
    """The server's view of one websocket: the client sends nothing; `write` is what each send meets."""

    close_code = None

    def __init__(self, write: Any, *, close_blocks: bool = False) -> None:
        self.write, self.close_blocks = write, close_blocks
        self.closed_with: tuple[int, bytes] | None = None

    async def receive(self, **_options: Any) -> Any:
        await never()

    async def send_str(self, _data: str) -> None:
        await self.write()

    async def send_bytes(self, _data: bytes) -> None:
        await self.write()

    async def close(self, *, code: int, message: bytes) -> bool:
        self.closed_with = (code, message)
        if self.close_blocks:  # a close frame stuck behind the unread ones
            await never()
        return True


def socket_on(peer: PeerEnd, limits: Limits) -> RealtimeSocket:
    # No join happens here, so the authorization pool is never used.
    ctx = RealtimeContext(verify_token, cast(Any, None), Hub(), limits)
    return RealtimeSocket(cast(Any, peer), ctx, vsn="1.0.0", api_key="", headers={})


async def test_a_client_gone_mid_send_ends_its_socket_quietly(caplog: pytest.LogCaptureFixture) -> None:
    peer = PeerEnd(vanished)
    socket = socket_on(peer, Limits())
    socket.send_encoded('{"event":"broadcast"}')
    with caplog.at_level(logging.ERROR, logger="localapi.realtime"):
        await asyncio.wait_for(socket.run(), HANG_GUARD_SECONDS)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert peer.closed_with is not None and peer.closed_with[0] == WSCloseCode.GOING_AWAY


async def test_a_client_that_stops_reading_is_dropped_once_its_queue_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(realtime_socket, "CLOSE_SECONDS", 0.1)
    peer = PeerEnd(never, close_blocks=True)
    socket = socket_on(peer, Limits(outbox_limit=3))
    running = asyncio.create_task(socket.run())
    for n in range(10):  # the writer holds at most one; the queue takes three; the rest overflow it
        socket.send_encoded(f'{{"n":{n}}}')
    await asyncio.wait_for(running, HANG_GUARD_SECONDS)  # returns although the close never completes
    assert peer.closed_with == (WSCloseCode.TRY_AGAIN_LATER, b"the client is not reading its messages fast enough")


async def test_a_client_that_stops_reading_large_frames_is_dropped_before_they_add_up() -> None:
    peer = PeerEnd(never)
    socket = socket_on(peer, Limits(outbox_bytes_limit=10_000))
    running = asyncio.create_task(socket.run())
    for _ in range(10):  # far under the frame count, four times over the byte limit
        socket.send_encoded("x" * 4_000)
    await asyncio.wait_for(running, HANG_GUARD_SECONDS)
    assert peer.closed_with == (WSCloseCode.TRY_AGAIN_LATER, b"the client is not reading its messages fast enough")
