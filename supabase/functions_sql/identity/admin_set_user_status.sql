-- api.admin_set_user_status(profile_id, status): suspend or reactivate a user. A suspended user gets
-- no new tokens and holds no permissions.
create or replace function api.admin_set_user_status(profile_id uuid, status text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not (select private.has_permission('users.manage')) then
        perform private.raise_error('admin.forbidden', 'You may not manage users.', 403);
    end if;
    if admin_set_user_status.status is null or admin_set_user_status.status not in ('active', 'suspended') then
        perform private.raise_error('admin.invalid_status', 'status must be active or suspended.', 422,
            pg_catalog.jsonb_build_object('field', 'status', 'allowed', pg_catalog.jsonb_build_array('active', 'suspended')));
    end if;
    if not exists (select from app.profiles as p where p.profile_id = admin_set_user_status.profile_id) then
        perform private.raise_error('profile.not_found', 'No such user.', 404);
    end if;
    if admin_set_user_status.profile_id = (select auth.uid()) then
        perform private.raise_error('admin.cannot_suspend_self', 'You cannot change your own status.', 409);
    end if;
    perform private.set_profile_status(admin_set_user_status.profile_id, admin_set_user_status.status);
    return pg_catalog.jsonb_build_object(
        'profile_id', admin_set_user_status.profile_id, 'status', admin_set_user_status.status
    );
end;
$$;

comment on function api.admin_set_user_status(uuid, text) is
'Admins (users.manage): set a user''s status to active or suspended.';

grant execute on function api.admin_set_user_status(uuid, text) to authenticated;
