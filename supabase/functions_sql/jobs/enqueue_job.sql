-- Notifying: a NOTIFY in every enqueueing transaction cut an RPC's commit rate to 0.25x with 8
-- clients (bench/jobs), because a notifying commit holds a global lock through its WAL flush, so those
-- commits stop grouping. Skipping it while another due row waits still gave 0.67x (that check scans a
-- due index full of dead entries under load). So only the relay's state decides:
--   * while a relay is busy it holds advisory lock ('job_outbox', 2) and polls every 20 ms: nobody notifies;
--   * otherwise only a transaction that gets advisory lock ('job_outbox', 1) at once notifies, so concurrent
--     enqueuers skip while one notification is on its way (it wakes the relay, which then polls).
-- A relay keeps polling for a while after it lets ('job_outbox', 2) go and sweeps every few seconds anyway, so
-- a skipped notification costs one short poll; only a transaction that commits long after its enqueue
-- (or a rolled-back notifier) waits for the next sweep. Delayed jobs never notify: the sweep finds them.
create or replace function private.enqueue_job(
    kind text,
    payload jsonb,
    dedupe_key text default null,
    run_after timestamptz default now(),
    profile_id uuid default null
) returns bigint
language plpgsql
volatile
set search_path = ''
as $$
#variable_conflict use_column
declare
    new_id bigint;
    new_run_after timestamptz := coalesce(enqueue_job.run_after, pg_catalog.now());
begin
    loop
        insert into private.job_outbox as o (kind, payload, dedupe_key, run_after, profile_id)
        values (
            enqueue_job.kind, coalesce(enqueue_job.payload, '{}'), enqueue_job.dedupe_key,
            new_run_after, enqueue_job.profile_id
        )
        on conflict (kind, dedupe_key)
        where dedupe_key is not null and status in ('pending', 'dispatched', 'running', 'failed')
        do nothing
        returning o.job_id into new_id;
        if new_id is not null then
            -- Advisory keys ('job_outbox', 1) "a notification is on its way", ('job_outbox', 2) "a relay is polling":
            -- arbitrary constants, used only here and in jobs/relay.py.
            -- ('job_outbox', 2) is only peeked at (taken shared and let go at once): held until commit, some
            -- enqueuer always held it under load, so a busy relay never got it and everyone notified.
            if new_run_after <= pg_catalog.now()
                and pg_catalog.pg_try_advisory_lock_shared(private.lock_space('job_outbox'), 2)
                and pg_catalog.pg_advisory_unlock_shared(private.lock_space('job_outbox'), 2)
                and pg_catalog.pg_try_advisory_xact_lock(private.lock_space('job_outbox'), 1) then
                -- The id only: the row is the truth, the notification a wake-up (delivered at commit).
                perform pg_catalog.pg_notify('job_outbox', new_id::text);
            end if;
            return new_id;
        end if;
        select o.job_id into new_id
        from private.job_outbox as o
        where o.kind = enqueue_job.kind
            and o.dedupe_key = enqueue_job.dedupe_key
            and o.status in ('pending', 'dispatched', 'running', 'failed');
        if new_id is not null then
            return new_id;
        end if;
        -- The duplicate finished between the insert and the select: try the insert again.
    end loop;
end;
$$;

comment on function private.enqueue_job(text, jsonb, text, timestamptz, uuid) is
'Enqueue a background job in the caller''s transaction; returns its id (the unfinished duplicate''s id when dedupe_key matches).';
