-- The caller's per-learner AI limits, for the sidecar and the api functions.
--   private.ai_take_quota(feature): count one request (private.ai_charge) if the window has room.
--   private.ai_quota_wait(feature): the caller's wait, without counting (api.request_learning_plan).

-- security definer: learners have no rights on the quota tables; it acts only for private.caller_id().
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
