"""The token exchange itself: verify the Auth0 token, sync the profile, refuse suspension, mint ours.

Shared by `POST /v1/auth/token` and the native-app wrappers (login, signup, refresh), so every path
to a Supabase JWT goes through the same checks. A returning user whose token brings no new facts is
answered from the profile cache (profile_cache.py), without a database round trip.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from core.db.statement_pool import StatementPool
from sidecar.auth.auth0_client import Auth0Client
from sidecar.auth.profile_cache import KnownProfile, ProfileCache
from sidecar.auth.tokens import MintedToken, TokenKeys
from sidecar.auth.upstream import Auth0Verifier, UpstreamIdentity, identity_from
from sidecar.errors import ProblemError

log = logging.getLogger("sidecar.auth.exchange")
SYNC = "select private.sync_auth0_profile($1, $2, $3, $4)"


@dataclass(frozen=True, slots=True)
class Exchanger:
    pool: StatementPool  # sessions as service_role (Services.service_pool)
    verifier: Auth0Verifier
    keys: TokenKeys
    auth0: Auth0Client
    profiles: ProfileCache

    async def exchange(self, auth0_access_token: str) -> MintedToken:
        claims = await self.verifier.verify(auth0_access_token)
        identity = identity_from(claims)
        profile = self.profiles.get(identity)
        if profile is None:
            profile, created = await self.sync(identity)
            if created and identity.email is None:
                # Registration from a tenant whose tokens carry no profile facts: ask /userinfo once.
                identity = await self._with_userinfo(identity, auth0_access_token)
                if identity.email is not None:
                    profile, _ = await self.sync(identity)
        if profile.status != "active":
            raise ProblemError("auth.profile_suspended", "This account is suspended.", 403)
        return self.keys.mint(profile_id=profile.profile_id, auth0_subject=identity.subject, roles=profile.roles)

    async def sync(self, identity: UpstreamIdentity) -> tuple[KnownProfile, bool]:
        """Create or update the profile (one round trip as service_role, whose only right here is EXECUTE
        on the function), and remember it. Returns the profile and whether this created it."""
        generation = self.profiles.generation
        raw = await self.pool.fetchval(SYNC, identity.subject, identity.email, identity.email_verified, identity.name)
        result: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
        profile = KnownProfile(
            profile_id=uuid.UUID(str(result["profile_id"])),
            status=str(result["status"]),
            roles=tuple(str(role) for role in result["roles"]),
            synced=identity,
        )
        self.profiles.put(profile, generation)
        return profile, bool(result["created"])

    async def _with_userinfo(self, identity: UpstreamIdentity, token: str) -> UpstreamIdentity:
        try:
            info = await self.auth0.userinfo(token)
        except ProblemError as exc:
            log.warning("userinfo unavailable at registration", extra={"code": exc.code})
            return identity
        if info.get("sub") != identity.subject:
            return identity
        return identity_from({**info, "sub": identity.subject})
