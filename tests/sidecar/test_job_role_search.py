"""POST /v1/job-roles/search and the Azure AI Search index, through the real azure-search-documents
client against a local fake of the Azure Search REST API (and the real OpenAI client against its fake)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.ai.client import AIClient
from core.ai.settings import OpenAISettings
from core.db.connect import create_owner_pool
from core.search.index import ensure_index, index_job_roles, reindex_all
from core.search.settings import AzureSearchSettings
from tests.fakes.auth0 import FakeAuth0Server
from tests.fakes.azure_search import API_KEY, FakeAzureSearch, running_fake_azure_search
from tests.fakes.openai_server import API_KEY as OPENAI_KEY
from tests.fakes.openai_server import EMBEDDING_DIMENSIONS, running_fake_openai
from tests.sidecar.conftest import SidecarFactory, sidecar_settings
from tests.sidecar.test_acting_as import our_token
from tests.support.database import TestDatabase
from tests.support.job_roles import submit_custom_role
from tests.support.users import create_user

Client = AsyncTestClient[Any]


@pytest.fixture
def azure() -> Iterator[FakeAzureSearch]:
    with running_fake_azure_search() as fake:
        yield fake


@pytest.fixture
def azure_settings(azure: FakeAzureSearch) -> AzureSearchSettings:
    return AzureSearchSettings(endpoint=azure.url, api_key=API_KEY, vector_dimensions=EMBEDDING_DIMENSIONS)


@pytest.fixture
def openai_settings() -> Iterator[OpenAISettings]:
    """Each user of it builds its own AIClient: an SDK client belongs to the event loop that made it."""
    with running_fake_openai() as fake:
        yield OpenAISettings(api_key=OPENAI_KEY, base_url=fake.url, embedding_model="fake-embedding")


@pytest.fixture
async def owner_pool(db: TestDatabase) -> AsyncIterator[Any]:
    pool = await create_owner_pool(db.url, min_size=1, max_size=2)
    yield pool
    await pool.close()


SearchSidecar = Callable[..., Awaitable[Client]]


@pytest.fixture
def search_sidecar(make_sidecar: SidecarFactory, db: TestDatabase, auth0_server: FakeAuth0Server) -> SearchSidecar:
    """Start a sidecar whose settings configure its search (and, for hybrid queries, OpenAI)."""

    async def start(search: AzureSearchSettings, openai: OpenAISettings | None = None) -> Client:
        settings = sidecar_settings(db.url, auth0_server.url)
        return await make_sidecar(
            settings=dataclasses.replace(settings, search=search, openai=openai or OpenAISettings())
        )

    return start


async def post_search(sidecar: Client, user: uuid.UUID, **body: Any) -> Any:
    return await sidecar.post("/v1/job-roles/search", json=body, headers={"Authorization": f"Bearer {our_token(user)}"})


async def test_azure_round_trip_index_query_delete(
    search_sidecar: SearchSidecar,
    db: TestDatabase,
    azure: FakeAzureSearch,
    azure_settings: AzureSearchSettings,
    openai_settings: OpenAISettings,
    owner_pool: Any,
) -> None:
    await ensure_index(azure_settings)
    fields = {f["name"] for f in azure.indexes["job-roles"]["fields"]}
    assert {"id", "title", "alternate_titles", "description", "industries", "embedding"} <= fields
    progress: list[tuple[int, int]] = []
    count = await reindex_all(
        owner_pool, azure_settings, embed=AIClient(openai_settings).embed, progress=lambda d, t: progress.append((d, t))
    )
    assert count == 1016 == len(azure.documents["job-roles"])
    assert progress[-1] == (1016, 1016) and len(progress) == 11
    assert len(next(iter(azure.documents["job-roles"].values()))["embedding"]) == EMBEDDING_DIMENSIONS

    alice = await create_user(db, "alice")
    client = await search_sidecar(azure_settings, openai_settings)
    response = await post_search(client, alice, title="Software Developers")
    assert response.status_code == 200, response.text
    assert response.json()["engine"] == "azure"
    assert response.json()["results"][0]["onet_code"] == "15-1252.00"
    search_calls = [body for method, path, body in azure.requests if path.endswith("search.post.search")]
    assert search_calls[-1]["vectorQueries"][0]["fields"] == "embedding"

    async with owner_pool.acquire() as conn:
        role_id = str(await conn.fetchval("select job_role_id from app.job_roles where onet_code = '15-1252.00'"))
    async with owner_pool.acquire() as conn:
        assert await index_job_roles(conn, azure_settings, [role_id, str(uuid.uuid4())]) == (1, 1)
    gone = str(uuid.uuid4())
    azure.documents["job-roles"][gone] = {"id": gone, "title": "Ghost"}
    async with owner_pool.acquire() as conn:
        assert await index_job_roles(conn, azure_settings, [gone]) == (0, 1)
    assert gone not in azure.documents["job-roles"]


async def test_the_industry_boost_reaches_azure(
    search_sidecar: SearchSidecar,
    db: TestDatabase,
    azure: FakeAzureSearch,
    azure_settings: AzureSearchSettings,
    owner_pool: Any,
) -> None:
    await ensure_index(azure_settings)
    await reindex_all(owner_pool, azure_settings)
    bob = await create_user(db, "bob")
    async with owner_pool.acquire() as conn:
        await conn.execute(
            "insert into app.onboardings (profile_id, industry_id) "
            "select $1, industry_id from app.industries where slug = 'insurance'",
            bob,
        )
    response = await post_search(await search_sidecar(azure_settings), bob, title="claims adjuster")
    assert response.status_code == 200, response.text
    body = [b for _m, path, b in azure.requests if path.endswith("search.post.search")][-1]
    assert (body["scoringProfile"], body["scoringParameters"]) == ("industry-boost", ["industry-insurance"])
    assert response.json()["results"][0]["onet_code"].startswith("13-103")


async def test_a_stale_azure_document_never_shows_someone_elses_custom_role(
    search_sidecar: SearchSidecar, db: TestDatabase, azure: FakeAzureSearch, azure_settings: AzureSearchSettings
) -> None:
    await ensure_index(azure_settings)
    alice = await create_user(db, "alice")
    bob = await create_user(db, "bob")
    role_id = await submit_custom_role(db, alice, "Zeppelin Herder", "Herds zeppelins.")
    azure.documents["job-roles"] = {role_id: {"id": role_id, "title": "Zeppelin Herder", "alternate_titles": []}}
    client = await search_sidecar(azure_settings)
    assert [
        r["job_role_id"] for r in (await post_search(client, alice, title="zeppelin herder")).json()["results"]
    ] == [role_id]
    assert (await post_search(client, bob, title="zeppelin herder")).json()["results"] == []


async def test_azure_down_falls_back_to_postgres(
    search_sidecar: SearchSidecar, db: TestDatabase, azure: FakeAzureSearch, azure_settings: AzureSearchSettings
) -> None:
    await ensure_index(azure_settings)
    azure.down = True
    alice = await create_user(db, "alice")
    response = await post_search(await search_sidecar(azure_settings), alice, title="Registered Nurses")
    assert response.status_code == 200, response.text
    assert response.json()["engine"] == "postgres"
    assert response.json()["results"][0]["onet_code"] == "29-1141.00"
    assert any(path.endswith("search.post.search") for _m, path, _b in azure.requests)  # Azure was tried first


async def test_without_azure_the_endpoint_answers_from_postgres(
    search_sidecar: SearchSidecar, db: TestDatabase
) -> None:
    alice = await create_user(db, "alice")
    response = await post_search(await search_sidecar(AzureSearchSettings()), alice, title="bank president")
    assert response.status_code == 200, response.text
    assert (response.json()["engine"], response.json()["results"][0]["onet_code"]) == ("postgres", "11-1011.00")
    assert response.json()["results"][0]["matched_title"] == "Bank President"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": " "}, "job_roles.title_required"),
        ({"title": "x" * 201}, "job_roles.title_too_long"),
        ({"title": "nurse", "description": "y" * 2001}, "job_roles.description_too_long"),
        ({"title": "nurse", "max_results": 51}, "job_roles.invalid_max_results"),
    ],
)
async def test_bad_input_gets_the_same_codes_on_both_engines(
    search_sidecar: SearchSidecar,
    db: TestDatabase,
    azure_settings: AzureSearchSettings,
    body: dict[str, Any],
    code: str,
) -> None:
    alice = await create_user(db, "alice")
    for settings in (azure_settings, AzureSearchSettings()):
        response = await post_search(await search_sidecar(settings), alice, **body)
        assert (response.status_code, response.json()["code"]) == (400, code)


async def test_signed_out_callers_are_refused(search_sidecar: SearchSidecar) -> None:
    client = await search_sidecar(AzureSearchSettings())
    response = await client.post("/v1/job-roles/search", json={"title": "nurse"})
    assert (response.status_code, response.json()["code"]) == (401, "auth.missing_token")
