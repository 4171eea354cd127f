"""Private-channel authorization as Realtime decides it: RLS on realtime.messages, per topic.

In one transaction on a privileged connection: insert a probe row per extension for the topic, switch
to the token's role with its claims, the topic and the request headers set as Realtime sets them, see
which probes are visible (read), try an insert under a savepoint (write), then roll everything back,
so no probe is ever committed or delivered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    broadcast_read: bool
    presence_read: bool
    write: bool

    def may_join(self, *, presence: bool) -> bool:
        """Realtime joins a private channel when broadcasts, or presence when enabled, may be read."""
        return self.broadcast_read or (presence and self.presence_read)


async def channel_access(
    conn: asyncpg.Connection,
    claims: dict[str, Any] | None,
    topic: str,
    *,
    headers: dict[str, str] | None = None,
) -> ChannelAccess:
    role = str((claims or {}).get("role") or "anon")
    transaction = conn.transaction()
    await transaction.start()
    try:
        probes = await conn.fetch(
            "insert into realtime.messages (topic, extension, private, payload) "
            "select $1, extension, true, '{}' from unnest(array['broadcast', 'presence']) as extension "
            "returning id, extension",
            topic,
        )
        await conn.execute(
            "select set_config('role', $1, true), set_config('realtime.topic', $2, true), "
            "set_config('request.jwt.claims', $3, true), set_config('request.jwt.claim.sub', $4, true), "
            "set_config('request.jwt.claim.role', $1, true), set_config('request.headers', $5, true)",
            role,
            topic,
            json.dumps({**(claims or {}), "role": role}),
            str((claims or {}).get("sub", "")),
            json.dumps(headers or {}),
        )
        visible = {
            row["extension"]
            for row in await conn.fetch(
                "select extension from realtime.messages where id = any($1::uuid[])", [p["id"] for p in probes]
            )
        }
        write = True
        try:
            async with conn.transaction():  # a savepoint, as Realtime's write check
                await conn.execute(
                    "insert into realtime.messages (topic, extension, private) values ($1, 'broadcast', true)", topic
                )
        except asyncpg.PostgresError:
            write = False
    finally:
        await transaction.rollback()  # the probes and the role switch go; only the answer stays
    return ChannelAccess(broadcast_read="broadcast" in visible, presence_read="presence" in visible, write=write)
