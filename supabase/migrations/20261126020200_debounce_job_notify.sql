-- Wake the relay only when it may be asleep: NOTIFY only for a due job when no other due job waits.
-- Measured (bench/jobs): a NOTIFY in every enqueueing transaction cut the commit rate of an RPC to
-- 0.25x with 8 clients, because a notifying commit holds a global lock through its WAL flush, so
-- those commits no longer group. While another due row waits, the relay is already awake (that
-- row's notification, or its own sweep); it keeps polling briefly after each busy sweep and sweeps
-- every few seconds regardless, so a skipped notification delays a job by one short poll at most.
-- Touches: private.enqueue_job (same signature and contract: the notification still carries the id).

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
            -- The id only: the row is the truth, the notification a wake-up (delivered at commit, if any).
            -- A delayed job needs none (the relay's sweep finds it when due), nor one behind another due row.
            if new_run_after <= pg_catalog.now() and not exists (
                select from private.job_outbox as w
                where w.status = 'pending' and w.run_after <= pg_catalog.now() and w.job_id <> new_id
            ) then
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
