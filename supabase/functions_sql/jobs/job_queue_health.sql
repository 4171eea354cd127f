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
    perform private.caller_id();
    if not private.has_permission('jobs.view_all') then
        perform private.raise_error('jobs.forbidden', 'Seeing every job needs the jobs.view_all permission.', 403);
    end if;
    return query select * from private.job_queue_health();
end;
$$;

comment on function api.job_queue_health() is
'Admins: per job kind, rows pending, dispatched, running, failed (awaiting retry), dead, and the oldest due row''s wait in seconds.';

grant execute on function api.job_queue_health() to authenticated;

-- Definer: admins may see every job, but no API role has table privileges on the outbox's internals.
create or replace function private.job_queue_health()
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
security definer
set search_path = ''
as $$
begin
    if not private.has_permission('jobs.view_all') then
        perform private.raise_error('jobs.forbidden', 'Seeing every job needs the jobs.view_all permission.', 403);
    end if;
    return query
    select
        o.kind,
        count(*) filter (where o.status = 'pending'),
        count(*) filter (where o.status = 'dispatched'),
        count(*) filter (where o.status = 'running'),
        count(*) filter (where o.status = 'failed'),
        count(*) filter (where o.status = 'dead'),
        coalesce(
            extract(epoch from pg_catalog.now() - min(o.run_after) filter (
                where o.status in ('pending', 'failed') and o.run_after <= pg_catalog.now()
            ))::double precision,
            0
        )
    from private.job_outbox as o
    where o.status <> 'done'
    group by o.kind
    order by o.kind;
end;
$$;

comment on function private.job_queue_health() is
'Per kind: rows pending, dispatched, running, failed (awaiting retry) and dead; seconds the oldest due row has waited.';

grant execute on function private.job_queue_health() to authenticated;
