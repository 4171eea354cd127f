-- api.reset_onboarding: start over (one's own; an admin's for anyone).
create or replace function api.reset_onboarding(profile_id uuid default null) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.onboarding__caller();
begin
    return private.onboarding__reset(coalesce(reset_onboarding.profile_id, caller));
end;
$$;

comment on function api.reset_onboarding(uuid) is
'Onboarding: clear every choice and the completion (history is kept). Without profile_id: your own; with another user''s id: needs the onboarding.reset_any permission (admins). Returns that user''s new state, as api.onboarding_state(). Errors: onboarding.reset_forbidden (403), onboarding.target_not_found (404).';

grant execute on function api.reset_onboarding(uuid) to authenticated;
