-- api.select_job_role: onboarding step 3, picking a role found by search.
create or replace function api.select_job_role(job_role_id uuid) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    found_status text;
begin
    if select_job_role.job_role_id is null then
        perform private.raise_error(
            'onboarding.invalid_argument', 'job_role_id is required.', 400,
            pg_catalog.jsonb_build_object('argument', 'job_role_id')
        );
    end if;
    -- Runs under app.job_roles' policies: a role the caller cannot see does not exist for them.
    select r.status into found_status from app.job_roles as r where r.job_role_id = select_job_role.job_role_id;
    if found_status is null then
        perform private.raise_error(
            'onboarding.job_role_not_found', 'No such job role.', 404,
            pg_catalog.jsonb_build_object('job_role_id', select_job_role.job_role_id)
        );
    end if;
    if not private.onboarding__job_role_selectable(select_job_role.job_role_id, caller) then
        perform private.raise_error(
            'onboarding.job_role_not_selectable', 'This job role cannot be chosen.', 422,
            pg_catalog.jsonb_build_object('job_role_id', select_job_role.job_role_id, 'status', found_status)
        );
    end if;

    perform private.onboarding__lock(caller);
    perform private.onboarding__log(caller, 'job_role', pg_catalog.jsonb_build_object('job_role_id', select_job_role.job_role_id));
    -- One update per step: it bumps the version and so broadcasts the new state once.
    update app.onboardings as o set job_role_id = select_job_role.job_role_id, version = o.version + 1 where o.profile_id = caller;
    return private.onboarding__changed_state();
end;
$$;

comment on function api.select_job_role(uuid) is
'Onboarding: choose a job role (active or approved, or your own custom role under review). Returns the new state, as api.onboarding_state(). Errors: onboarding.job_role_not_found (404, also when not visible to you), onboarding.job_role_not_selectable (422).';

grant execute on function api.select_job_role(uuid) to authenticated;
