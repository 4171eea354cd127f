-- Count one AI request of a learner against a feature's limit (private.ai_rate_limits, counted in
-- private.ai_requests). The jobs call it as the owner, right before the AI call, in the transaction that
-- stores the result: a generation that fails or waits rolls its charge back, so only work that ran counts.

-- 0 when counted, else the whole seconds until the oldest counted request leaves the window.
-- Serialised per learner and feature until the transaction ends, so concurrent charges never overshoot.
create or replace function private.ai_charge(learner uuid, feature text) returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
    wait_seconds integer;
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(learner::text || ':' || ai_charge.feature, 0));
    wait_seconds := private.ai_window_wait(learner, ai_charge.feature);
    if wait_seconds = 0 then
        insert into private.ai_requests (profile_id, feature) values (learner, ai_charge.feature);
    end if;
    return wait_seconds;
end;
$$;

comment on function private.ai_charge(uuid, text) is
'Count one AI request of a learner against a feature''s limit: 0 if counted, else seconds to wait (owner only).';
