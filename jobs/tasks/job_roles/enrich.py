"""job_roles__enrich: propose, for a custom job role, a third-person description, keywords, the nearest
catalogue occupation (among candidates found by trigram similarity) and a seniority; store the
proposal for reviewers (app.job_role_enrichments), then queue the role's embedding for the index.

Enqueued by a trigger when a custom role is inserted (the submission took the learner's
custom_role_enrichment quota). Idempotent: re-reads the role, replaces the proposal.
The AI not configured or unavailable, or the global budget spent -> the job waits as the same row
(JobDeferred); output broken on every try -> dead (ai.invalid_output).
"""

from __future__ import annotations

import json
import uuid

from core.ai.client import Usage
from core.ai.enrichment import NO_MATCH, enrichment_schema, validate_enrichment
from core.ai.errors import AIInvalidOutput, AIUnavailable
from core.ai.prompts import enrichment_messages
from core.ai.runtime import record_usage
from jobs.ai_spend import deferral, require_budget, require_configured
from jobs.registry import Backoff, JobContext, PermanentJobError, job_kind

KIND = "job_roles__enrich"
CANDIDATES = 8

ROLE = """
select r.title, r.description, r.source, r.created_by, i.name as industry
from app.job_roles as r
left join app.industries as i on i.industry_id = r.industry_id
where r.job_role_id = $1
"""

# Nearest catalogue occupations by title (and alternate titles) similarity: the model chooses among them.
NEAREST = """
select r.job_role_id, r.onet_code, r.title
from app.job_roles as r
where r.source = 'onet' and r.status = 'active'
order by greatest(
    extensions.similarity(r.title, $1),
    coalesce((
        select max(extensions.similarity(a.title, $1)) from app.job_role_alternate_titles as a
        where a.job_role_id = r.job_role_id
    ), 0)
) desc, r.title
limit $2
"""

STORE = """
insert into app.job_role_enrichments as e
    (job_role_id, description_third_person, keywords, nearest_job_role_id, seniority, model)
values ($1, $2, $3, $4, $5, $6)
on conflict (job_role_id) do update
set description_third_person = excluded.description_third_person, keywords = excluded.keywords,
    nearest_job_role_id = excluded.nearest_job_role_id, seniority = excluded.seniority, model = excluded.model
"""


def role_of(payload: dict[str, object]) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload["job_role_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentJobError(f"payload needs a job_role_id uuid, got {payload!r}") from exc


@job_kind(KIND, timeout=300, max_attempts=5, backoff=Backoff(base=30, cap=1800))
async def enrich_job_role(job: JobContext) -> None:
    role_id = role_of(job.payload)
    role = await job.conn.fetchrow(ROLE, role_id)
    if role is None or role["source"] != "custom":
        return  # deleted meanwhile, or a catalogue occupation: nothing to propose
    candidates = [dict(r) for r in await job.conn.fetch(NEAREST, role["title"], CANDIDATES)]
    codes = [c["onet_code"] for c in candidates]
    client = job.ai
    require_configured(client)
    await require_budget(job.conn)
    usage: list[Usage] = []
    try:
        proposal = await client.chat_json(
            messages=enrichment_messages(
                role["title"],
                role["description"],
                role["industry"],
                [{"onet_code": c["onet_code"], "title": c["title"]} for c in candidates],
            ),
            schema_name="job_role_enrichment",
            schema=enrichment_schema(codes),
            validate=lambda raw: validate_enrichment(raw, codes),
            on_usage=usage.append,
            max_tokens=800,
        )
    except AIUnavailable as exc:
        raise deferral(exc) from exc
    except AIInvalidOutput as exc:
        raise PermanentJobError(str(exc), exc.code) from exc
    nearest = next((c["job_role_id"] for c in candidates if c["onet_code"] == proposal.nearest_onet_code), None)
    assert proposal.nearest_onet_code == NO_MATCH or nearest is not None
    async with job.completing() as conn:
        await conn.execute(
            STORE,
            role_id,
            proposal.description_third_person,
            proposal.keywords,
            nearest,
            proposal.seniority,
            client.settings.chat_model,
        )
        await record_usage(conn, role["created_by"], "job_role_enrichment", usage)
        # Index the role (with its new keywords) for its author: its embedding first.
        await conn.execute(
            "select private.enqueue_job('job_roles__embed', $1::jsonb, $2, now(), $3)",
            json.dumps({"job_role_ids": [str(role_id)]}),
            f"job_roles__embed:{role_id}",
            role["created_by"],
        )
