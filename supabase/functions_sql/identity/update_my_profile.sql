-- api.update_my_profile(full_name): the caller edits their own profile (only the name is theirs to edit;
-- email comes from Auth0, status and roles from admins).
create or replace function api.update_my_profile(full_name text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_variable
declare
    cleaned text := pg_catalog.btrim(full_name);
begin
    if (select auth.uid()) is null then
        perform private.raise_error('auth.not_signed_in', 'Sign in to edit your profile.', 401);
    end if;
    if cleaned is null or char_length(cleaned) not between 2 and 100 then
        perform private.raise_error(
            'profile.invalid_full_name', 'The full name must be 2 to 100 characters.', 422,
            jsonb_build_object('field', 'full_name')
        );
    end if;
    update app.profiles as p set full_name = cleaned where p.profile_id = (select auth.uid());
    if not found then
        perform private.raise_error('profile.not_found', 'No profile for this token; exchange a new one.', 404);
    end if;
    return api.me();
end;
$$;

comment on function api.update_my_profile(text) is
'Edit the signed-in user''s full name (2-100 characters, trimmed); returns the profile as api.me() does.';

grant execute on function api.update_my_profile(text) to authenticated;
