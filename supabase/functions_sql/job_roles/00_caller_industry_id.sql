-- The industry the caller chose in onboarding (null until they choose one): the ranking boost.
-- security definer: reads the caller's own onboarding row; returns only their industry id.
create or replace function private.caller_industry_id() returns uuid
language sql
stable
security definer
set search_path = ''
as $$
    select o.industry_id from app.onboardings as o where o.profile_id = auth.uid()
$$;

comment on function private.caller_industry_id() is 'The industry the caller chose in onboarding, or null.';

grant execute on function private.caller_industry_id() to authenticated, service_role;
