"""Commit-to-client delivery: from the sender's COMMIT to the broadcast read off each client's socket.

Clients are joined websockets (vsn 1.0.0, as realtime-py), each on its own learner's private topic.
A round is one transaction sending one broadcast to every client's topic; the clock starts right
before its COMMIT and stops as each client reads its frame; the next round starts when all have.
The baseline is the direct LISTEN/NOTIFY round trip of the same commits: a plain asyncpg connection
of this process LISTENs on the channel the compat trigger NOTIFYs, and each notification is timed
from the same start. So both include the commit itself (a WAL flush, as the broadcast writes a row),
and the ratio is what the server adds: reading the rows, the fan-out, the websocket hop.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import asyncpg

from bench.realtime.stack import Stack
from localapi.realtime.listener import CHANNEL

HEARTBEAT_SECONDS = 20  # under the server's 60 s idle limit, as the clients' 25 s


class Clients:
    """Joined sockets; `round(seq)` waits until every one has read broadcast `seq`."""

    def __init__(self) -> None:
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self._arrivals: list[float] = []
        self._expected = 0
        self._seq = -1
        self._complete = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def expect(self, seq: int) -> None:
        self._seq, self._arrivals, self._complete = seq, [], asyncio.Event()
        self._expected = len(self.sockets)

    async def arrivals(self) -> list[float]:
        await self._complete.wait()
        return self._arrivals

    def listen(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.sockets.append(ws)
        self._tasks.append(asyncio.create_task(self._read(ws)))
        self._tasks.append(asyncio.create_task(_heartbeat(ws)))

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            frame = json.loads(message.data)
            if frame["event"] == "broadcast" and frame["payload"]["payload"]["seq"] == self._seq:
                self._arrivals.append(time.perf_counter())
                if len(self._arrivals) == self._expected:
                    self._complete.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for ws in self.sockets:
            await ws.close()


async def _heartbeat(ws: aiohttp.ClientWebSocketResponse) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        await ws.send_str(json.dumps({"topic": "phoenix", "event": "heartbeat", "payload": {}, "ref": "hb"}))


async def _join(session: aiohttp.ClientSession, stack: Stack, learner: uuid.UUID) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(stack.socket_url(learner))
    topic = f"realtime:user:{learner}"
    config = {"broadcast": {"ack": False, "self": False}, "presence": {"enabled": False}, "private": True}
    await ws.send_str(json.dumps({"topic": topic, "event": "phx_join", "payload": {"config": config}, "ref": "1"}))
    reply = json.loads((await ws.receive()).data)
    if reply["payload"]["status"] != "ok":
        raise RuntimeError(f"join refused: {reply['payload']}")
    return ws


@asynccontextmanager
async def joined(stack: Stack, learners: list[uuid.UUID]) -> AsyncIterator[Clients]:
    clients = Clients()
    # limit=0: every websocket holds its connection, and aiohttp's default pool stops at 100.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        try:
            for start in range(0, len(learners), 20):
                for ws in await asyncio.gather(*(_join(session, stack, u) for u in learners[start : start + 20])):
                    clients.listen(ws)
            yield clients
        finally:
            await clients.close()


class NotifyProbe:
    """A direct listener on the channel the server listens on: when each notification arrives here."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._arrivals: list[float] = []
        self._expected = 0
        self._complete = asyncio.Event()

    async def start(self) -> None:
        await self.conn.add_listener(CHANNEL, self._on_notify)

    def expect(self, count: int) -> None:
        self._arrivals, self._expected, self._complete = [], count, asyncio.Event()

    def _on_notify(self, *_args: object) -> None:
        self._arrivals.append(time.perf_counter())
        if len(self._arrivals) == self._expected:
            self._complete.set()

    async def arrivals(self) -> list[float]:
        await self._complete.wait()
        return self._arrivals


async def delivery_round(
    sender: asyncpg.Connection, clients: Clients, probe: NotifyProbe, topics: list[str], seq: int
) -> tuple[list[float], list[float]]:
    """One commit of a broadcast to each topic: (seconds to each client, seconds to each notification)."""
    clients.expect(seq)
    probe.expect(len(topics))
    async with sender.transaction():
        await sender.execute(
            "select realtime.send(jsonb_build_object('seq', $1::int), 'bench', topic) from unnest($2::text[]) as topic",
            seq,
            topics,
        )
        started = time.perf_counter()
    delivered, notified = await clients.arrivals(), await probe.arrivals()
    return [t - started for t in delivered], [t - started for t in notified]
