-- For steps that write other tables: log the step, bump the version (the one update that broadcasts
-- the new state, after every other write of the step), return the new state.
create or replace function private.onboarding__record(target uuid, step text, details jsonb) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.onboarding__log(target, step, details);
    update app.onboardings as o set version = o.version + 1 where o.profile_id = target;
    return private.onboarding__changed_state();
end;
$$;

comment on function private.onboarding__record(uuid, text, jsonb) is
'Log a step, bump the onboarding version (broadcasting the new state once) and return the new state.';

grant execute on function private.onboarding__record(uuid, text, jsonb) to authenticated;
