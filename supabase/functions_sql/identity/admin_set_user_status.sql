-- api.admin_set_user_status(profile_id, status): suspend or reactivate a user. A suspended user gets
-- no new tokens and holds no permissions.
create or replace function api.admin_set_user_status(profile_id uuid, status text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_variable
begin
    if not (select private.has_permission('users.manage')) then
        perform private.raise_error('admin.forbidden', 'You may not manage users.', 403);
    end if;
    if status is null or status not in ('active', 'suspended') then
        perform private.raise_error('admin.invalid_status', 'status must be active or suspended.', 422,
            jsonb_build_object('field', 'status', 'allowed', jsonb_build_array('active', 'suspended')));
    end if;
    if not exists (select from app.profiles as p where p.profile_id = profile_id) then
        perform private.raise_error('profile.not_found', 'No such user.', 404);
    end if;
    if profile_id = (select auth.uid()) then
        perform private.raise_error('admin.cannot_suspend_self', 'You cannot change your own status.', 409);
    end if;
    perform private.set_profile_status(profile_id, status);
    return jsonb_build_object('profile_id', profile_id, 'status', status);
end;
$$;

comment on function api.admin_set_user_status(uuid, text) is
'Admins (users.manage): set a user''s status to active or suspended.';

grant execute on function api.admin_set_user_status(uuid, text) to authenticated;
