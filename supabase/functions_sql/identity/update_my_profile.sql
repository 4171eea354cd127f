-- api.update_my_profile(full_name): the caller edits their own profile (only the name is theirs to edit;
-- email comes from Auth0, status and roles from admins).
create or replace function api.update_my_profile(full_name text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    cleaned text := pg_catalog.btrim(update_my_profile.full_name);
begin
    if cleaned is null or pg_catalog.char_length(cleaned) not between 2 and 100 then
        perform private.raise_error(
            'profile.invalid_full_name', 'The full name must be 2 to 100 characters.', 422,
            pg_catalog.jsonb_build_object('field', 'full_name')
        );
    end if;
    update app.profiles as p set full_name = cleaned where p.profile_id = caller;
    return api.me();
end;
$$;

comment on function api.update_my_profile(text) is
'Edit the signed-in user''s full name (2-100 characters, trimmed); returns the profile as api.me() does.';

grant execute on function api.update_my_profile(text) to authenticated;
