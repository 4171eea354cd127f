-- private.sync_auth0_profile: the token exchange's create-or-update of a profile (the first exchange
-- is the registration); called by the sidecar as service_role.
-- Definer: the exchange runs before any user is known, so it cannot act as one; service_role alone may call it.
create or replace function private.sync_auth0_profile(
    auth0_subject text,
    email text,
    email_verified boolean,
    full_name text
) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    found_profile app.profiles;
    created boolean := false;
    subject text := sync_auth0_profile.auth0_subject;
    new_email text := sync_auth0_profile.email;
    new_verified boolean := coalesce(sync_auth0_profile.email_verified, false);
    new_name text := sync_auth0_profile.full_name;
begin
    select p.* into found_profile from app.profiles as p where p.auth0_subject = subject;
    if not found then
        insert into app.profiles as p (auth0_subject, email, email_verified, full_name)
        values (subject, new_email, new_verified, new_name)
        on conflict on constraint profiles_auth0_subject_key do nothing
        returning p.* into found_profile;
        created := found;
        if not created then  -- a concurrent first exchange of the same user won the race
            select p.* into found_profile from app.profiles as p where p.auth0_subject = subject;
        end if;
    end if;
    -- Keep email, its verification and the name in sync, writing only when something changed
    -- (most exchanges change nothing and stay cheap). A fact the token does not carry is kept.
    if not created and (
        (new_email is not null and (found_profile.email::text, found_profile.email_verified)
            is distinct from (new_email, new_verified))
        or (new_name is not null and found_profile.full_name is distinct from new_name)
    ) then
        update app.profiles as p set
            email = coalesce(new_email, p.email),
            email_verified = case when new_email is null then p.email_verified else new_verified end,
            full_name = coalesce(new_name, p.full_name)
        where p.profile_id = found_profile.profile_id
        returning p.* into found_profile;
    end if;
    return pg_catalog.jsonb_build_object(
        'profile_id', found_profile.profile_id,
        'status', found_profile.status,
        'created', created,
        'roles', array(
            select pr.role_id from app.profile_roles as pr
            where pr.profile_id = found_profile.profile_id
            order by pr.role_id
        )
    );
end;
$$;

comment on function private.sync_auth0_profile(text, text, boolean, text) is
'Create or update the profile of a verified Auth0 subject; returns profile_id, status, created and roles.';

grant execute on function private.sync_auth0_profile(text, text, boolean, text) to service_role;
