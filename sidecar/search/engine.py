"""Job-role search for the sidecar: Azure AI Search when configured (hybrid text + vector query with
the caller's industry boost), otherwise, or when Azure fails, the embedded `api.search_job_roles`.

Either way the work runs acting as the user: Azure's hits are re-read through RLS (so a role that
is no longer visible to the caller never leaks), and the Postgres path is the user's own RPC call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
from azure.core.exceptions import AzureError
from azure.search.documents.models import VectorizedQuery, VectorQuery

from core.ai.errors import AIError
from core.search.index import INDUSTRY_PROFILE, Embed, search_client
from core.search.settings import AzureSearchSettings
from sidecar.errors import ProblemError

log = logging.getLogger("sidecar.search")
MAX_TITLE, MAX_DESCRIPTION, MAX_RESULTS = 200, 2000, 50

POSTGRES_SQL = "select * from api.search_job_roles($1, $2, $3)"
VISIBLE_SQL = """
select r.job_role_id::text as id, r.job_role_id, r.onet_code, r.title, r.description
from app.job_roles r where r.job_role_id = any($1::uuid[])
"""
CALLER_INDUSTRY_SQL = """
select i.slug from app.onboardings o join app.industries i on i.industry_id = o.industry_id
where o.profile_id = (select auth.uid())
"""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    title: str
    description: str | None = None
    max_results: int = 5

    def validate(self) -> None:
        """The same checks and codes as api.search_job_roles, before any upstream call."""
        if not self.title.strip():
            raise ProblemError("job_roles.title_required", "Type a job title to search for.", 400)
        if len(self.title) > MAX_TITLE:
            raise ProblemError(
                "job_roles.title_too_long",
                "A job title has at most 200 characters.",
                400,
                details={"max_length": MAX_TITLE},
            )
        if self.description is not None and len(self.description) > MAX_DESCRIPTION:
            raise ProblemError(
                "job_roles.description_too_long",
                "A job description has at most 2000 characters.",
                400,
                details={"max_length": MAX_DESCRIPTION},
            )
        if not 1 <= self.max_results <= MAX_RESULTS:
            raise ProblemError(
                "job_roles.invalid_max_results",
                "max_results must be between 1 and 50.",
                400,
                details={"min": 1, "max": MAX_RESULTS},
            )


def row(record: asyncpg.Record | dict[str, Any], score: float, matched: str | None, engine: str) -> dict[str, Any]:
    return {
        "job_role_id": str(record["job_role_id"]),
        "onet_code": record["onet_code"],
        "title": record["title"],
        "description": record["description"],
        "score": float(score),
        "matched_title": matched,
        "engine": engine,
    }


class JobRoleSearch:
    """Picks the engine; long-lived (one per app), holds nothing but settings and the embedder."""

    def __init__(self, settings: AzureSearchSettings, embed: Embed | None = None) -> None:
        self.settings = settings
        self.embed = embed

    async def search(self, conn: asyncpg.Connection, query: SearchQuery) -> list[dict[str, Any]]:
        """`conn` acts as the user (sidecar.acting.acting_as)."""
        query.validate()
        if self.settings.configured:
            try:
                return await self._azure(conn, query)
            except (AzureError, OSError, TimeoutError) as exc:
                log.warning("azure search failed, answering from postgres", extra={"error": repr(exc)})
        records = await conn.fetch(POSTGRES_SQL, query.title, query.description, query.max_results)
        return [row(r, r["score"], r["matched_title"], "postgres") for r in records]

    async def _azure(self, conn: asyncpg.Connection, query: SearchQuery) -> list[dict[str, Any]]:
        industry = await conn.fetchval(CALLER_INDUSTRY_SQL)
        text = query.title if not query.description else f"{query.title} {query.description}"
        vectors: list[VectorQuery] = []
        if self.embed is not None:
            try:
                [vector] = await self.embed([f"Job Title: {query.title}\n\n{query.description or ''}"])
                vectors = [
                    VectorizedQuery(vector=vector, k_nearest_neighbors=3 * query.max_results, fields="embedding")
                ]
            except AIError as exc:  # no embedding: Azure's text ranking alone is still better than nothing
                log.warning("query embedding failed, text-only azure query", extra={"error": repr(exc)})
        # No retries: a failing Azure answers from Postgres at once.
        async with search_client(self.settings, retries=0) as client:
            results = await client.search(
                search_text=text,
                vector_queries=vectors or None,
                scoring_profile=INDUSTRY_PROFILE if industry else None,
                scoring_parameters=[f"industry-{industry}"] if industry else None,
                select=["id", "title", "alternate_titles"],
                top=query.max_results,
            )
            hits = [hit async for hit in results]
        # Re-read through RLS: Azure holds published roles only, but visibility is the database's call.
        visible = {r["id"]: r for r in await conn.fetch(VISIBLE_SQL, [h["id"] for h in hits])}
        return [
            row(visible[h["id"]], h["@search.score"], best_title(query.title, h), "azure")
            for h in hits
            if h["id"] in visible
        ]


def best_title(typed: str, hit: dict[str, Any]) -> str:
    """The hit's title that shares the most words with what the user typed."""
    words = set(typed.lower().split())
    titles = [hit["title"], *(hit.get("alternate_titles") or [])]
    return str(max(titles, key=lambda t: (len(words & set(t.lower().split())), t == hit["title"])))
