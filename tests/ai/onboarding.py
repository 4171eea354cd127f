"""Walk a learner through onboarding with the real RPCs (as the PostgREST emulation calls them)."""

from __future__ import annotations

import uuid

from tests.support.database import TestDatabase


async def catalogue_role_id(db: TestDatabase, onet_code: str = "13-2051.00") -> uuid.UUID:
    async with db.owner() as conn:
        role_id = await conn.fetchval("select job_role_id from app.job_roles where onet_code = $1", onet_code)
        if role_id is None:  # seeds not loaded in this database: add the occupation
            role_id = await conn.fetchval(
                "insert into app.job_roles (onet_code, title, description, source, status) "
                "values ($1, 'Financial and Investment Analysts', 'Conduct quantitative analyses.', 'onet', 'active') "
                "returning job_role_id",
                onet_code,
            )
    return uuid.UUID(str(role_id))


async def complete_onboarding(
    db: TestDatabase, user: uuid.UUID, pairs: dict[str, list[str]], *, language: str = "chinese_traditional"
) -> None:
    """Language, industry, a catalogue role, partners in the dict's order with their situations, completion."""
    client = db.as_user(user)
    role_id = await catalogue_role_id(db)
    steps: list[tuple[str, dict[str, object]]] = [
        ("set_native_language", {"native_language": language}),
        ("set_industry", {"industry": "banking_finance"}),
        ("select_job_role", {"job_role_id": str(role_id)}),
    ]
    if pairs:
        steps.append(("set_communication_partners", {"partners": list(pairs)}))
        steps += [("set_partner_situations", {"partner": p, "situations": s}) for p, s in pairs.items()]
    steps.append(("complete_onboarding", {}))
    for name, args in steps:
        response = await client.rpc(name, args)
        assert response.status == 200, (name, response.body)
