"""Realtime channel authorization, checked the way Realtime checks it (supabase/realtime authorization.ex).

In one transaction on a privileged connection: insert a probe row for the topic, switch to the
user's role, claims and topic, see whether the probe is visible (read) and whether an insert passes
(write), then roll everything back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .database import TestDatabase


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    read: bool
    write: bool


async def channel_access(db: TestDatabase, claims: dict[str, Any] | None, topic: str) -> ChannelAccess:
    role = (claims or {}).get("role", "anon")
    claims_json = json.dumps({**(claims or {}), "role": role})
    async with db.owner() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            probe = await conn.fetchval(
                "insert into realtime.messages (topic, extension, private, payload) "
                "values ($1, 'broadcast', true, '{}') returning id",
                topic,
            )
            await conn.execute(
                "select set_config('role', $1, true), set_config('realtime.topic', $2, true), "
                "set_config('request.jwt.claims', $3, true), set_config('request.jwt.claim.sub', $4, true), "
                "set_config('request.jwt.claim.role', $1, true), set_config('request.headers', '{}', true)",
                role,
                topic,
                claims_json,
                str((claims or {}).get("sub", "")),
            )
            read = bool(await conn.fetchval("select exists (select from realtime.messages where id = $1)", probe))
            write = True
            try:
                async with conn.transaction():  # a savepoint, as Realtime's write check
                    await conn.execute(
                        "insert into realtime.messages (topic, extension, private) values ($1, 'broadcast', true)",
                        topic,
                    )
            except Exception:
                write = False
        finally:
            await tx.rollback()
    return ChannelAccess(read=read, write=write)


async def sent_messages(db: TestDatabase, topic: str) -> list[dict[str, Any]]:
    """Every broadcast sent to a topic so far, oldest first: event and payload."""
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select event, payload from realtime.messages where topic = $1 order by inserted_at, id", topic
        )
    return [{"event": r["event"], "payload": json.loads(r["payload"]) if r["payload"] else None} for r in rows]
