-- The Realtime message when a user's job ends: private.tg_job_outbox__notify_user, after a row becomes
-- done or dead, broadcasts on user:<uuid>. What admins see of the queue (private.job_queue_health,
-- private.dead_jobs) lives in supabase/functions_sql/jobs/.
-- Touches: trigger _100_notify_user on private.job_outbox.

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

create index job_outbox_dead_idx on private.job_outbox (finished_at desc, job_id desc) where status = 'dead';
