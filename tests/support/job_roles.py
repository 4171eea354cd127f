"""Custom job roles as onboarding submits them, for the tests of who may see and find them."""

from __future__ import annotations

import uuid

from tests.support.database import TestDatabase


async def submit_custom_role(db: TestDatabase, author: uuid.UUID, title: str, description: str = "") -> str:
    """A custom role pending review, created by `author`; returns its id."""
    async with db.owner() as conn:
        role_id = await conn.fetchval(
            "insert into app.job_roles (title, description, source, created_by) "
            "values ($1, $2, 'custom', $3) returning job_role_id",
            title,
            description,
            author,
        )
    return str(role_id)
