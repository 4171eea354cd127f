"""Named test users: a profile (as the token exchange would create it) plus application roles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any


async def create_user(db: Any, name: str, *, roles: Sequence[str] = ()) -> uuid.UUID:
    """Insert the profile of `name` (auth0|<name>, <name>@example.com) and grant `roles`.

    Every profile holds `learner` (a trigger grants it); `roles` adds more. Runs as the owner.
    """
    async with db.owner() as conn:
        profile_id: uuid.UUID = await conn.fetchval(
            "insert into app.profiles (auth0_subject, email, email_verified, full_name) "
            "values ($1, $2, true, $3) returning profile_id",
            f"auth0|{name}",
            f"{name}@example.com",
            name.capitalize(),
        )
        for role in roles:
            await conn.execute(
                "insert into app.profile_roles (profile_id, role_id) values ($1, $2) on conflict do nothing",
                profile_id,
                role,
            )
    return profile_id
