-- The privileged writes of identity, as named definer functions:
--   private.sync_auth0_profile : the token exchange's create-or-update of a profile (first exchange =
--                                registration); called by the sidecar as service_role.
--   private.set_profile_status : an admin suspends or reactivates a user (users may not touch status).
-- Touches: those two functions and their grants.

-- Definer: the exchange runs before any user is known, so it cannot act as one; service_role alone may call it.
create function private.sync_auth0_profile(
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
#variable_conflict use_variable
declare
    found_profile app.profiles;
    created boolean := false;
begin
    select p.* into found_profile from app.profiles as p where p.auth0_subject = auth0_subject;
    if not found then
        insert into app.profiles as p (auth0_subject, email, email_verified, full_name)
        values (auth0_subject, email, coalesce(email_verified, false), full_name)
        on conflict on constraint profiles_auth0_subject_key do nothing
        returning p.* into found_profile;
        created := found;
        if not created then  -- a concurrent first exchange of the same user won the race
            select p.* into found_profile from app.profiles as p where p.auth0_subject = auth0_subject;
        end if;
    end if;
    -- Keep email, its verification and the name in sync, writing only when something changed
    -- (most exchanges change nothing and stay cheap). A fact the token does not carry is kept.
    if not created and (
        (email is not null and (found_profile.email::text, found_profile.email_verified)
            is distinct from (email, coalesce(email_verified, false)))
        or (full_name is not null and found_profile.full_name is distinct from full_name)
    ) then
        update app.profiles as p set
            email = coalesce(email, p.email),
            email_verified = case when email is null then p.email_verified else coalesce(email_verified, false) end,
            full_name = coalesce(full_name, p.full_name)
        where p.profile_id = found_profile.profile_id
        returning p.* into found_profile;
    end if;
    return jsonb_build_object(
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

-- Definer: users hold no update right on status (so nobody lifts their own suspension); the permission
-- is checked here, against the tables, before anything is written.
create function private.set_profile_status(target_profile_id uuid, new_status text) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
    if not private.has_permission('users.manage') then
        perform private.raise_error('admin.forbidden', 'You may not manage users.', 403);
    end if;
    update app.profiles as p set status = new_status where p.profile_id = target_profile_id;
end;
$$;

comment on function private.set_profile_status(uuid, text) is
'Set a profile''s status (active or suspended); only for holders of users.manage.';

grant execute on function private.set_profile_status(uuid, text) to authenticated;
