-- api.retry_dead_job(job_id): put a dead job back in the queue, for admins (permission jobs.manage).
create or replace function api.retry_dead_job(job_id bigint) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not private.has_permission('jobs.manage') then
        perform private.raise_error('jobs.forbidden', 'Retrying a job needs the jobs.manage permission.', 403);
    end if;
    return private.retry_dead_job(retry_dead_job.job_id);
end;
$$;

comment on function api.retry_dead_job(bigint) is
'Admins (jobs.manage): run a dead job again, now, with a fresh set of attempts (its last error is kept until an attempt fails again). Returns {job_id, kind, status, run_after}. Errors: jobs.forbidden (403), jobs.not_found (404), jobs.not_dead (409), jobs.already_queued (409).';

grant execute on function api.retry_dead_job(bigint) to authenticated;

-- Definer: no API role may write the outbox; the permission is checked here too, for any caller that
-- reaches this helper without the api wrapper.
create or replace function private.retry_dead_job(job_id bigint) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
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
    where o.job_id = retry_dead_job.job_id
    for update;
    if not found then
        perform private.raise_error(
            'jobs.not_found', 'No such job.', 404, pg_catalog.jsonb_build_object('job_id', retry_dead_job.job_id)
        );
    end if;
    if job.status <> 'dead' then
        perform private.raise_error(
            'jobs.not_dead', 'Only a dead job can be retried.', 409,
            pg_catalog.jsonb_build_object('job_id', retry_dead_job.job_id, 'status', job.status)
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
                pg_catalog.jsonb_build_object('job_id', retry_dead_job.job_id, 'queued_job_id', queued_id)
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
    where o.job_id = retry_dead_job.job_id;
    -- Wake the relay as private.enqueue_job does (the id only, delivered at commit). Always: retries are
    -- rare, so the advisory-lock throttling that enqueue_job needs under load would only add a delay.
    perform pg_catalog.pg_notify('job_outbox', retry_dead_job.job_id::text);
    return pg_catalog.jsonb_build_object(
        'job_id', retry_dead_job.job_id, 'kind', job.kind, 'status', 'pending', 'run_after', pg_catalog.now()
    );
end;
$$;

comment on function private.retry_dead_job(bigint) is
'Put a dead job back to pending with its attempts reset, due now, and wake the relay; needs jobs.manage.';

grant execute on function private.retry_dead_job(bigint) to authenticated;
