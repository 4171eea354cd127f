"""api.search_job_roles: ranking basics, the industry boost, typos, privacy of custom roles, bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.database import TestDatabase
from tests.support.job_roles import submit_custom_role
from tests.support.users import create_user


async def search(db: TestDatabase, user: uuid.UUID, title: str, **args: Any) -> list[dict[str, Any]]:
    response = await db.as_user(user).rpc("search_job_roles", {"title": title, **args})
    assert response.status == 200, response.body
    return list(response.body)


async def codes(db: TestDatabase, user: uuid.UUID, title: str, **args: Any) -> list[str | None]:
    return [row["onet_code"] for row in await search(db, user, title, **args)]


async def choose_industry(db: TestDatabase, user: uuid.UUID, slug: str) -> None:
    response = await db.as_user(user).rpc("set_industry", {"industry": slug})
    assert response.ok, response.body


async def test_the_catalogue_is_seeded_with_every_occupation_and_its_alternate_titles(db: TestDatabase) -> None:
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.job_roles where source = 'onet'") == 1016
        assert await conn.fetchval("select count(*) from app.job_role_alternate_titles") == 39571
        assert await conn.fetchval("select count(distinct industry_id) from app.job_role_industries") == 24


async def test_an_exact_title_comes_first(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    rows = await search(db, alice, "Software Developers")
    assert rows[0]["onet_code"] == "15-1252.00"
    assert rows[0]["matched_title"] == "Software Developers"
    assert set(rows[0]) == {"job_role_id", "onet_code", "title", "description", "score", "matched_title"}
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


async def test_an_alternate_title_finds_its_occupation(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    rows = await search(db, alice, "bank president")  # an alternate title of Chief Executives
    assert rows[0]["onet_code"] == "11-1011.00"
    assert rows[0]["matched_title"] == "Bank President"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Sofware Enginer", "15-1252.00"), ("Registred Nurse", "29-1141.00"), ("Acountant", "13-2011.00")],
)
async def test_typos_within_reason_still_match(db: TestDatabase, typed: str, expected: str) -> None:
    alice = await create_user(db, "alice")
    assert expected in (await codes(db, alice, typed))[:3]


async def test_accents_and_case_do_not_matter(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    assert (await codes(db, alice, "SOFTWARE DÉVELOPERS"))[0] == "15-1252.00"


async def test_the_industry_boost_reorders_and_does_not_filter(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    await choose_industry(db, bob, "insurance")
    plain = await codes(db, alice, "clerk", max_results=50)
    boosted = await codes(db, bob, "clerk", max_results=50)
    claims_clerks = "43-9041.00"  # Insurance Claims and Policy Processing Clerks: core to insurance
    assert boosted.index(claims_clerks) < plain.index(claims_clerks)  # reordered
    postal_clerks = plain[0]
    assert postal_clerks == "43-5051.00" and postal_clerks in boosted[:3]  # others are not hidden


async def test_a_caller_without_an_industry_gets_results(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    assert await codes(db, alice, "nurse")


async def test_max_results_limits_the_rows(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    assert len(await search(db, alice, "manager", max_results=12)) == 12
    assert len(await search(db, alice, "manager")) == 5


async def test_the_description_helps_rank(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bare = await codes(db, alice, "analyst", max_results=50)
    described = await codes(
        db, alice, "analyst", description="I analyse loan portfolios and credit risk for the bank", max_results=50
    )
    assert described.index("13-2041.00") < bare.index("13-2041.00")  # Credit Analysts


async def test_words_in_their_usual_order_count_more(db: TestDatabase) -> None:
    # Same words, same last word: only the bigram "registered nurse" tells the two apart.
    alice = await create_user(db, "alice")

    async def score(title: str) -> float:
        rows = await search(db, alice, title, max_results=50)
        return next(r["score"] for r in rows if r["onet_code"] == "29-1141.00")  # Registered Nurses

    assert await score("night registered nurse") > await score("registered night nurse")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"title": ""}, "job_roles.title_required"),
        ({"title": "   "}, "job_roles.title_required"),
        ({"title": None}, "job_roles.title_required"),
        ({"title": "x" * 201}, "job_roles.title_too_long"),
        ({"title": "nurse", "description": "y" * 2001}, "job_roles.description_too_long"),
        ({"title": "nurse", "max_results": 0}, "job_roles.invalid_max_results"),
        ({"title": "nurse", "max_results": 51}, "job_roles.invalid_max_results"),
        ({"title": "nurse", "max_results": None}, "job_roles.invalid_max_results"),
    ],
)
async def test_bad_input_gets_a_clear_error(db: TestDatabase, args: dict[str, Any], code: str) -> None:
    alice = await create_user(db, "alice")
    response = await db.as_user(alice).rpc("search_job_roles", args)
    assert (response.status, response.code) == (400, code)


async def test_anonymous_callers_may_not_search(db: TestDatabase) -> None:
    response = await db.as_anon().rpc("search_job_roles", {"title": "nurse"})
    assert (response.status, response.code) == (401, "42501")


async def test_a_pending_custom_role_is_found_only_by_its_author_and_reviewers(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    reviewer = await create_user(db, "rita", roles=["job_role_reviewer"])
    role_id = await submit_custom_role(db, alice, "Quantum Zeppelin Wrangler", "Keeps quantum zeppelins in line.")
    for user, sees in ((alice, True), (reviewer, True), (bob, False)):
        ids = [r["job_role_id"] for r in await search(db, user, "quantum zeppelin wrangler")]
        assert (str(role_id) in ids) is sees
        by_id = await db.as_user(user).sql(f"select title from app.job_roles where job_role_id = '{role_id}'")
        assert (by_id.body != []) is sees
        titles = await db.as_user(user).sql(
            f"select title from app.job_role_alternate_titles where job_role_id = '{role_id}'"
        )
        assert titles.body == []


async def test_attribution_is_readable_through_the_api(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    response = await db.as_user(alice).rpc("job_roles_attribution")
    assert response.status == 200
    assert response.body["license"] == "CC BY 4.0"
    assert "O*NET 30.0 Database" in response.body["text"]
