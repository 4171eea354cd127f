-- api.list_dead_jobs(max_rows): the latest dead jobs and their errors, for admins (jobs.view_all).
create or replace function api.list_dead_jobs(max_rows integer default 50)
returns table (
    job_id bigint,
    kind text,
    profile_id uuid,
    attempts integer,
    last_error text,
    created_at timestamptz,
    finished_at timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not private.has_permission('jobs.view_all') then
        perform private.raise_error('jobs.forbidden', 'Seeing every job needs the jobs.view_all permission.', 403);
    end if;
    if max_rows is null or max_rows not between 1 and 500 then
        perform private.raise_error('jobs.invalid_limit', 'max_rows must be between 1 and 500.', 400);
    end if;
    return query select * from private.dead_jobs(max_rows);
end;
$$;

comment on function api.list_dead_jobs(integer) is
'Admins: the latest dead jobs (out of attempts) with their last error, newest first; max_rows 1-500.';

grant execute on function api.list_dead_jobs(integer) to authenticated;

-- Definer: as job_queue_health; errors are internal detail, for admins only.
create or replace function private.dead_jobs(max_rows integer)
returns table (
    job_id bigint,
    kind text,
    profile_id uuid,
    attempts integer,
    last_error text,
    created_at timestamptz,
    finished_at timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    if not private.has_permission('jobs.view_all') then
        perform private.raise_error('jobs.forbidden', 'Seeing every job needs the jobs.view_all permission.', 403);
    end if;
    return query
    select o.job_id, o.kind, o.profile_id, o.attempts, o.last_error, o.created_at, o.finished_at
    from private.job_outbox as o
    where o.status = 'dead'
    order by o.finished_at desc, o.job_id desc
    limit max_rows;
end;
$$;

comment on function private.dead_jobs(integer) is 'The latest dead jobs with their last error, newest first.';

grant execute on function private.dead_jobs(integer) to authenticated;
