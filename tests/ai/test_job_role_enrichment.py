"""job_roles__enrich and job_roles__embed: a custom role's proposal for reviewers, its embedding for the
index, visibility (author and reviewers only), and broken output leaving nothing behind."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from core.ai.errors import AIInvalidOutput
from core.ai.prompts import input_of
from tests.ai import inline
from tests.ai.inline import pending_jobs, run_inline
from tests.fakes.openai_server import FakeOpenAI, Fault, fake_embedding
from tests.support.database import TestDatabase
from tests.support.realtime import sent_messages
from tests.support.users import create_user

TITLE = "Crypto Treasury Lead"
DESCRIPTION = "I manage our company's crypto holdings and I report to the CFO every week."


def proposal_for(body: dict[str, Any]) -> str:
    data = input_of(body["messages"])
    return json.dumps(
        {
            "description_third_person": "Manages the company's crypto holdings and reports to the CFO every week.",
            "keywords": ["treasury", "crypto assets", "custody", "risk management", "CFO reporting"],
            "nearest_onet_code": data["candidates"][0]["onet_code"],
            "seniority": "manager",
        }
    )


async def submit_custom_role(db: TestDatabase, user: uuid.UUID) -> uuid.UUID:
    client = db.as_user(user)
    for name, args in [
        ("set_native_language", {"native_language": "english"}),
        ("set_industry", {"industry": "banking_finance"}),
        ("submit_custom_job_role", {"title": TITLE, "description": DESCRIPTION}),
    ]:
        response = await client.rpc(name, args)
        assert response.status == 200, (name, response.body)
    return uuid.UUID(response.body["job_role"]["job_role_id"])


async def seed_catalogue(db: TestDatabase, count: int) -> None:
    """O*NET-like occupations (the catalogue loader may not have run in the test database)."""
    async with db.owner() as conn:
        await conn.execute(
            "insert into app.job_roles (onet_code, title, description, source, status) "
            "select format('11-%s.00', lpad(i::text, 4, '0')), 'Treasury Occupation ' || i, "
            "'Does treasury work number ' || i || '.', 'onet', 'active' from generate_series(1, $1) as i "
            "on conflict (onet_code) do nothing",
            count,
        )


@pytest.fixture
async def people(db: TestDatabase) -> dict[str, uuid.UUID]:
    await seed_catalogue(db, 20)
    return {
        "alice": await create_user(db, "alice"),
        "bob": await create_user(db, "bob"),
        "reviewer": await create_user(db, "reviewer", roles=["job_role_reviewer"]),
    }


async def test_enrichment_stores_the_proposal_for_reviewers_and_indexes_the_role_for_its_author(
    db: TestDatabase, openai_env: FakeOpenAI, people: dict[str, uuid.UUID]
) -> None:
    openai_env.chat_responder = proposal_for
    role_id = await submit_custom_role(db, people["alice"])
    (job,) = await pending_jobs(db, "job_roles__enrich")
    assert (job["payload"], job["profile_id"]) == ({"job_role_id": str(role_id)}, people["alice"])
    await run_inline(db, int(job["job_id"]))

    sent = input_of(openai_env.requests_to("/v1/chat/completions")[0].body["messages"])
    assert (sent["title"], sent["description"], sent["industry"]) == (TITLE, DESCRIPTION, "Banking & Finance")
    codes = [c["onet_code"] for c in sent["candidates"]]
    assert len(codes) == 8
    schema = openai_env.requests_to("/v1/chat/completions")[0].body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["nearest_onet_code"]["enum"] == [*codes, "none"]

    mine = await db.as_user(people["alice"]).rpc("job_role_enrichment", {"job_role_id": str(role_id)})
    assert mine.status == 200
    assert mine.body["description_third_person"].startswith("Manages the company's crypto holdings")
    assert mine.body["keywords"][0] == "treasury" and mine.body["seniority"] == "manager"
    async with db.owner() as conn:
        nearest_code = await conn.fetchval(
            "select onet_code from app.job_roles where job_role_id = $1",
            uuid.UUID(mine.body["nearest_job_role"]["job_role_id"]),
        )
    assert nearest_code == codes[0]
    reviewed = await db.as_user(people["reviewer"]).rpc("job_role_enrichment", {"job_role_id": str(role_id)})
    assert (reviewed.status, reviewed.body["keywords"]) == (200, mine.body["keywords"])
    hidden = await db.as_user(people["bob"]).rpc("job_role_enrichment", {"job_role_id": str(role_id)})
    assert (hidden.status, hidden.code) == (404, "ai.enrichment_not_found")
    assert (await db.as_user(people["bob"]).sql("select * from app.job_role_enrichments")).body == []
    assert "job_role_enriched" in [m["event"] for m in await sent_messages(db, f"user:{people['alice']}")]

    # Indexing for the author: the role's embedding (with the new keywords) is queued, then stored.
    (embed,) = await pending_jobs(db, "job_roles__embed")
    assert (embed["payload"], embed["profile_id"]) == ({"job_role_ids": [str(role_id)]}, people["alice"])
    await run_inline(db, int(embed["job_id"]))
    (request,) = openai_env.requests_to("/v1/embeddings")
    (text,) = request.body["input"]
    assert text.startswith(f"Job Title: {TITLE}") and "Keywords: treasury, crypto assets" in text
    async with db.owner() as conn:
        stored = await conn.fetchrow("select * from private.job_role_embeddings where job_role_id = $1", role_id)
    assert stored["model"] == "fake-embedding"
    assert stored["embedding"] == pytest.approx(fake_embedding(text), abs=1e-6)
    # The author finds the role by search; another learner does not (it is private until reviewed).
    alices = await db.as_user(people["alice"]).rpc("search_job_roles", {"title": TITLE, "max_results": 5})
    bobs = await db.as_user(people["bob"]).rpc("search_job_roles", {"title": TITLE, "max_results": 5})
    if alices.status != 404:  # api.search_job_roles is the job-role engineer's; absent in older trees
        assert alices.status == 200 and str(role_id) in [r["job_role_id"] for r in alices.body]
        assert bobs.status == 200 and str(role_id) not in [r["job_role_id"] for r in bobs.body]
    assert [
        r["title"]
        for r in (
            await db.as_user(people["alice"]).sql(f"select title from app.job_roles where job_role_id = '{role_id}'")
        ).body
    ] == [TITLE]
    assert (
        await db.as_user(people["bob"]).sql(f"select title from app.job_roles where job_role_id = '{role_id}'")
    ).body == []


async def test_first_person_output_is_retried_then_fails_and_nothing_is_stored(
    db: TestDatabase, openai_env: FakeOpenAI, people: dict[str, uuid.UUID]
) -> None:
    openai_env.chat_responder = lambda body: proposal_for(body).replace("Manages the company's", "I manage my")
    role_id = await submit_custom_role(db, people["alice"])
    (job,) = await pending_jobs(db, "job_roles__enrich")
    with pytest.raises(Exception, match=r"ai\.invalid_output") as caught:
        await run_inline(db, int(job["job_id"]))
    assert isinstance(caught.value.__cause__, AIInvalidOutput)
    assert len(openai_env.requests_to("/v1/chat/completions")) == 3
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from app.job_role_enrichments where job_role_id = $1", role_id) == 0
    assert await pending_jobs(db, "job_roles__embed") == []


async def test_catalogue_embeddings_are_batched_resumable_and_only_redo_stale_rows(
    db: TestDatabase, openai_env: FakeOpenAI
) -> None:
    await seed_catalogue(db, 500)
    async with db.owner() as conn:
        total = await conn.fetchval("select count(*) from app.job_roles where status not in ('rejected', 'merged')")
        first = await conn.fetchval("select private.enqueue_job('job_roles__embed', '{}')")
    assert total > 400  # the O*NET catalogue is seeded
    await run_inline(db, first)
    assert [len(r.body["input"]) for r in openai_env.requests_to("/v1/embeddings")] == [96, 96]
    (second,) = await pending_jobs(db, "job_roles__embed")  # the continuation

    openai_env.fail(Fault(status=500, path="/v1/embeddings"), times=3)  # every attempt of its first batch
    with pytest.raises(Exception, match=r"ai\.upstream_error"):
        await run_inline(db, int(second["job_id"]))
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.job_role_embeddings") == 192  # earlier run kept
    await run_inline(db, int(second["job_id"]))  # the retry resumes after the committed rows
    async with db.owner() as conn:
        assert await conn.fetchval("select count(*) from private.job_role_embeddings") == 384
        first_two = await conn.fetch("select job_role_id from private.job_role_embeddings order by job_role_id limit 2")
        changed, untouched = (r["job_role_id"] for r in first_two)
        await conn.execute(
            "update app.job_roles set description = description || ' Updated.' where job_role_id = $1", changed
        )
        only = await conn.fetchval(
            "select private.enqueue_job('job_roles__embed', $1::jsonb)",
            json.dumps({"job_role_ids": [str(changed), str(untouched)]}),
        )
    before = len(openai_env.requests_to("/v1/embeddings"))
    await run_inline(db, only)
    (request,) = openai_env.requests_to("/v1/embeddings")[before:]
    assert len(request.body["input"]) == 1 and request.body["input"][0].endswith("Updated.")  # the fresh one is skipped


async def test_embeddings_wait_as_the_same_row_while_openai_is_not_configured(db: TestDatabase) -> None:
    assert not inline.services.openai.configured  # as a worker started without OPENAI_API_KEY
    await seed_catalogue(db, 20)
    async with db.owner() as conn:
        job_id = await conn.fetchval("select private.enqueue_job('job_roles__embed', '{}')")
    assert await run_inline(db, job_id) == "deferred"
    (waiting,) = await pending_jobs(db, "job_roles__embed")  # the same row, no copy queued beside it
    async with db.owner() as conn:
        row = await conn.fetchrow("select attempts, last_error from private.job_outbox where job_id = $1", job_id)
    assert waiting["job_id"] == job_id and row["attempts"] == 0
    assert str(row["last_error"]).startswith("ai.not_configured")


async def test_embeddings_wait_while_the_daily_budget_is_spent(db: TestDatabase, openai_env: FakeOpenAI) -> None:
    await seed_catalogue(db, 20)
    async with db.owner() as conn:
        await conn.execute("update private.ai_budget set daily_tokens = 100")
        await conn.execute(
            "insert into app.ai_usage (feature, model, prompt_tokens, completion_tokens) "
            "values ('job_role_embedding', 'fake-embedding', 100, 0)"
        )
        job_id = await conn.fetchval("select private.enqueue_job('job_roles__embed', '{}')")
    assert await run_inline(db, job_id) == "deferred"
    assert openai_env.requests_to("/v1/embeddings") == []
    async with db.owner() as conn:
        row = await conn.fetchrow("select status, last_error from private.job_outbox where job_id = $1", job_id)
    assert row["status"] == "pending" and str(row["last_error"]).startswith("ai.budget_exhausted")
