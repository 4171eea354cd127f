-- Compute a step's new state once: the broadcast trigger keeps the state it sent in a transaction-local
-- setting, and the RPC that made the change returns it instead of computing it again (the state query
-- is the most expensive part of a step). A fresh computation remains the fallback.
-- Touches: private.onboarding__changed_state (new), private.tg_onboardings__broadcast,
--          private.onboarding__record.

-- The state a writing RPC returns: the one its own update just broadcast, or, should that not be the
-- caller's (no update fired in this transaction), computed afresh.
create function private.onboarding__changed_state(target uuid) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    sent jsonb := nullif(pg_catalog.current_setting('fluentpro.onboarding_state', true), '')::jsonb;
begin
    if sent ->> 'profile_id' = target::text then
        return sent;
    end if;
    return private.onboarding__state(target);
end;
$$;

comment on function private.onboarding__changed_state(uuid) is
'After a step''s update of app.onboardings: the state its broadcast trigger computed (else a fresh one).';

grant execute on function private.onboarding__changed_state(uuid) to authenticated;

create or replace function private.tg_onboardings__broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    target uuid := coalesce(new.profile_id, old.profile_id);
    state jsonb := private.onboarding__state(target);
    topic text := 'user:' || target::text;
begin
    -- The RPC that made this change returns this same state (private.onboarding__changed_state).
    perform pg_catalog.set_config('fluentpro.onboarding_state', state::text, true);
    perform realtime.send(pg_catalog.jsonb_build_object('state', state), 'onboarding_state', topic, true);
    if tg_op = 'UPDATE' and old.completed_at is null and new.completed_at is not null then
        perform realtime.send(pg_catalog.jsonb_build_object('state', state), 'onboarding_completed', topic, true);
    end if;
    return null;
end;
$$;

create or replace function private.onboarding__record(target uuid, step text, details jsonb) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.onboarding__log(target, step, details);
    update app.onboardings as o set version = o.version + 1 where o.profile_id = target;
    return private.onboarding__changed_state(target);
end;
$$;
