"""Realtime channel authorization for SQL tests: the local Realtime's own check
(localapi/realtime/authorization.py, which decides as the Supabase Realtime service does), reduced
to whether a user may read (join and hear broadcasts) and write (send) on a topic; and the
broadcasts realtime.send has stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from localapi.realtime.authorization import channel_access as realtime_channel_access

from .database import TestDatabase


@dataclass(frozen=True, slots=True)
class ChannelAccess:
    read: bool
    write: bool


async def channel_access(db: TestDatabase, claims: dict[str, Any] | None, topic: str) -> ChannelAccess:
    async with db.owner() as conn:
        access = await realtime_channel_access(conn, claims, topic)
    return ChannelAccess(read=access.broadcast_read, write=access.write)


async def sent_messages(db: TestDatabase, topic: str) -> list[dict[str, Any]]:
    """Every broadcast sent to a topic so far, oldest first: event and payload."""
    async with db.owner() as conn:
        rows = await conn.fetch(
            "select event, payload from realtime.messages where topic = $1 order by inserted_at, id", topic
        )
    return [{"event": r["event"], "payload": json.loads(r["payload"]) if r["payload"] else None} for r in rows]
