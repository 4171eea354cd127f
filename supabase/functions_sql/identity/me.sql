-- api.me(): the caller's profile, roles and permissions (as the tables say now, not as the token says).
create or replace function api.me() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    me jsonb;
begin
    select pg_catalog.jsonb_build_object(
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
    where p.profile_id = caller;
    return me;
end;
$$;

comment on function api.me() is
'The signed-in user''s profile: id, email, name, status, roles and current permissions. Like every RPC, refuses a caller it does not know: auth.not_signed_in (401), profile.not_found (404), auth.profile_suspended (403).';

grant execute on function api.me() to authenticated;
