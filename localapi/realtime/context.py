"""What every socket of one server shares: token verification, the authorization pool, the hub, limits."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from .hub import Hub
from .tokens import VerifyToken

MAX_FRAME_BYTES = 5 * 1024 * 1024  # Realtime's websocket frame limit
MAX_CHANNELS_PER_SOCKET = 100  # Realtime's default
IDLE_TIMEOUT_SECONDS = 60.0  # Phoenix drops a socket that sent nothing (not even a heartbeat) this long
TOKEN_RECHECK_SECONDS = 300.0  # Realtime re-checks a joined channel's token at least this often
OUTBOX_LIMIT = 10_000  # frames queued for one client before it is dropped as too slow
# ... or bytes: realtime.send rows may be large (Realtime drops rows over 3000 KB), so a count alone
# would let one stalled client hold gigabytes.
OUTBOX_BYTES_LIMIT = 32 * 1024 * 1024


@dataclass
class Limits:
    max_frame_bytes: int = MAX_FRAME_BYTES
    max_channels: int = MAX_CHANNELS_PER_SOCKET
    idle_timeout_seconds: float = IDLE_TIMEOUT_SECONDS
    token_recheck_seconds: float = TOKEN_RECHECK_SECONDS
    outbox_limit: int = OUTBOX_LIMIT
    outbox_bytes_limit: int = OUTBOX_BYTES_LIMIT
    # Realtime waits 5 s before a join's error reply (it slows clients' rejoin loops); locally no wait
    # by default, so refusals show at once in development and tests.
    join_error_delay_seconds: float = 0.0


@dataclass
class RealtimeContext:
    verify_token: VerifyToken
    pool: asyncpg.Pool
    hub: Hub
    limits: Limits
