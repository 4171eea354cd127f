"""learning_plans__generate: build a learner's plan from their onboarding choices with the chat model
(structured output), validate it against the plan schema and their choices, then store it.

Enqueued by onboarding completion, by api.request_learning_plan and, debounced, by choice changes (all
with one dedupe key per learner). Idempotent: it re-reads the choices and replaces the plan whole.
Every generation counts against the learner's learning_plan_regeneration limit, charged before the
call and given back if it fails or waits (jobs.ai_spend), so only a generation that ran is charged.
Outcomes: plan stored (ready); the AI not configured or unavailable, the budget or the learner's limit
spent -> the job waits as the same row (JobDeferred, no attempt spent) and the plan row says failed with
that code meanwhile; output broken on every try -> dead at once, the plan row says failed /
ai.invalid_output, the previous plan untouched; other upstream errors -> retried with backoff, then dead
(ai.upstream_error).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg

from core.ai.client import Usage
from core.ai.errors import AIInvalidOutput, AIUnavailable
from core.ai.plan import PLAN_SCHEMA, SCHEMA_VERSION, Pair, PlanContext, plan_to_json, validate_plan
from core.ai.prompts import plan_messages
from core.ai.runtime import record_usage
from jobs.ai_spend import charged, deferral, require_configured
from jobs.registry import Backoff, JobContext, PermanentJobError, job_kind

KIND = "learning_plans__generate"
LIMIT = "learning_plan_regeneration"  # private.ai_rate_limits: every generation, asked for or automatic

CHOICES = """
select nl.name as native_language, i.name as industry, r.title, r.description
from app.onboardings as o
join app.native_languages as nl on nl.native_language_id = o.native_language_id
join app.industries as i on i.industry_id = o.industry_id
join app.job_roles as r on r.job_role_id = o.job_role_id
where o.profile_id = $1 and o.completed_at is not null
"""

PAIRS = """
select cp.slug as partner, cp.name as partner_name, s.slug as situation, s.name as situation_name
from app.onboarding_partners as p
join app.communication_partners as cp on cp.communication_partner_id = p.communication_partner_id
join app.onboarding_partner_situations as ps
    on ps.profile_id = p.profile_id and ps.communication_partner_id = p.communication_partner_id
join app.situations as s on s.situation_id = ps.situation_id
where p.profile_id = $1
order by p.priority, ps.priority
"""

STORE = """
insert into app.learning_plans as p
    (profile_id, status, plan, inputs, schema_version, model, generated_at, failure_code)
values ($1, 'ready', $2::jsonb, $3::jsonb, $4, $5, now(), null)
on conflict (profile_id) do update
set status = 'ready', plan = excluded.plan, inputs = excluded.inputs, schema_version = excluded.schema_version,
    model = excluded.model, generated_at = excluded.generated_at, failure_code = null
"""


async def load_context(conn: asyncpg.Connection, profile_id: uuid.UUID) -> PlanContext | None:
    """The learner's completed choices, pairs in priority order; None when onboarding is not complete."""
    row = await conn.fetchrow(CHOICES, profile_id)
    if row is None:
        return None
    pairs = tuple(Pair(**dict(r)) for r in await conn.fetch(PAIRS, profile_id))
    partners = await conn.fetch("select slug from app.communication_partners where is_active order by sort_order")
    situations = await conn.fetch("select slug from app.situations where is_active order by sort_order")
    return PlanContext(
        native_language=row["native_language"],
        industry=row["industry"],
        job_role_title=row["title"],
        job_role_description=row["description"],
        pairs=pairs,
        catalogue_partners=tuple(r["slug"] for r in partners),
        catalogue_situations=tuple(r["slug"] for r in situations),
    )


def profile_of(payload: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload["profile_id"]))
    except (KeyError, ValueError) as exc:
        raise PermanentJobError(f"payload needs a profile_id uuid, got {payload!r}") from exc


@job_kind(KIND, timeout=600, max_attempts=4, backoff=Backoff(base=30, cap=1800))
async def generate_learning_plan(job: JobContext) -> None:
    profile_id = profile_of(job.payload)
    context = await load_context(job.conn, profile_id)
    if context is None:
        # Reset (or never completed) since the job was queued: nothing to build; a later completion asks again.
        async with job.completing() as conn:
            await conn.execute(
                "delete from app.learning_plans where profile_id = $1 and status = 'pending' and plan is null",
                profile_id,
            )
        return
    client = job.ai
    require_configured(client)
    usage: list[Usage] = []
    async with charged(job.conn, profile_id, LIMIT):
        try:
            plan = await client.chat_json(
                messages=plan_messages(context),
                schema_name="learning_plan",
                schema=PLAN_SCHEMA,
                validate=lambda raw: validate_plan(raw, context),
                on_usage=usage.append,
            )
        except AIUnavailable as exc:
            raise deferral(exc) from exc
        except AIInvalidOutput as exc:
            # Already asked max_attempts times within this attempt; the code lands in the plan's failure_code.
            raise PermanentJobError(str(exc), exc.code) from exc
        async with job.completing() as conn:
            await conn.execute(
                STORE,
                profile_id,
                plan_to_json(plan),
                json.dumps(context.as_prompt_json()),
                SCHEMA_VERSION,
                client.settings.chat_model,
            )
            await record_usage(conn, profile_id, "learning_plan", usage)
