-- Count one AI request of a learner against a feature's limit (private.ai_rate_limits, counted in
-- private.ai_requests), and give it back. The jobs charge as the owner right before the AI call, in a
-- transaction of its own (none is held open across the call), and refund when the work fails or
-- waits, so only work that ran counts; the sidecar's quota (private.ai_take_quota) charges the same way.

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

-- Give back the learner's latest counted request of the feature (the one a failed job charged).
create or replace function private.ai_refund(learner uuid, feature text) returns void
language sql
volatile
set search_path = ''
as $$
    delete from private.ai_requests as r
    where r.ai_request_id = (
        select max(q.ai_request_id) from private.ai_requests as q
        where q.profile_id = learner and q.feature = ai_refund.feature
    )
$$;

comment on function private.ai_refund(uuid, text) is
'Give back the learner''s latest counted request of a feature, for work that failed or waits (owner only).';
