"""Shared helpers for the onboarding tests: users, catalogue roles and table snapshots."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.database import TestDatabase
from tests.support.users import create_user

# Everything a learner's onboarding writes, for "nothing was written" checks.
SNAPSHOT_SQL = """
select jsonb_build_object(
  'onboardings', (select coalesce(jsonb_agg(to_jsonb(o) - 'updated_at' order by o.profile_id), '[]')
                  from app.onboardings o),
  'partners', (select coalesce(jsonb_agg(to_jsonb(p) order by p.profile_id, p.priority), '[]')
               from app.onboarding_partners p),
  'situations', (select coalesce(jsonb_agg(to_jsonb(s) order by s.profile_id, s.communication_partner_id, s.priority),
                 '[]') from app.onboarding_partner_situations s),
  'steps', (select count(*) from app.onboarding_steps),
  'job_roles', (select count(*) from app.job_roles),
  'messages', (select count(*) from realtime.messages),
  'jobs', (select count(*) from private.job_outbox)
)::text
"""


async def snapshot(db: TestDatabase) -> str:
    async with db.owner() as conn:
        return str(await conn.fetchval(SNAPSHOT_SQL))


async def catalogue_role(db: TestDatabase, title: str = "Financial Analyst", **columns: Any) -> uuid.UUID:
    """A job role inserted as the owner: an active O*NET occupation unless columns say otherwise."""
    values: dict[str, Any] = {
        "title": title,
        "description": f"{title} does the work of a {title.lower()}.",
        "source": "onet",
        "status": "active",
        "onet_code": f"99-{abs(hash(title)) % 10000:04d}.00",  # no O*NET code starts with 99
    }
    values.update(columns)
    names = ", ".join(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    async with db.owner() as conn:
        role_id: uuid.UUID = await conn.fetchval(
            f"insert into app.job_roles ({names}) values ({placeholders}) returning job_role_id", *values.values()
        )
    return role_id


async def onboard_basics(db: TestDatabase, user: uuid.UUID, role_id: uuid.UUID) -> dict[str, Any]:
    client = db.as_user(user)
    for name, args in [
        ("set_native_language", {"native_language": "english"}),
        ("set_industry", {"industry": "banking_finance"}),
        ("select_job_role", {"job_role_id": str(role_id)}),
    ]:
        response = await client.rpc(name, args)
        assert response.status == 200, (name, response.body)
    return dict(response.body)


__all__ = ["catalogue_role", "create_user", "onboard_basics", "snapshot"]
