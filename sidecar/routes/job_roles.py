"""POST /v1/job-roles/search: job roles matching a typed title, as the signed-in user.

Azure AI Search when configured (Settings.search; hybrid with OpenAI embeddings when Settings.openai is),
otherwise the fused lexical and semantic ranking (Settings.semantic), otherwise, or when either fails,
the embedded Postgres search (api.search_job_roles); sidecar/search/engine.py says when. The engine is
built at start (sidecar/services.py).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody

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


@post(
    "/v1/job-roles/search",
    tags=["job roles"],
    summary="Job roles matching a typed title",
    status_code=200,
    responses=problem_responses(*SIGNED_IN, 422, 502),
)
async def search_job_roles(
    data: JSONBody[SearchRequest],
    claims: NamedDependency[UserClaims],
    pool: NamedDependency[asyncpg.Pool],
    job_role_search: NamedDependency[JobRoleSearch],
) -> SearchResponse:
    query = SearchQuery(data.title, data.description, data.max_results)
    async with acting_as(pool, claims, readonly=True, path="/v1/job-roles/search") as conn:
        results = await job_role_search.search(conn, query, viewer=str(claims.profile_id))
    engine = results[0]["engine"] if results else ("azure" if job_role_search.settings.configured else "postgres")
    return SearchResponse(results=results, engine=engine)
