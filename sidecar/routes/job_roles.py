"""POST /v1/job-roles/search: job roles matching a typed title, as the signed-in user.

Azure AI Search when configured (AZURE_SEARCH_*; hybrid with OpenAI embeddings when OPENAI_* is set),
otherwise, or when Azure fails, the embedded Postgres search (api.search_job_roles).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from core.ai.client import AIClient
from core.ai.settings import OpenAISettings
from core.search.settings import AzureSearchSettings
from sidecar.acting import acting_as
from sidecar.auth.guard import UserClaims
from sidecar.openapi_problems import SIGNED_IN, problem_responses
from sidecar.search.engine import JobRoleSearch, SearchQuery


class SearchRequest(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    description: str | None = None
    max_results: int = 5


class SearchResponse(msgspec.Struct):
    results: list[dict[str, Any]]
    engine: str
    attribution: str = "Contains O*NET 30.0 data (USDOL/ETA), CC BY 4.0; see api.job_roles_attribution()."


def engine_of(request: Request[Any, Any, Any]) -> JobRoleSearch:
    """The app's search engine: set at start-up (lifespan), or built once from the environment."""
    engine = getattr(request.app.state, "job_role_search", None)
    if engine is None:
        openai = OpenAISettings.from_env()
        embed = AIClient(openai).embed if openai.configured else None  # hybrid queries need OpenAI
        engine = JobRoleSearch(AzureSearchSettings.from_env(), embed=embed)
        request.app.state.job_role_search = engine
    assert isinstance(engine, JobRoleSearch)
    return engine


@post(
    "/v1/job-roles/search",
    tags=["job roles"],
    summary="Job roles matching a typed title",
    status_code=200,
    responses=problem_responses(*SIGNED_IN, 422, 502),
)
async def search_job_roles(
    request: Request[Any, Any, Any],
    data: JSONBody[SearchRequest],
    claims: NamedDependency[UserClaims],
    pool: NamedDependency[asyncpg.Pool],
) -> SearchResponse:
    query = SearchQuery(data.title, data.description, data.max_results)
    async with acting_as(pool, claims, readonly=True, path="/v1/job-roles/search") as conn:
        results = await engine_of(request).search(conn, query)
    engine = results[0]["engine"] if results else ("azure" if engine_of(request).settings.configured else "postgres")
    return SearchResponse(results=results, engine=engine)
