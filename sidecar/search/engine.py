"""Job-role search for the sidecar. Engines, the first that can answer:
- Azure AI Search when configured (hybrid text + vector query with the caller's industry boost);
- the fused ranking (core.search.semantic): the embedded lexical ranker's candidates and the
  job-title encoder's nearest titles, scored together, with the caller's industry boost;
- the embedded lexical ranker alone, `api.search_job_roles`, as PostgREST clients call it: when Azure
  fails, and when the encoder is off, missing or unreadable, or its index is not built yet (each such
  fallback is logged at start or counted in LEXICAL_FALLBACKS by reason).

Every engine runs acting as the user: Azure's and the encoder's hits are re-read through RLS (so a
role that is not visible to the caller never shows), and the lexical path is the user's own RPC call.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
from azure.core.exceptions import AzureError
from azure.search.documents.models import VectorizedQuery, VectorQuery
from prometheus_client import Counter

from core.ai.errors import AIError
from core.search.index import INDUSTRY_PROFILE, Embed, search_client
from core.search.semantic import CANDIDATES, fuse
from core.search.settings import AzureSearchSettings
from sidecar.errors import ProblemError
from sidecar.search.semantic_index import SemanticIndex

log = logging.getLogger("sidecar.search")
MAX_TITLE, MAX_DESCRIPTION, MAX_RESULTS = 200, 2000, 50

POSTGRES_SQL = "select * from api.search_job_roles($1, $2, $3)"
# Engines' hits as the caller may see them (RLS), with their curated relevance to the caller's industry
# (the fused ranking's boost, 1 + 0.1 x relevance, the lexical ranker's; Azure applies its own).
VISIBLE_SQL = """
select r.job_role_id::text as id, r.job_role_id, r.onet_code, r.title, r.description,
    coalesce(ji.relevance, 0) as relevance
from app.job_roles r
left join app.job_role_industries ji
    on ji.job_role_id = r.job_role_id and ji.industry_id = (select private.caller_industry_id())
where r.job_role_id = any($1::uuid[])
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


LEXICAL_FALLBACKS = Counter(
    "fluentpro_job_role_search_lexical_fallbacks",
    "Job-role searches answered by the lexical ranker alone although semantic search is on, by reason",
    ["reason"],
)
ENCODER_UNAVAILABLE, INDEX_NOT_BUILT, SEMANTIC_FAILED = (
    LEXICAL_FALLBACKS.labels(reason) for reason in ("encoder_unavailable", "index_not_built", "semantic_failed")
)


class JobRoleSearch:
    """Picks the engine; long-lived (one per app), holds settings, the embedder and the semantic index.

    `semantic_wanted` with no `semantic` index means the encoder was asked for but could not be loaded.
    """

    def __init__(
        self,
        settings: AzureSearchSettings,
        embed: Embed | None = None,
        *,
        semantic: SemanticIndex | None = None,
        semantic_wanted: bool = False,
    ) -> None:
        self.settings = settings
        self.embed = embed
        self.semantic = semantic
        self.semantic_wanted = semantic_wanted or semantic is not None

    @property
    def state(self) -> str:
        """Which engine answers now (readiness reports it; a lexical answer is degraded, not down)."""
        if self.settings.configured:
            return "azure"
        if not self.semantic_wanted:
            return "lexical"
        if self.semantic is None:
            return "lexical: encoder unavailable"
        return "fused" if self.semantic.index is not None else "lexical: semantic index not built yet"

    async def search(
        self, conn: asyncpg.Connection, query: SearchQuery, viewer: str | None = None
    ) -> list[dict[str, Any]]:
        """`conn` acts as the user (sidecar.acting.acting_as) whose profile id is `viewer`."""
        query.validate()
        if self.settings.configured:
            try:
                return await self._azure(conn, query)
            except (AzureError, OSError, TimeoutError) as exc:
                log.warning("azure search failed, answering from postgres", extra={"error": repr(exc)})
        if self.semantic_wanted:
            return await self._fused(conn, query, viewer)
        return await self._lexical(conn, query, query.max_results)

    async def _lexical(self, conn: asyncpg.Connection, query: SearchQuery, limit: int) -> list[dict[str, Any]]:
        records = await conn.fetch(POSTGRES_SQL, query.title, query.description, limit)
        return [row(r, r["score"], r["matched_title"], "postgres") for r in records]

    async def _fused(self, conn: asyncpg.Connection, query: SearchQuery, viewer: str | None) -> list[dict[str, Any]]:
        semantic = self.semantic
        index = semantic.index if semantic is not None else None
        if semantic is None or index is None:
            (ENCODER_UNAVAILABLE if semantic is None else INDEX_NOT_BUILT).inc()
            return await self._lexical(conn, query, query.max_results)
        encoder = semantic.encoder

        def nearest() -> dict[str, tuple[float, float, str]]:
            [vector] = encoder.encode([query.title])
            return index.similarities(vector, viewer)

        wanted = max(CANDIDATES, query.max_results)
        # The lexical candidates (one round trip) while a worker thread encodes and ranks by meaning.
        lexical_hits: list[dict[str, Any]] | BaseException
        similar: dict[str, tuple[float, float, str]] | BaseException
        lexical_hits, similar = await asyncio.gather(
            self._lexical(conn, query, wanted), asyncio.to_thread(nearest), return_exceptions=True
        )
        if isinstance(lexical_hits, BaseException):
            raise lexical_hits
        if isinstance(similar, BaseException):  # an encoder failure costs the search its meaning, not its answer
            SEMANTIC_FAILED.inc()
            log.warning("semantic ranking failed, answering lexically", extra={"error": repr(similar)})
            return lexical_hits[: query.max_results]
        lexical = {hit["job_role_id"]: hit for hit in lexical_hits}
        matches = fuse(
            similar,
            {key: (hit["score"], hit["matched_title"]) for key, hit in lexical.items()},
            limit=2 * wanted,
            candidates=wanted,
        )
        # Re-read through RLS: the index hides others' pending roles, but visibility is the database's call.
        visible = {r["id"]: r for r in await conn.fetch(VISIBLE_SQL, [m.key for m in matches])}
        ranked = sorted(
            (
                row(visible[m.key], m.score * (1 + 0.1 * float(visible[m.key]["relevance"])), m.matched_title, "fused")
                for m in matches
                if m.key in visible
            ),
            key=lambda hit: (-hit["score"], hit["title"]),
        )
        return ranked[: query.max_results]

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
