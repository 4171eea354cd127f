-- Serialises concurrent steps of one learner: creates the onboarding row if missing, then locks it
-- until the transaction ends. Every writing RPC calls it before reading the state it changes.
create or replace function private.onboarding__lock(target uuid) returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
    insert into app.onboardings (profile_id) values (target) on conflict (profile_id) do nothing;
    perform from app.onboardings as o where o.profile_id = target for update;
end;
$$;

comment on function private.onboarding__lock(uuid) is
'Create (if missing) and lock the learner''s onboarding row for the rest of the transaction.';

grant execute on function private.onboarding__lock(uuid) to authenticated;
