-- Peek at the relay's "polling" advisory lock instead of holding it until commit (fixes 020300).
-- Under steady load some enqueuer always held (7301, 2) shared, so the relay's non-blocking exclusive
-- attempt kept failing and enqueuers kept notifying (bench/jobs: 700 notifications in 2 s at 2,000
-- commits/s). Taken shared and released at once, it is free almost always when the relay asks.
-- Touches: private.enqueue_job (same signature and contract).

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
            -- Advisory keys (7301, 1) "a notification is on its way", (7301, 2) "a relay is polling":
            -- arbitrary constants, used only here and in jobs/relay.py.
            -- (7301, 2) is only peeked at (taken shared and let go at once): held until commit, as in
            -- 020300, it kept a busy relay from ever taking it, so every enqueuer went on notifying.
            if new_run_after <= pg_catalog.now()
                and pg_catalog.pg_try_advisory_lock_shared(7301, 2)
                and pg_catalog.pg_advisory_unlock_shared(7301, 2)
                and pg_catalog.pg_try_advisory_xact_lock(7301, 1) then
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
