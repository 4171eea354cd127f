"""The identity provider with its state kept in PostgreSQL (store.py): what the sidecar runs in development.

Every call goes through `run`: the state is loaded once (and again after a failed write), the call
runs on the in-memory state as in the tests' fake, and its changes are written before the answer
leaves, so an answer never promises what a restart would forget. A failed write reloads the state
from the database (the truth) and answers 503.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

import asyncpg

from core.db.connect import DatabaseUnavailable
from sidecar.devidp.changes import Change
from sidecar.devidp.core import IdentityProvider
from sidecar.devidp.routes import IdpUnavailable
from sidecar.devidp.store import PgIdpStore

log = logging.getLogger("sidecar.devidp")
T = TypeVar("T")
# What "the database cannot do this now" looks like; anything else is a bug and propagates.
UNAVAILABLE = (DatabaseUnavailable, OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class DurableIdp:
    def __init__(self, idp: IdentityProvider, store: PgIdpStore) -> None:
        self.idp = idp
        self.store = store
        self._loaded = False
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        """Load the stored state once; IdpUnavailable when the database cannot be read."""
        if self._loaded:
            return
        async with self._lock:
            if self._loaded:
                return
            try:
                snapshot = await self.store.load(default_key=self.idp.keys[0])
            except UNAVAILABLE as exc:
                log.warning("dev identity provider: its state cannot be loaded", extra={"error": repr(exc)})
                raise IdpUnavailable from exc
            self.idp.keys = snapshot.keys
            self.idp.users = snapshot.users
            self.idp.refresh_tokens = snapshot.refresh_tokens
            self.idp.journal = []
            self._loaded = True

    async def run(self, call: Callable[[], T]) -> T:
        await self.ready()
        assert self.idp.journal is not None
        try:
            return call()
        finally:
            # Taken at once, before any await: each call writes exactly its own changes (even when it
            # then refused, so memory and database never disagree).
            changes, self.idp.journal = self.idp.journal, []
            if changes:
                await self._save(changes)

    async def _save(self, changes: list[Change]) -> None:
        try:
            await self.store.apply(changes)
        except UNAVAILABLE as exc:
            log.warning("dev identity provider: a change could not be saved", extra={"error": repr(exc)})
            self._loaded = False  # memory may be ahead of the database: reload the truth next time
            raise IdpUnavailable from exc

    async def close(self) -> None:
        await self.store.close()
