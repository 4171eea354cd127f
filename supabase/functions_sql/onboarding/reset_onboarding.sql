-- api.reset_onboarding: start over (one's own; an admin's for anyone).
create or replace function api.reset_onboarding(profile_id uuid default null) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
begin
    return private.onboarding__reset(coalesce(reset_onboarding.profile_id, caller));
end;
$$;

comment on function api.reset_onboarding(uuid) is
'Onboarding: clear every choice and the completion (history is kept). Without profile_id: your own; with another user''s id: needs the onboarding.reset_any permission (admins). Returns that user''s new state, as api.onboarding_state(). Errors: onboarding.reset_forbidden (403), onboarding.target_not_found (404).';

grant execute on function api.reset_onboarding(uuid) to authenticated;

-- Reset: one's own onboarding, or anyone's with onboarding.reset_any. Deletes the onboarding row (its
-- partners and situations follow by cascade), keeps the history and records the reset in it.
-- security definer: an admin resets rows that RLS hides from them; the permission is checked here.
create or replace function private.onboarding__reset(target uuid) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
begin
    if target is distinct from caller and not private.has_permission('onboarding.reset_any') then
        perform private.raise_error(
            'onboarding.reset_forbidden', 'Only admins may reset another user''s onboarding.', 403
        );
    end if;
    if target is null or not exists (select from app.profiles as p where p.profile_id = target) then
        perform private.raise_error(
            'onboarding.target_not_found', 'No such user.', 404, pg_catalog.jsonb_build_object('profile_id', target)
        );
    end if;
    perform private.onboarding__lock(target);
    delete from app.onboardings as o where o.profile_id = target;
    insert into app.onboarding_steps (profile_id, step, details, recorded_by)
    values (target, 'reset', '{}', caller);
    return private.onboarding__state_of(target);
end;
$$;

comment on function private.onboarding__reset(uuid) is
'Reset a learner''s onboarding (own, or anyone''s with onboarding.reset_any); returns the new state.';

grant execute on function private.onboarding__reset(uuid) to authenticated;
