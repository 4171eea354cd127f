-- api.my_jobs: the caller's own background jobs and their status (RLS select_own on the outbox).
drop view if exists api.my_jobs;

create view api.my_jobs with (security_invoker = true) as
select
    o.job_id,
    o.kind,
    o.status,
    o.attempts,
    o.max_attempts,
    o.run_after,
    o.created_at,
    o.started_at,
    o.finished_at
from private.job_outbox as o;

grant select on api.my_jobs to authenticated;

comment on view api.my_jobs is 'Your background jobs (e.g. a learning plan being generated) and their status.';
comment on column api.my_jobs.job_id is 'Job id; Realtime messages on user:<your id> carry it.';
comment on column api.my_jobs.kind is 'What the job does, <area>__<verb>.';
comment on column api.my_jobs.status is 'pending, dispatched, running, done, failed (will retry) or dead (gave up).';
comment on column api.my_jobs.attempts is 'Attempts started so far.';
comment on column api.my_jobs.max_attempts is 'Attempts allowed before the job is given up.';
comment on column api.my_jobs.run_after is 'Earliest time of the next attempt.';
comment on column api.my_jobs.created_at is 'When the job was created.';
comment on column api.my_jobs.started_at is 'When the last attempt started.';
comment on column api.my_jobs.finished_at is 'When the job ended (done or dead).';
