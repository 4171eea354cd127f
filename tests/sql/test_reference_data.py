"""Onboarding reference data: seeded with the fixed slugs, idempotent, readable by signed-in users
through the api views, written by nobody but the owner."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from core.db.migrator import PROJECT_ROOT
from tests.support.database import TestDatabase
from tests.support.users import create_user

INDUSTRIES = [
    "banking_finance",
    "shipping_logistics",
    "real_estate",
    "hotels_hospitality",
    "technology",
    "healthcare",
    "manufacturing",
    "retail_ecommerce",
    "legal_services",
    "consulting",
    "education",
    "energy_utilities",
    "construction_engineering",
    "marketing_advertising",
    "government_public_sector",
    "telecommunications",
    "pharmaceuticals_life_sciences",
    "insurance",
    "media_entertainment",
    "aviation_aerospace",
    "automotive",
    "food_beverage",
    "agriculture",
    "nonprofit",
]
PARTNERS = [
    "clients",
    "senior_management",
    "suppliers",
    "customers",
    "colleagues",
    "stakeholders",
    "partners",
]
SITUATIONS = [
    "interviews",
    "conflict_resolution",
    "phone_calls",
    "one_on_ones",
    "feedback_sessions",
    "team_discussions",
    "negotiations",
    "status_updates",
    "informal_chats",
    "briefings",
    "meetings",
    "presentations",
    "training_sessions",
    "client_conversations",
    "video_conferences",
]
IOS_LANGUAGES = [
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "portuguese",
    "russian",
    "chinese",
    "japanese",
    "korean",
    "arabic",
    "hindi",
]
AVAILABLE_LANGUAGES = ["english", "chinese_traditional", "chinese_simplified"]
TABLES = ["native_languages", "industries", "communication_partners", "situations"]


async def _slugs(db: TestDatabase, view: str) -> list[str]:
    response = await db.as_user(uuid.uuid4()).select(view, order="sort_order")
    assert response.status == 200, response.body
    return [row["slug"] for row in response.body]


async def test_views_list_the_fixed_slugs_in_order(db: TestDatabase) -> None:
    assert await _slugs(db, "industries") == INDUSTRIES
    assert await _slugs(db, "communication_partners") == PARTNERS
    assert await _slugs(db, "situations") == SITUATIONS


async def test_languages_cover_the_original_three_and_the_ios_twelve(db: TestDatabase) -> None:
    rows = (await db.as_user(uuid.uuid4()).select("native_languages", order="sort_order")).body
    slugs = [row["slug"] for row in rows]
    assert slugs[:3] == AVAILABLE_LANGUAGES
    assert set(IOS_LANGUAGES) <= set(slugs)
    assert [row["slug"] for row in rows if row["is_available"]] == AVAILABLE_LANGUAGES


async def test_every_row_has_a_name_and_description(db: TestDatabase) -> None:
    async with db.owner() as conn:
        for table in TABLES:
            empty = await conn.fetchval(f"select count(*) from app.{table} where name = '' or description = ''")
            assert empty == 0, table
    banking = (await db.as_user(uuid.uuid4()).select("industries", filters={"slug": "banking_finance"})).body
    assert banking[0]["name"] == "Banking & Finance"


async def test_inactive_rows_leave_the_views(db: TestDatabase) -> None:
    async with db.owner() as conn:
        await conn.execute("update app.situations set is_active = false where slug = 'briefings'")
    assert "briefings" not in await _slugs(db, "situations")


@pytest.mark.parametrize(
    "name",
    [
        "010_native_languages.sql",
        "020_industries.sql",
        "030_communication_partners.sql",
        "040_situations.sql",
    ],
)
async def test_seeds_are_idempotent_and_restore_edits(db: TestDatabase, name: str) -> None:
    sql = (Path(PROJECT_ROOT) / "seeds" / name).read_text()
    table = name.split("_", 1)[1].removesuffix(".sql")
    async with db.owner() as conn:
        before = await conn.fetch(f"select * from app.{table} order by slug")
        await conn.execute(f"update app.{table} set name = 'edited' where sort_order = 1")
        await conn.execute(sql)
        await conn.execute(sql)
        after = await conn.fetch(f"select * from app.{table} order by slug")
    strip = [{k: v for k, v in dict(r).items() if k != "updated_at"} for r in before]
    assert strip == [{k: v for k, v in dict(r).items() if k != "updated_at"} for r in after]


async def test_anonymous_callers_cannot_read(db: TestDatabase) -> None:
    response = await db.as_anon().select("industries")
    assert (response.status, response.code) == (401, "42501")


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("actor", ["user", "admin", "anon"])
async def test_rls_matrix_nobody_writes_signed_in_users_read(db: TestDatabase, table: str, actor: str) -> None:
    if actor == "anon":
        client = db.as_anon()
    else:
        client = db.as_user(await create_user(db, actor, roles=["admin"] if actor == "admin" else []))
    read = await client.sql(f"select slug from app.{table}")
    if actor == "anon":
        assert (read.status, read.code) == (401, "42501")
    else:
        assert read.status == 200
        assert len(read.body) > 0
    refused = (401, "42501") if actor == "anon" else (403, "42501")
    statements = [
        f"insert into app.{table} (slug, name, sort_order) values ('x_new', 'X', 99)",
        f"update app.{table} set name = 'hacked'",
        f"delete from app.{table}",
    ]
    async with db.owner() as conn:
        before = await conn.fetch(f"select * from app.{table} order by slug")
    for statement in statements:
        response = await client.sql(statement)
        assert (response.status, response.code) == refused, statement
    async with db.owner() as conn:
        assert await conn.fetch(f"select * from app.{table} order by slug") == before
