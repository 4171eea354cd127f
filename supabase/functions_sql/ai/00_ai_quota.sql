-- Per-learner AI limits (private.ai_rate_limits), counted in private.ai_requests over a sliding window.
--   private.ai_charge(learner, feature): count one request if the window has room (the jobs call it,
--       as the owner, right before the AI call, in the transaction that stores the result: a generation
--       that fails or waits rolls its charge back, so only work that ran is counted).
--   private.ai_take_quota(feature): the same for the caller (the sidecar, api.submit_custom_job_role).
--   private.ai_quota_wait(feature): the caller's wait, without counting (api.request_learning_plan).

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

-- How long a learner must wait before the feature's window has room (0: now). Reads only.
create or replace function private.ai_window_wait(learner uuid, feature text) returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
    limits private.ai_rate_limits;
    used integer;
    oldest timestamptz;
begin
    select * into limits from private.ai_rate_limits as l where l.feature = ai_window_wait.feature;
    if not found then
        raise exception 'unknown rate-limited feature %', ai_window_wait.feature using errcode = '22023';
    end if;
    select count(*), min(r.created_at) into used, oldest
    from private.ai_requests as r
    where
        r.profile_id = learner and r.feature = limits.feature
        and r.created_at > pg_catalog.now() - pg_catalog.make_interval(secs => limits.window_seconds);
    if used < limits.max_requests then
        return 0;
    end if;
    return greatest(
        1,
        pg_catalog.ceil(extract(epoch from (
            oldest + pg_catalog.make_interval(secs => limits.window_seconds) - pg_catalog.now()
        )))::integer
    );
end;
$$;

comment on function private.ai_window_wait(uuid, text) is
'Seconds until a learner''s window of a rate-limited AI feature has room (0: now); counts nothing (owner only).';

-- security definer: learners have no rights on the quota tables; it acts only for auth.uid().
create or replace function private.ai_take_quota(feature text) returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
    return private.ai_charge(private.caller_id(), ai_take_quota.feature);
end;
$$;

comment on function private.ai_take_quota(text) is
'Count one request of the caller (auth.uid()) against a feature''s rate limit: 0 if allowed, else seconds to wait.';

grant execute on function private.ai_take_quota(text) to authenticated;

-- security definer: as ai_take_quota; reads only the caller's own requests.
create or replace function private.ai_quota_wait(feature text) returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return private.ai_window_wait(private.caller_id(), ai_quota_wait.feature);
end;
$$;

comment on function private.ai_quota_wait(text) is
'Seconds until the caller may use a rate-limited AI feature again (0: now), without counting a request.';

grant execute on function private.ai_quota_wait(text) to authenticated;
