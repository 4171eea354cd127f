-- api.onboarding_state: where the learner is.
create or replace function api.onboarding_state() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return private.onboarding__state();
end;
$$;

comment on function api.onboarding_state() is
'Your onboarding state: status (not_started, in_progress, completed), is_complete, completed_at, missing (required steps not done), can_complete, next_step, steps (done flags), native_language, industry, job_role, communication_partners (ordered, each with its ordered situations), partners_without_situations, version. Every onboarding RPC returns this shape, and each change is broadcast on Realtime topic user:<your id> (event onboarding_state; onboarding_completed on completion). Like every RPC, refuses a caller it does not know: auth.not_signed_in (401), profile.not_found (404), auth.profile_suspended (403).';

grant execute on function api.onboarding_state() to authenticated;
