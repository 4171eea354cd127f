"""job_roles__embed: embeddings of job roles for the Azure AI Search index, batched, retried, resumable.

Payload: {"job_role_ids": [...]} for given roles, or {} for every role whose embedding is missing or
stale (its text changed: content_sha256 differs). One run embeds at most ROWS_PER_RUN roles (each
embeddings request of the client carries up to 96 inputs and is retried on its own) and commits them
with the job's completion; if more are stale it queues its continuation, so a failure loses at most one run's work
and the next run resumes where the last committed one ended. The Azure indexer reads the vectors from
private.job_role_embeddings.
"""

from __future__ import annotations

import json
import uuid

from core.ai.client import Usage
from core.ai.errors import AIUnavailable
from core.ai.runtime import record_usage
from jobs.ai_spend import deferral, require_budget
from jobs.registry import Backoff, JobContext, PermanentJobError, job_kind

KIND = "job_roles__embed"
ROWS_PER_RUN = 192

# The text embedded per role (the original's "Job Title: ...\n\nDescription: ..." plus enrichment keywords),
# and its hash, for the roles whose stored embedding for this model is missing or stale.
STALE = """
with texts as (
    select r.job_role_id,
        'Job Title: ' || r.title || E'\n\nDescription: ' || r.description
        || coalesce(E'\n\nKeywords: ' || array_to_string(e.keywords, ', '), '') as content
    from app.job_roles as r
    left join app.job_role_enrichments as e on e.job_role_id = r.job_role_id
    where r.status not in ('rejected', 'merged') and ($1::uuid[] is null or r.job_role_id = any($1))
)
select t.job_role_id, t.content, encode(extensions.digest(t.content, 'sha256'), 'hex') as content_sha256
from texts as t
left join private.job_role_embeddings as x on x.job_role_id = t.job_role_id and x.model = $2
where x.content_sha256 is distinct from encode(extensions.digest(t.content, 'sha256'), 'hex')
order by t.job_role_id
limit $3
"""

STORE = """
insert into private.job_role_embeddings as x (job_role_id, model, content_sha256, embedding, embedded_at)
values ($1, $2, $3, $4, now())
on conflict (job_role_id, model) do update
set content_sha256 = excluded.content_sha256, embedding = excluded.embedding, embedded_at = excluded.embedded_at
"""


def roles_of(payload: dict[str, object]) -> list[uuid.UUID] | None:
    ids = payload.get("job_role_ids")
    if ids is None:
        return None
    try:
        return [uuid.UUID(str(i)) for i in ids]  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise PermanentJobError(f"job_role_ids must be a list of uuids, got {ids!r}") from exc


@job_kind(KIND, timeout=600, max_attempts=5, backoff=Backoff(base=30, cap=1800))
async def embed_job_roles(job: JobContext) -> None:
    role_ids = roles_of(job.payload)
    client = job.ai
    model = client.settings.embedding_model
    stale = await job.conn.fetch(STALE, role_ids, model, ROWS_PER_RUN + 1)
    batch, more = stale[:ROWS_PER_RUN], len(stale) > ROWS_PER_RUN
    if not batch:
        return
    await require_budget(job.conn)  # the catalogue's embeddings spend the same daily budget as learners
    usage: list[Usage] = []
    try:
        vectors = await client.embed([r["content"] for r in batch], on_usage=usage.append)
    except AIUnavailable as exc:
        raise deferral(exc) from exc  # this row waits, its attempt not spent; no copy is queued
    async with job.completing() as conn:
        await conn.executemany(
            STORE, [(r["job_role_id"], model, r["content_sha256"], v) for r, v in zip(batch, vectors, strict=True)]
        )
        await record_usage(conn, job.profile_id, "job_role_embedding", usage)
        if more:
            await conn.execute(
                "select private.enqueue_job($1, $2::jsonb, null, now(), $3)",
                KIND,
                json.dumps(job.payload),
                job.profile_id,
            )
