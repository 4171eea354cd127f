"""Returning users' profiles (id, status, roles, last synced facts), so that their token exchanges need
no database round trip; kept coherent by PostgreSQL notifications.

Every change to a profile or to the roles it holds notifies `profile_changes` with the profile's id at
commit (migration 20261127010000). `ProfileChangeListener` LISTENs on its own connection and drops
that profile from the cache. The cache answers only while the listener is connected: when the
connection is lost (or stops answering its periodic probe) the cache is emptied and bypassed until
LISTEN is back, because notifications sent meanwhile are lost.

A suspension therefore stops new exchanges as soon as its notification arrives (milliseconds after the
commit), not at once; the tokens minted before it stay valid until they expire either way.

Writes still go through the one definer function (private.sync_auth0_profile): a token whose email,
name or verification differs from the cached facts is a miss, and is synced.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from prometheus_client import Counter, Gauge

from sidecar.auth.upstream import UpstreamIdentity
from sidecar.listening import ChannelListener

log = logging.getLogger("sidecar.auth.profile_cache")
CHANNEL = "profile_changes"
APPLICATION_NAME = "fluentpro-profile-listener"  # how the LISTEN session shows in pg_stat_activity

# Process-wide, on /metrics: the hit rate, and whether the cache is bypassed (its LISTEN session is down).
LOOKUPS = Counter(
    "fluentpro_profile_cache_lookups",
    "Token exchanges by what the profile cache answered: hit, miss, or bypassed (LISTEN session down)",
    ["result"],
)
HITS, MISSES, BYPASSED = (LOOKUPS.labels(result) for result in ("hit", "miss", "bypassed"))
LIVE = Gauge("fluentpro_profile_cache_live", "1 while the profile cache answers (its LISTEN session is up)")


@dataclass(frozen=True, slots=True)
class KnownProfile:
    """What an exchange needs of a profile, and the facts it was last synced with."""

    profile_id: uuid.UUID
    status: str
    roles: tuple[str, ...]
    synced: UpstreamIdentity

    def matches(self, identity: UpstreamIdentity) -> bool:
        """The token says nothing the profile does not already hold (a fact it lacks is kept, as in the sync)."""
        synced = self.synced
        return (
            identity.email is None or (identity.email, identity.email_verified) == (synced.email, synced.email_verified)
        ) and (identity.name is None or identity.name == synced.name)


class ProfileCache:
    """A bounded LRU map from Auth0 subject to KnownProfile, served only while `live`."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, KnownProfile] = OrderedDict()
        self._subjects: dict[uuid.UUID, str] = {}
        self._generation = 0  # bumped by every invalidation: a read older than it may be stale
        self.live = False

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, identity: UpstreamIdentity) -> KnownProfile | None:
        if not self.live:
            BYPASSED.inc()
            return None
        known = self._entries.get(identity.subject)
        if known is None or not known.matches(identity):
            MISSES.inc()
            return None
        HITS.inc()
        self._entries.move_to_end(identity.subject)
        return known

    @property
    def generation(self) -> int:
        """Taken before reading a profile from the database, handed back to `put`."""
        return self._generation

    def put(self, known: KnownProfile, read_at_generation: int) -> None:
        """Keep a profile read from the database, unless an invalidation arrived since it was read."""
        if not self.live or self.max_entries <= 0 or read_at_generation != self._generation:
            return
        subject = known.synced.subject
        self._entries[subject] = known
        self._entries.move_to_end(subject)
        self._subjects[known.profile_id] = subject
        while len(self._entries) > self.max_entries:
            _, evicted = self._entries.popitem(last=False)
            self._subjects.pop(evicted.profile_id, None)

    def invalidate(self, profile_id: uuid.UUID) -> None:
        self._generation += 1
        subject = self._subjects.pop(profile_id, None)
        if subject is not None:
            self._entries.pop(subject, None)

    def go_live(self) -> None:
        """LISTEN is (again) in place: start from nothing, since notifications may have been missed."""
        self.clear()
        self.live = True
        LIVE.set(1)

    def go_dark(self) -> None:
        """Notifications can no longer be trusted to arrive: forget everything and bypass the cache."""
        self.live = False
        LIVE.set(0)
        self.clear()

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()
        self._subjects.clear()


class ProfileChangeListener(ChannelListener):
    """Keeps the cache's LISTEN session (sidecar/listening.py): live while it is up, emptied on each change."""

    channel = CHANNEL
    application_name = APPLICATION_NAME

    def __init__(self, cache: ProfileCache, dsn: str, **timing: float) -> None:
        super().__init__(dsn, **timing)
        self.cache = cache

    def start(self) -> None:
        if self.cache.max_entries > 0:
            super().start()

    async def went_live(self) -> None:
        self.cache.go_live()

    def went_dark(self) -> None:
        self.cache.go_dark()

    def notified(self, payload: str) -> None:
        try:
            profile_id = uuid.UUID(payload)
        except ValueError:
            self.cache.clear()  # not ours to interpret: be safe
            return
        self.cache.invalidate(profile_id)
