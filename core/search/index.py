"""The Azure AI Search index of job roles: its schema, and keeping it equal to the catalogue.

One document per published role (O*NET occupations and approved custom roles): title, alternate
titles, description, the industries it is typical in (a scoring profile boosts the caller's one)
and, when OpenAI is configured, an embedding for hybrid queries. Index management for the CLI:
`ensure_index`, `reindex_all` (full, with progress) and `index_job_roles` (incremental, the
`job_roles__index` job). All read the catalogue as the owner role (the catalogue is public data).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from azure.core.credentials import AzureKeyCredential
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    HnswAlgorithmConfiguration,
    ScoringProfile,
    SearchableField,
    SearchField,
    SearchIndex,
    SimpleField,
    TagScoringFunction,
    TagScoringParameters,
    VectorSearch,
    VectorSearchProfile,
)

from core.search.settings import AzureSearchSettings

Embed = Callable[[Sequence[str]], Awaitable[list[list[float]]]]
Progress = Callable[[int, int], None]
BATCH = 100
INDUSTRY_PROFILE = "industry-boost"
VECTOR_PROFILE = "role-vector-profile"

DOCUMENTS_SQL = """
select r.job_role_id::text as id, r.onet_code, r.title, r.description, r.source,
       coalesce((select array_agg(a.title order by a.title) from app.job_role_alternate_titles a
                 where a.job_role_id = r.job_role_id), '{}') as alternate_titles,
       coalesce((select array_agg(i.slug order by i.slug) from app.job_role_industries ji
                 join app.industries i on i.industry_id = ji.industry_id
                 where ji.job_role_id = r.job_role_id and ji.relevance >= 2), '{}') as industries
from app.job_roles r
where r.status in ('active', 'approved') and ($1::uuid[] is null or r.job_role_id = any($1))
order by r.onet_code nulls last, r.job_role_id
"""


def credential(settings: AzureSearchSettings) -> AzureKeyCredential:
    return AzureKeyCredential(settings.api_key or "")


def search_client(settings: AzureSearchSettings, *, retries: int = 3) -> SearchClient:
    return SearchClient(
        settings.endpoint or "",
        settings.index_name,
        credential(settings),
        connection_timeout=settings.timeout_seconds,
        read_timeout=settings.timeout_seconds,
        retry_total=retries,
    )


def index_definition(settings: AzureSearchSettings) -> SearchIndex:
    return SearchIndex(
        name=settings.index_name,
        fields=[
            SimpleField(name="id", type="Edm.String", key=True),
            SimpleField(name="onet_code", type="Edm.String", filterable=True),
            SearchableField(name="title", analyzer_name="en.microsoft"),
            SearchableField(name="alternate_titles", collection=True, analyzer_name="en.microsoft"),
            SearchableField(name="description", analyzer_name="en.microsoft"),
            SimpleField(name="source", type="Edm.String", filterable=True),
            SearchableField(name="industries", collection=True, filterable=True),
            SearchField(
                name="embedding",
                type="Collection(Edm.Single)",
                searchable=True,
                vector_search_dimensions=settings.vector_dimensions,
                vector_search_profile_name=VECTOR_PROFILE,
            ),
        ],
        vector_search=VectorSearch(
            algorithms=[HnswAlgorithmConfiguration(name="role-hnsw")],
            profiles=[VectorSearchProfile(name=VECTOR_PROFILE, algorithm_configuration_name="role-hnsw")],
        ),
        scoring_profiles=[
            ScoringProfile(
                name=INDUSTRY_PROFILE,
                functions=[
                    TagScoringFunction(
                        field_name="industries", boost=2.0, parameters=TagScoringParameters(tags_parameter="industry")
                    )
                ],
            )
        ],
    )


async def ensure_index(settings: AzureSearchSettings) -> None:
    """Create the index, or update it in place to the current definition (`fluentpro search create-index`)."""
    async with SearchIndexClient(settings.endpoint or "", credential(settings)) as client:
        await client.create_or_update_index(index_definition(settings))


def embedding_text(doc: dict[str, Any]) -> str:
    return (
        f"Job Title: {doc['title']}\n\nAlso known as: {', '.join(doc['alternate_titles'][:30])}\n\n{doc['description']}"
    )


async def documents(conn: asyncpg.Connection, ids: Sequence[str] | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(DOCUMENTS_SQL, list(ids) if ids is not None else None)
    return [
        {**dict(row), "alternate_titles": list(row["alternate_titles"]), "industries": list(row["industries"])}
        for row in rows
    ]


async def upload(client: SearchClient, docs: list[dict[str, Any]], embed: Embed | None) -> None:
    if embed is not None and docs:
        for doc, vector in zip(docs, await embed([embedding_text(d) for d in docs]), strict=True):
            doc["embedding"] = vector
    if docs:
        await client.merge_or_upload_documents(documents=docs)


async def reindex_all(
    pool: asyncpg.Pool, settings: AzureSearchSettings, *, embed: Embed | None = None, progress: Progress | None = None
) -> int:
    """Upload every published role in batches and delete documents of roles no longer published
    (`fluentpro search reindex`); `progress(done, total)` after each batch. Returns the count uploaded."""
    async with pool.acquire() as conn:
        docs = await documents(conn, None)
    async with search_client(settings) as client:
        for start in range(0, len(docs), BATCH):
            await upload(client, docs[start : start + BATCH], embed)
            if progress is not None:
                progress(min(start + BATCH, len(docs)), len(docs))
        wanted = {d["id"] for d in docs}
        stale = [
            {"id": r["id"]} async for r in await client.search(search_text="*", select=["id"]) if r["id"] not in wanted
        ]
        if stale:
            await client.delete_documents(documents=stale)
    return len(docs)


async def index_job_roles(
    conn: asyncpg.Connection, settings: AzureSearchSettings, ids: Sequence[str], *, embed: Embed | None = None
) -> tuple[int, int]:
    """Bring some roles' documents up to date (the `job_roles__index` job): upload the published
    ones, delete the others. Idempotent. Returns (uploaded, deleted)."""
    docs = await documents(conn, ids)
    gone = [{"id": i} for i in ids if i not in {d["id"] for d in docs}]
    async with search_client(settings) as client:
        await upload(client, docs, embed)
        if gone:
            await client.delete_documents(documents=gone)
    return len(docs), len(gone)
