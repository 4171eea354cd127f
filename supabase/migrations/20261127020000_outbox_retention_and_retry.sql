-- Two operational features of the job outbox:
--   retention : the relay deletes done rows past JOBS_RETENTION_DONE_SECONDS and dead rows past
--               JOBS_RETENTION_DEAD_SECONDS (jobs/relay.py), in bounded batches; this file adds the
--               index its done-row batches read (dead rows already have job_outbox_dead_idx).
--   retry     : the new permission jobs.manage, for admins; private.retry_dead_job and
--               api.retry_dead_job (supabase/functions_sql/jobs/retry_dead_job.sql) put a dead row back.
-- Touches: index job_outbox_done_idx; app.permissions, app.role_permissions (jobs.manage for admin),
--          app.roles (admin's description).

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
