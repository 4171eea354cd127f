-- api.admin_set_user_roles(profile_id, roles): replace a user's application roles (learner always stays).
create or replace function api.admin_set_user_roles(profile_id uuid, roles text[]) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    wanted text[];
    unknown text[];
begin
    perform private.caller_id();
    if not (select private.has_permission('users.manage')) then
        perform private.raise_error('admin.forbidden', 'You may not manage users.', 403);
    end if;
    if admin_set_user_roles.roles is null then
        perform private.raise_error('admin.invalid_roles', 'roles must be a list of role names.', 422,
            pg_catalog.jsonb_build_object('field', 'roles'));
    end if;
    select array(select distinct r from pg_catalog.unnest(admin_set_user_roles.roles || array['learner']) as r order by r) into wanted;
    select array(
        select w from pg_catalog.unnest(wanted) as w
        where not exists (select from app.roles as ar where ar.role_id = w)
    ) into unknown;
    if pg_catalog.cardinality(unknown) > 0 then
        perform private.raise_error('admin.unknown_role', 'Unknown role(s).', 422,
            pg_catalog.jsonb_build_object('field', 'roles', 'unknown', pg_catalog.to_jsonb(unknown)));
    end if;
    if not exists (select from app.profiles as p where p.profile_id = admin_set_user_roles.profile_id) then
        perform private.raise_error('profile.not_found', 'No such user.', 404);
    end if;
    if admin_set_user_roles.profile_id = (select auth.uid()) and not ('admin' = any(wanted)) then
        perform private.raise_error('admin.cannot_demote_self', 'You cannot remove your own admin role.', 409);
    end if;
    delete from app.profile_roles as pr
    where pr.profile_id = admin_set_user_roles.profile_id and not (pr.role_id = any(wanted));
    insert into app.profile_roles (profile_id, role_id)
    select admin_set_user_roles.profile_id, w from pg_catalog.unnest(wanted) as w
    on conflict do nothing;
    return pg_catalog.jsonb_build_object(
        'profile_id', admin_set_user_roles.profile_id, 'roles', pg_catalog.to_jsonb(wanted)
    );
end;
$$;

comment on function api.admin_set_user_roles(uuid, text[]) is
'Admins (users.manage): set a user''s application roles; learner is always kept; returns the new roles.';

grant execute on function api.admin_set_user_roles(uuid, text[]) to authenticated;
