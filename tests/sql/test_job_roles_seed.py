"""The catalogue seed loader: idempotent, reports progress, and can hold alternate titles back."""

from __future__ import annotations

from core.catalogue.seed import CatalogueLoader, load_catalogue
from core.db.migrator import PROJECT_ROOT
from tests.support.database import TestDatabase
from tests.support.users import create_user

COUNTS = """
select (select count(*) from app.job_roles where source = 'onet') as roles,
       (select count(*) from app.job_role_alternate_titles) as titles,
       (select count(*) from app.job_role_industries) as relevance,
       (select count(*) from private.job_role_search_titles) as indexed_titles
"""


async def test_loading_again_changes_nothing_and_says_so(db: TestDatabase) -> None:
    lines: list[str] = []
    async with db.owner() as conn:
        before = dict(await conn.fetchrow(COUNTS))
        async with conn.transaction():
            await CatalogueLoader().load(conn, PROJECT_ROOT, lines.append)
        after = dict(await conn.fetchrow(COUNTS))
    assert before == after
    assert before["indexed_titles"] == before["roles"] + before["titles"]
    assert any("1016 occupations (0 new or changed)" in line for line in lines)
    assert any("39571 alternate titles (0 added, 0 removed)" in line for line in lines)


async def test_held_back_titles_leave_the_catalogue_and_the_index(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    async with db.owner() as conn, conn.transaction():
        await load_catalogue(
            conn, PROJECT_ROOT, lambda _line: None, keep=lambda _code, title: title != "Bank President"
        )
    response = await db.as_user(alice).rpc("search_job_roles", {"title": "Bank President", "max_results": 50})
    assert response.ok
    assert "Bank President" not in [row["matched_title"] for row in response.body]
    async with db.owner() as conn:
        assert (
            await conn.fetchval("select count(*) from app.job_role_alternate_titles where title = 'Bank President'")
            == 0
        )
        assert (
            await conn.fetchval("select count(*) from private.job_role_search_titles where title = 'Bank President'")
            == 0
        )


async def test_the_digest_follows_the_input_files() -> None:
    loader = CatalogueLoader()
    assert loader.digest(PROJECT_ROOT) == loader.digest(PROJECT_ROOT)
    assert loader.digest(PROJECT_ROOT) != loader.digest(PROJECT_ROOT / "nowhere")
