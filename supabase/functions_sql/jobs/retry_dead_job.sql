-- api.retry_dead_job(job_id): put a dead job back in the queue, for admins (permission jobs.manage).
create or replace function api.retry_dead_job(job_id bigint) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_variable
begin
    if not private.has_permission('jobs.manage') then
        perform private.raise_error('jobs.forbidden', 'Retrying a job needs the jobs.manage permission.', 403);
    end if;
    return private.retry_dead_job(job_id);
end;
$$;

comment on function api.retry_dead_job(bigint) is
'Admins (jobs.manage): run a dead job again, now, with a fresh set of attempts (its last error is kept until an attempt fails again). Returns {job_id, kind, status, run_after}. Errors: jobs.forbidden (403), jobs.not_found (404), jobs.not_dead (409), jobs.already_queued (409).';

grant execute on function api.retry_dead_job(bigint) to authenticated;
