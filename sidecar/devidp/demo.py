"""Demo users of the development stack: one per kind of person the product serves, with known passwords.

They are the dev IdP's named users (`<name>@example.com`, subject `auth0|dev-<name>`), so the
`urn:fluentpro:dev-user` grant with `username=admin` signs in the same admin as the password grant.
The sidecar creates them when its dev IdP starts (development only: the dev IdP exists nowhere else),
each time idempotently: the IdP user with its password, the profile through the token exchange's own
sync, and the application roles granted as a seed would (by the role of DATABASE_URL, like the IdP's
own tables: the first admin cannot be made by an admin). Their passwords are public on purpose and
work against the dev IdP alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sidecar.auth.exchange import Exchanger
    from sidecar.devidp.durable import DurableIdp

log = logging.getLogger("sidecar.devidp")


@dataclass(frozen=True, slots=True)
class DemoUser:
    name: str  # the dev-user grant's username
    full_name: str
    password: str
    roles: tuple[str, ...]  # application roles (app.roles), learner included as every profile has it

    @property
    def email(self) -> str:
        return f"{self.name}@example.com"

    @property
    def subject(self) -> str:
        return f"auth0|dev-{self.name}"


# One password for all, easy to type; it also meets the sign-up policy (sidecar/auth/passwords.py).
DEMO_PASSWORD = "Demo-pass-2026!"  # noqa: S105 (public, development only)
DEMO_USERS = (
    DemoUser("learner", "Lena Learner", DEMO_PASSWORD, ("learner",)),
    DemoUser("reviewer", "Rico Reviewer", DEMO_PASSWORD, ("job_role_reviewer", "learner")),
    DemoUser("admin", "Ada Admin", DEMO_PASSWORD, ("admin", "learner")),
)
GRANT_ROLES = """
insert into app.profile_roles (profile_id, role_id)
select $1, role_id from unnest($2::text[]) as role_id
on conflict do nothing
"""


async def seed_demo_users(durable: DurableIdp, exchanger: Exchanger) -> None:
    """Create or restore each demo user, their profile and roles; a failure is logged, never fatal (the
    database may be down, or not migrated yet: the next start tries again)."""
    from sidecar.auth.upstream import UpstreamIdentity
    from sidecar.devidp.durable import UNAVAILABLE
    from sidecar.devidp.routes import IdpUnavailable

    try:
        for demo in DEMO_USERS:
            ensure = partial(durable.idp.ensure_user, demo.email, demo.password, demo.full_name, subject=demo.subject)
            user = await durable.run(ensure)
            identity = UpstreamIdentity(subject=user.subject, email=user.email, email_verified=True, name=user.name)
            profile, _ = await exchanger.sync(identity)
            pool = await durable.store.connections()
            await pool.execute(GRANT_ROLES, profile.profile_id, list(demo.roles))
            # The grant's NOTIFY would drop it too, but not before a sign-in right after start-up.
            exchanger.profiles.invalidate(profile.profile_id)
    except (IdpUnavailable, *UNAVAILABLE) as exc:
        log.warning("demo users not seeded (is the database up and migrated?)", extra={"error": repr(exc)})
        return
    log.info("demo users ready", extra={"emails": [demo.email for demo in DEMO_USERS]})
