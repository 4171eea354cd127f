-- The transactional outbox of background jobs.
--   private.job_outbox  : one row per job; the truth about every job (RQ is only transport).
--   private.enqueue_job (supabase/functions_sql/jobs/enqueue_job.sql), called by definer functions and
--   triggers in their own transaction, inserts the row and pg_notify's its id (a wake-up, never the job).
-- Lifecycle: pending -> dispatched (relay put it on RQ) -> running (a worker started an attempt)
--            -> done | failed (waits for run_after, then dispatched again) | dead (out of attempts).
-- Touches: private.job_outbox, its indexes, policy and grants.

create table private.job_outbox (
    job_id bigint generated always as identity primary key,
    kind text not null check (kind ~ '^[a-z][a-z0-9_]*__[a-z][a-z0-9_]*$'),
    payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    dedupe_key text check (char_length(dedupe_key) between 1 and 200),
    profile_id uuid references app.profiles (profile_id) on delete set null,
    status text not null default 'pending'
        check (status in ('pending', 'dispatched', 'running', 'done', 'failed', 'dead')),
    attempts integer not null default 0 check (attempts >= 0),
    max_attempts integer not null default 5 check (max_attempts >= 1),
    dispatches integer not null default 0 check (dispatches >= 0),
    run_after timestamptz not null default now(),
    locked_until timestamptz,
    last_error text,
    last_error_code text check (last_error_code ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    dispatched_at timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    -- Every writer of a failure records both: the text for people, the code for code.
    constraint job_outbox_error_has_code check ((last_error is null) = (last_error_code is null))
);

comment on table private.job_outbox is
'Background jobs: written in the same transaction as the change that needs them; the relay moves due rows to RQ.';
comment on column private.job_outbox.job_id is 'Outbox id; also the RQ job id, so a second enqueue of the same row is refused.';
comment on column private.job_outbox.kind is 'Job kind, <area>__<verb> (e.g. learning_plans__generate); the worker registry maps it to a function.';
comment on column private.job_outbox.payload is 'JSON object of ids the job re-reads; never the data itself.';
comment on column private.job_outbox.dedupe_key is 'Optional: while a row of this kind and key is unfinished, enqueueing again returns that row.';
comment on column private.job_outbox.profile_id is 'The user the job is for, if any: they may see its status, and hear when it ends.';
comment on column private.job_outbox.status is
'pending, dispatched (on RQ), running, done, failed (an attempt failed; retried after run_after) or dead (no attempts left).';
comment on column private.job_outbox.attempts is 'Attempts started so far.';
comment on column private.job_outbox.max_attempts is 'Attempts allowed; the worker sets it from the kind''s registration when an attempt starts.';
comment on column private.job_outbox.dispatches is 'How many times the relay put the row on RQ (1 unless retried or re-dispatched).';
comment on column private.job_outbox.run_after is 'Not dispatched before this time (delayed jobs and retry backoff).';
comment on column private.job_outbox.locked_until is 'Lease of the running attempt: past it, the attempt is presumed lost and counted as failed.';
comment on column private.job_outbox.last_error is 'The error of the last failed or deferred attempt (for admins; not shown to users).';
comment on column private.job_outbox.last_error_code is
'Stable code (docs/error_codes.md) of last_error: the exception''s code, jobs.timeout, jobs.attempt_lost or jobs.failed.';
comment on column private.job_outbox.created_at is 'When the job was enqueued.';
comment on column private.job_outbox.updated_at is 'When the row last changed state.';
comment on column private.job_outbox.dispatched_at is 'When the relay last put the row on RQ.';
comment on column private.job_outbox.started_at is 'When the last attempt started.';
comment on column private.job_outbox.finished_at is 'When the job ended (done or dead).';

-- The relay's claim: due rows in order.
create index job_outbox_due_idx on private.job_outbox (run_after, job_id) where status in ('pending', 'failed');
-- The reconciler: rows on RQ for long, and attempts whose lease ran out.
create index job_outbox_dispatched_idx on private.job_outbox (dispatched_at) where status = 'dispatched';
create index job_outbox_lease_idx on private.job_outbox (locked_until) where status = 'running';
-- Queue health reads only unfinished and dead rows, never the growing set of done ones.
create index job_outbox_health_idx on private.job_outbox (kind, status, run_after) where status <> 'done';
-- The select_own policy reads profile_id.
create index job_outbox_profile_idx on private.job_outbox (profile_id, created_at);
create unique index job_outbox_dedupe_idx on private.job_outbox (kind, dedupe_key)
where dedupe_key is not null and status in ('pending', 'dispatched', 'running', 'failed');

alter table private.job_outbox enable row level security;

-- A user sees the status of their own jobs (through api.my_jobs); payload, dedupe key and errors stay hidden.
grant select (
    job_id, kind, profile_id, status, attempts, max_attempts, run_after, created_at, started_at, finished_at
) on private.job_outbox to authenticated;

create policy select_own on private.job_outbox
for select
to authenticated
using (profile_id = (select auth.uid()));
