-- api.me(): the caller's profile, roles and permissions (as the tables say now, not as the token says).
create or replace function api.me() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    me jsonb;
begin
    if (select auth.uid()) is null then
        perform private.raise_error('auth.not_signed_in', 'Sign in to read your profile.', 401);
    end if;
    select jsonb_build_object(
        'profile_id', p.profile_id,
        'email', p.email,
        'email_verified', p.email_verified,
        'full_name', p.full_name,
        'status', p.status,
        'created_at', p.created_at,
        'updated_at', p.updated_at,
        'roles', array(
            select pr.role_id from app.profile_roles as pr
            where pr.profile_id = p.profile_id
            order by pr.role_id
        ),
        'permissions', array(
            select distinct rp.permission_id
            from app.profile_roles as pr
            inner join app.role_permissions as rp on pr.role_id = rp.role_id
            where pr.profile_id = p.profile_id and p.status = 'active'
            order by rp.permission_id
        )
    ) into me
    from app.profiles as p
    where p.profile_id = (select auth.uid());
    if me is null then
        perform private.raise_error('profile.not_found', 'No profile for this token; exchange a new one.', 404);
    end if;
    return me;
end;
$$;

comment on function api.me() is
'The signed-in user''s profile: id, email, name, status, roles and current permissions.';

grant execute on function api.me() to authenticated;
