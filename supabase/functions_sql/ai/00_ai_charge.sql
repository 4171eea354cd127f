-- Count one AI request of a learner against a feature's limit (private.ai_rate_limits, counted in
-- private.ai_requests), and give it back. The jobs charge as the owner right before the AI call, in a
-- transaction of its own (none is held open across the call), and give it back (private.ai_refund) when the
-- work fails or waits, so only work that ran counts; the sidecar's quota (private.ai_take_quota) charges the same way.

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
    perform pg_catalog.pg_advisory_xact_lock(
        private.lock_space('ai_charge'), pg_catalog.hashtext(learner::text || ':' || ai_charge.feature)
    );
    wait_seconds := private.ai_window_wait(learner, ai_charge.feature);
    if wait_seconds = 0 then
        insert into private.ai_requests (profile_id, feature) values (learner, ai_charge.feature);
    end if;
    return wait_seconds;
end;
$$;

comment on function private.ai_charge(uuid, text) is
'Count one AI request of a learner against a feature''s limit: 0 if counted, else seconds to wait (owner only).';
