-- Appends a step to the learner's history (in the caller's transaction).
create or replace function private.onboarding__log(target uuid, step text, details jsonb) returns void
language sql
volatile
set search_path = ''
as $$
    insert into app.onboarding_steps (profile_id, step, details)
    values (target, onboarding__log.step, onboarding__log.details)
$$;

comment on function private.onboarding__log(uuid, text, jsonb) is 'Append a step to the learner''s onboarding history.';

grant execute on function private.onboarding__log(uuid, text, jsonb) to authenticated;
