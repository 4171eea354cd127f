-- api.admin_list_users(...): users, newest first, a page at a time (keyset paging), for users.manage.
create or replace function api.admin_list_users(
    page_size integer default 50,
    after_profile_id uuid default null,
    search text default null
) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    cursor_row app.profiles;
    items jsonb;
begin
    perform private.caller_id();
    if not (select private.has_permission('users.manage')) then
        perform private.raise_error('admin.forbidden', 'You may not manage users.', 403);
    end if;
    if admin_list_users.page_size is null or admin_list_users.page_size not between 1 and 200 then
        perform private.raise_error(
            'admin.invalid_page_size', 'page_size must be between 1 and 200.', 422,
            pg_catalog.jsonb_build_object('field', 'page_size')
        );
    end if;
    if admin_list_users.after_profile_id is not null then
        select p.* into cursor_row from app.profiles as p where p.profile_id = admin_list_users.after_profile_id;
        if not found then
            perform private.raise_error(
                'admin.invalid_cursor', 'after_profile_id is not a known user.', 422,
                pg_catalog.jsonb_build_object('field', 'after_profile_id')
            );
        end if;
    end if;
    select coalesce(pg_catalog.jsonb_agg(page.item order by page.created_at desc, page.profile_id desc), '[]'::jsonb)
    into items
    from (
        select
            p.created_at,
            p.profile_id,
            pg_catalog.jsonb_build_object(
                'profile_id', p.profile_id, 'email', p.email, 'full_name', p.full_name,
                'status', p.status, 'created_at', p.created_at,
                'roles', array(
                    select pr.role_id from app.profile_roles as pr
                    where pr.profile_id = p.profile_id order by pr.role_id
                )
            ) as item
        from app.profiles as p
        where
            (cursor_row.profile_id is null or (p.created_at, p.profile_id) < (cursor_row.created_at, cursor_row.profile_id))
            and (
                admin_list_users.search is null
                or p.email::text ilike '%' || admin_list_users.search || '%'
                or p.full_name ilike '%' || admin_list_users.search || '%'
            )
        order by p.created_at desc, p.profile_id desc
        limit admin_list_users.page_size + 1
    ) as page;
    return pg_catalog.jsonb_build_object(
        'items', (
            select coalesce(pg_catalog.jsonb_agg(t.e), '[]'::jsonb)
            from pg_catalog.jsonb_array_elements(items) with ordinality as t (e, n)
            where t.n <= admin_list_users.page_size
        ),
        'next_after_profile_id', case
            when pg_catalog.jsonb_array_length(items) > admin_list_users.page_size
                then items -> (admin_list_users.page_size - 1) -> 'profile_id'
        end
    );
end;
$$;

comment on function api.admin_list_users(integer, uuid, text) is
'Admins (users.manage): list users newest first; pass next_after_profile_id back to get the next page.';

grant execute on function api.admin_list_users(integer, uuid, text) to authenticated;
