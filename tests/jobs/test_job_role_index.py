"""job_roles__index: an approved custom role reaches the Azure index; without Azure the job is done."""

from __future__ import annotations

import pytest

from core.search.index import ensure_index
from core.search.settings import AzureSearchSettings
from jobs.registry import JobServices
from tests.ai import inline
from tests.ai.inline import pending_jobs, run_inline
from tests.fakes.azure_search import API_KEY, running_fake_azure_search
from tests.support.database import TestDatabase
from tests.support.users import create_user

ROLE = {"title": "Ship Chandler", "description": "Supplies ships in port with provisions and spare parts."}


async def approved_custom_role(db: TestDatabase) -> str:
    alice = await create_user(db, "alice")
    reviewer = await create_user(db, "rita", roles=["job_role_reviewer"])
    await db.as_user(alice).rpc("set_industry", {"industry": "shipping_logistics"})
    role = (await db.as_user(alice).rpc("submit_custom_job_role", ROLE)).body["job_role"]
    approved = await db.as_user(reviewer).rpc("approve_custom_job_role", {"job_role_id": role["job_role_id"]})
    assert approved.status == 200, approved.body
    return str(role["job_role_id"])


async def test_without_azure_the_index_job_is_done_at_once(db: TestDatabase) -> None:
    assert not inline.services.search.configured  # as a worker started without AZURE_SEARCH_ENDPOINT
    role_id = await approved_custom_role(db)
    [job] = await pending_jobs(db, "job_roles__index")
    assert job["payload"] == {"job_role_id": role_id}
    await run_inline(db, int(job["job_id"]))  # raises if the job failed


async def test_an_approved_role_is_uploaded_to_the_index(db: TestDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    role_id = await approved_custom_role(db)
    [job] = await pending_jobs(db, "job_roles__index")
    with running_fake_azure_search() as azure:
        search = AzureSearchSettings(endpoint=azure.url, api_key=API_KEY)
        monkeypatch.setattr(inline, "services", JobServices(search=search))  # OpenAI not configured
        await ensure_index(search)  # as `fluentpro search create-index` at deploy
        await run_inline(db, int(job["job_id"]))
        documents = azure.documents.get("job-roles", {})
    assert role_id in documents
    assert documents[role_id]["title"] == ROLE["title"]
