"""job_roles__index: bring one role's document in the Azure AI Search index up to date.

Enqueued by a trigger when a custom role is approved, merged, rejected or edited after approval
(supabase/migrations/20261126040200_create_job_role_review.sql). Without Azure configured there is
no index to update and the job is done at once: search then answers from PostgreSQL, which reads the
tables directly. Embeddings come from the AI client when it is configured; otherwise the document
is indexed for text search only.
"""

from __future__ import annotations

import uuid

from core.search.index import index_job_roles
from jobs.registry import Backoff, JobContext, PermanentJobError, job_kind

KIND = "job_roles__index"


@job_kind(KIND, timeout=120, max_attempts=6, backoff=Backoff(base=30, cap=1800))
async def index_role(job: JobContext) -> None:
    try:
        role_id = str(uuid.UUID(str(job.payload["job_role_id"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"payload needs a job_role_id uuid, got {job.payload!r}") from exc
    search = job.services.search
    if not search.configured:
        return
    embed = job.ai.embed if job.services.openai.configured else None
    await index_job_roles(job.conn, search, [role_id], embed=embed)
