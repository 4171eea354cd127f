-- What users and admins see of background jobs, and the Realtime message when a user's job ends.
--   private.tg_job_outbox__notify_user : after a row becomes done or dead, a broadcast on user:<uuid>.
--   private.job_queue_health()         : per-kind queue health for admins (jobs.view_all).
--   private.dead_jobs(integer)         : the latest dead rows with their errors, for admins.
-- Touches: trigger _100_notify_user on private.job_outbox; the two functions and their grants.

-- Definer: realtime.send inserts into realtime.messages, which the role that updates the outbox
-- (the worker's owner role) may do, but a trigger must not depend on who fired it.
create function private.tg_job_outbox__notify_user() returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
    perform realtime.send(
        pg_catalog.jsonb_build_object('job_id', new.job_id, 'kind', new.kind, 'status', new.status),
        'job_' || new.status,
        'user:' || new.profile_id::text,
        true
    );
    return null;
end;
$$;

comment on function private.tg_job_outbox__notify_user() is
'Tell the job''s user, on their private channel user:<uuid>, that it finished (job_done) or died (job_dead).';

create trigger _100_notify_user
after update of status on private.job_outbox
for each row
when (
    new.status in ('done', 'dead') and old.status is distinct from new.status and new.profile_id is not null
)
execute function private.tg_job_outbox__notify_user();

-- Definer: admins may see every job, but no API role has table privileges on the outbox's internals.
create function private.job_queue_health()
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

-- Definer: as job_queue_health; errors are internal detail, for admins only.
create function private.dead_jobs(max_rows integer)
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

create index job_outbox_dead_idx on private.job_outbox (finished_at desc, job_id desc) where status = 'dead';
