-- api.job_queue_health(): queue health for admins (permission jobs.view_all), one row per job kind.
create or replace function api.job_queue_health()
returns table (
    kind text,
    pending bigint,
    dispatched bigint,
    running bigint,
    failed bigint,
    dead bigint,
    oldest_pending_age_seconds double precision
)
language plpgsql
stable
set search_path = ''
as $$
begin
    if not private.has_permission('jobs.view_all') then
        perform private.raise_error('jobs.forbidden', 'Seeing every job needs the jobs.view_all permission.', 403);
    end if;
    return query select * from private.job_queue_health();
end;
$$;

comment on function api.job_queue_health() is
'Admins: per job kind, rows pending, dispatched, running, failed (awaiting retry), dead, and the oldest due row''s wait in seconds.';

grant execute on function api.job_queue_health() to authenticated;
