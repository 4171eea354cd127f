-- api.my_learning_plan: the caller's learning plan and where its generation stands.
create or replace function api.my_learning_plan() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    found_plan app.learning_plans;
begin
    -- RLS (select_own) would hide other learners' rows anyway; the filter states the intent.
    select * into found_plan from app.learning_plans as p where p.profile_id = caller;
    if not found then
        return pg_catalog.jsonb_build_object('status', 'none', 'plan', null);
    end if;
    return pg_catalog.jsonb_build_object(
        'learning_plan_id', found_plan.learning_plan_id,
        'status', found_plan.status,
        'plan', found_plan.plan,
        'schema_version', found_plan.schema_version,
        'failure_code', found_plan.failure_code,
        'requested_at', found_plan.requested_at,
        'generated_at', found_plan.generated_at
    );
end;
$$;

comment on function api.my_learning_plan() is
'Your learning plan: {status none|pending|ready|failed, plan (null until the first success; the previous plan while a new one is pending or after a failure), schema_version, failure_code, requested_at, generated_at}. failed with ai.not_configured, ai.circuit_open, ai.budget_exhausted or ai.rate_limited means the generation cannot run now and waits (it runs by itself later); other codes mean it failed. Errors: auth.not_signed_in (401).';

grant execute on function api.my_learning_plan() to authenticated;
