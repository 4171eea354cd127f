-- private.set_profile_status: an admin suspends or reactivates a user (users may not touch status);
-- api.admin_set_user_status calls it.
-- Definer: users hold no update right on status (so nobody lifts their own suspension); the permission
-- is checked here, against the tables, before anything is written.
create or replace function private.set_profile_status(target_profile_id uuid, new_status text) returns void
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
