-- api.request_learning_plan: ask for a new learning plan now (rate-limited per learner).
create or replace function api.request_learning_plan() returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    wait_seconds integer;
begin
    if not exists (
        select from app.onboardings as o where o.profile_id = caller and o.completed_at is not null
    ) then
        perform private.raise_error(
            'ai.onboarding_incomplete', 'Complete onboarding first: the plan is built from your choices.', 409
        );
    end if;
    perform private.ai_require_budget();
    -- Only a look: the job charges the quota when the generation runs (a request that joins a queued
    -- generation, or one that cannot run, costs nothing), so answering here just spares a wait.
    wait_seconds := private.ai_quota_wait('learning_plan_regeneration');
    if wait_seconds > 0 then
        perform private.raise_error(
            'ai.rate_limited', 'You have asked for new plans too often; try again later.', 429,
            pg_catalog.jsonb_build_object('retry_after_seconds', wait_seconds)
        );
    end if;
    -- Joins a generation already queued for the learner (brought forward to now), else queues one now.
    perform private.request_my_learning_plan();
    return api.my_learning_plan();
end;
$$;

comment on function api.request_learning_plan() is
'Ask for a new learning plan built from your current onboarding choices; the current plan stays readable until the new one is ready (Realtime learning_plan_ready). Every generation that runs, asked for or caused by changed choices, counts against your learning_plan_regeneration limit (private.ai_rate_limits); asking while one is queued joins it. Returns api.my_learning_plan(). Errors: auth.not_signed_in (401), ai.onboarding_incomplete (409), ai.rate_limited (429, details.retry_after_seconds), ai.budget_exhausted (503, details.retry_after_seconds).';

grant execute on function api.request_learning_plan() to authenticated;
