-- Two operational features of the job outbox:
--   retention : the relay deletes done rows past JOBS_RETENTION_DONE_SECONDS and dead rows past
--               JOBS_RETENTION_DEAD_SECONDS (jobs/relay.py), in bounded batches; this file adds the
--               index its done-row batches read (dead rows already have job_outbox_dead_idx).
--   retry     : private.retry_dead_job(bigint) puts a dead row back to pending, for admins holding the
--               new permission jobs.manage (api.retry_dead_job in supabase/functions_sql/jobs/ wraps it).
-- Touches: index job_outbox_done_idx; app.permissions, app.role_permissions (jobs.manage for admin),
--          app.roles (admin's description); private.retry_dead_job and its grant.

-- The retention batches: done rows, oldest first. Without it every batch scans the whole table, done
-- rows being nearly all of it. One more index entry per completed job; job_outbox_health_idx excludes
-- done rows, so nothing else serves this.
create index job_outbox_done_idx on private.job_outbox (finished_at) where status = 'done';

-- Retrying changes state, so it gets its own permission: a role may watch the queue (jobs.view_all)
-- without acting on it.
insert into app.permissions (permission_id, description) values
('jobs.manage', 'Retry dead background jobs.');

insert into app.role_permissions (role_id, permission_id) values
('admin', 'jobs.manage');

update app.roles
set description = 'Manages users, their roles and status; sees all jobs and retries dead ones.'
where role_id = 'admin';

-- Definer: no API role may write the outbox; the permission is checked here too, for any caller that
-- reaches this helper without the api wrapper.
create function private.retry_dead_job(job_id bigint) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
#variable_conflict use_variable
declare
    job private.job_outbox;
    queued_id bigint;
begin
    if not private.has_permission('jobs.manage') then
        perform private.raise_error('jobs.forbidden', 'Retrying a job needs the jobs.manage permission.', 403);
    end if;
    -- Locked until commit: a second retry waits and then sees a pending row; the relay's purge skips it.
    select o.* into job
    from private.job_outbox as o
    where o.job_id = job_id
    for update;
    if not found then
        perform private.raise_error(
            'jobs.not_found', 'No such job.', 404, pg_catalog.jsonb_build_object('job_id', job_id)
        );
    end if;
    if job.status <> 'dead' then
        perform private.raise_error(
            'jobs.not_dead', 'Only a dead job can be retried.', 409,
            pg_catalog.jsonb_build_object('job_id', job_id, 'status', job.status)
        );
    end if;
    -- The dedupe index allows one unfinished row per kind and key: if one was enqueued since this row
    -- died, it does the same work, and reviving this one would break the index (a bare 23505).
    if job.dedupe_key is not null then
        select o.job_id into queued_id
        from private.job_outbox as o
        where o.kind = job.kind
            and o.dedupe_key = job.dedupe_key
            and o.status in ('pending', 'dispatched', 'running', 'failed');
        if queued_id is not null then
            perform private.raise_error(
                'jobs.already_queued', 'An unfinished job of the same kind and dedupe key will do this work.', 409,
                pg_catalog.jsonb_build_object('job_id', job_id, 'queued_job_id', queued_id)
            );
        end if;
    end if;
    -- A fresh set of attempts, due now. last_error stays (the next failure overwrites it); finished_at
    -- goes, since the job has not ended any more (users see it through api.my_jobs).
    update private.job_outbox as o
    set status = 'pending',
        attempts = 0,
        run_after = pg_catalog.now(),
        locked_until = null,
        finished_at = null,
        updated_at = pg_catalog.now()
    where o.job_id = job_id;
    -- Wake the relay as private.enqueue_job does (the id only, delivered at commit). Always: retries are
    -- rare, so the advisory-lock throttling that enqueue_job needs under load would only add a delay.
    perform pg_catalog.pg_notify('job_outbox', job_id::text);
    return pg_catalog.jsonb_build_object(
        'job_id', job_id, 'kind', job.kind, 'status', 'pending', 'run_after', pg_catalog.now()
    );
end;
$$;

comment on function private.retry_dead_job(bigint) is
'Put a dead job back to pending with its attempts reset, due now, and wake the relay; needs jobs.manage.';

grant execute on function private.retry_dead_job(bigint) to authenticated;
