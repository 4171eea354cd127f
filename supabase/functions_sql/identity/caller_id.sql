-- private.caller_id(): who is calling. The first line of every api function: it answers with the
-- caller's profile id, or refuses with one code per reason, the same for every function.
create or replace function private.caller_id() returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    caller uuid := auth.uid();
    profile_status text;
begin
    if caller is null then
        perform private.raise_error('auth.not_signed_in', 'Sign in first.', 401);
    end if;
    -- Invoker rights: every user may read their own profile row (app.profiles' select_own policy).
    select p.status into profile_status from app.profiles as p where p.profile_id = caller;
    if profile_status is null then
        perform private.raise_error('profile.not_found', 'No profile for this token; exchange a new one.', 404);
    elsif profile_status != 'active' then
        perform private.raise_error('auth.profile_suspended', 'This profile is suspended.', 403);
    end if;
    return caller;
end;
$$;

comment on function private.caller_id() is
'The calling user''s profile id; raises auth.not_signed_in (401), profile.not_found (404) or auth.profile_suspended (403).';

grant execute on function private.caller_id() to authenticated, service_role;
