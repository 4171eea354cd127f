-- api.complete_onboarding: the last step.
create or replace function api.complete_onboarding() returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    state jsonb;
begin
    perform private.onboarding__lock(caller);
    state := private.onboarding__state();
    if (state ->> 'is_complete')::boolean then
        return state;  -- completing twice changes nothing and asks for no second plan
    end if;
    if state -> 'missing' != '[]'::jsonb then
        perform private.raise_error(
            'onboarding.incomplete', 'Some required steps are missing.', 409,
            pg_catalog.jsonb_build_object('missing', state -> 'missing')
        );
    end if;
    -- Setting completed_at enqueues the learning plan and broadcasts onboarding_completed (triggers).
    perform private.onboarding__log(caller, 'completed', '{}');
    update app.onboardings as o set completed_at = pg_catalog.now(), version = o.version + 1
    where o.profile_id = caller;
    return private.onboarding__changed_state();
end;
$$;

comment on function api.complete_onboarding() is
'Onboarding: finish (needs native language, industry and job role; partners and situations are optional). Idempotent. Later steps never undo completion. Asks for your learning plan. Returns the new state, as api.onboarding_state(). Errors: onboarding.incomplete (409, details.missing lists the steps).';

grant execute on function api.complete_onboarding() to authenticated;
