"""Closed-loop load: N workers, each sending its next call when the last one answered, for a while.

Both paths run the same calls with the same concurrency: over HTTP to the local API (supabase-js's
request: POST /rest/v1/rpc/<fn>, apikey, bearer token, Content-Profile api), and on asyncpg
connections logged in as `authenticator`, with the transaction the local API runs for that call
(BEGIN, the set_config preamble, the call, COMMIT), built by the local API's own statement builders.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg

from localapi.rest.emulator import PostgrestEmulator
from localapi.rest.execute import preamble, with_response_settings
from localapi.rest.routines import call_query

Call = Callable[[int], Awaitable[None]]  # one call by worker i


@dataclass(frozen=True)
class Rpc:
    """An RPC and the arguments worker i sends on its n-th call."""

    name: str
    args: Callable[[int], dict[str, Any]]


async def closed_loop(call: Call, workers: int, seconds: float) -> tuple[int, float]:
    """Calls completed and the seconds they took."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(index: int) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call(index)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return done, time.perf_counter() - started


class HttpPath:
    """The local API over HTTP, one keep-alive connection per worker, as supabase-js sends the call."""

    def __init__(self, session: aiohttp.ClientSession, api_url: str, anon_key: str, tokens: list[str]) -> None:
        self.session = session
        self.api_url = api_url
        self.anon_key = anon_key
        self.tokens = tokens
        self.counts = [0] * len(tokens)

    def caller(self, rpc: Rpc) -> Call:
        async def call(index: int) -> None:
            self.counts[index] += 1
            headers = {
                "apikey": self.anon_key,
                "Authorization": f"Bearer {self.tokens[index]}",
                "Content-Profile": "api",
                "Content-Type": "application/json",
            }
            body = json.dumps(rpc.args(self.counts[index]))
            async with self.session.post(f"{self.api_url}/rest/v1/rpc/{rpc.name}", data=body, headers=headers) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(f"{rpc.name} over HTTP answered {r.status}: {await r.text()}")

        return call


class AsyncpgPath:
    """The same transactions on asyncpg connections as `authenticator`, one connection per worker."""

    def __init__(self, api: PostgrestEmulator, connections: list[asyncpg.Connection], users: list[uuid.UUID]) -> None:
        self.api = api
        self.connections = connections
        self.users = users
        self.counts = [0] * len(users)

    def caller(self, rpc: Rpc) -> Call:
        keys = frozenset(rpc.args(0))
        info = self.api.routine(rpc.name, keys)
        if info is None:
            raise RuntimeError(f"no function api.{rpc.name}({', '.join(sorted(keys))})")
        query = with_response_settings(call_query(info, keys))
        readonly = not info.volatile
        setups = [self._setup(user, rpc.name) for user in self.users]

        async def call(index: int) -> None:
            self.counts[index] += 1
            args = rpc.args(self.counts[index])
            conn = self.connections[index]
            async with conn.transaction(isolation="read_committed", readonly=readonly):
                await conn.execute(*setups[index])
                row = await conn.fetchrow(query, *([json.dumps(args)] if args else []))
            if row is None or row[0] is None:
                raise RuntimeError(f"{rpc.name} on asyncpg returned nothing")

        return call

    def _setup(self, user: uuid.UUID, name: str) -> list[Any]:
        client = self.api.as_user(user)
        ctx = client.context("POST", f"/rpc/{name}")
        return preamble(self.api.search_path, self.api.cache.role_settings.get(ctx.role, {}), ctx)
