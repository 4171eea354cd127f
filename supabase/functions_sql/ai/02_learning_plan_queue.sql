-- How learning-plan generations are queued, and how the plan row follows its job.
--   private.request_learning_plan(learner, delay): one queued generation per learner (the outbox's dedupe
--       key); a choice change joins it and pushes it back to `delay` after the latest change, so any
--       number of changes cause one generation; an explicit request (no delay) brings it forward.
--   private.tg_job_outbox__track_learning_plan(): enqueued -> pending; waiting for the AI (the worker
--       put it back to pending with a code: not configured, budget or limit spent) -> failed with that
--       code while it waits; dead -> failed with the error's code. The last good plan stays readable.

-- security definer: private.enqueue_job is for the owner; learners change their choices as themselves.
create or replace function private.request_learning_plan(learner uuid, delay interval) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    queued bigint;
begin
    if not exists (
        select from app.onboardings as o where o.profile_id = learner and o.completed_at is not null
    ) then
        return;
    end if;
    queued := private.enqueue_job(
        'learning_plans__generate',
        pg_catalog.jsonb_build_object('profile_id', learner),
        'learning_plans__generate:' || learner::text,
        pg_catalog.now() + delay,
        learner
    );
    -- Only a row still waiting moves; one already dispatched or running is left to finish.
    update private.job_outbox as o
    set
        run_after = case
            when delay > interval '0 seconds' then greatest(o.run_after, pg_catalog.now() + delay)
            else least(o.run_after, pg_catalog.now())
        end,
        updated_at = pg_catalog.now()
    where
        o.job_id = queued and o.status = 'pending'
        and o.run_after is distinct from case
            when delay > interval '0 seconds' then greatest(o.run_after, pg_catalog.now() + delay)
            else least(o.run_after, pg_catalog.now())
        end;
end;
$$;

comment on function private.request_learning_plan(uuid, interval) is
'Queue a learning-plan generation (after delay) for a learner whose onboarding is completed: one per learner, pushed back by later changes.';

-- security definer: the outbox is written by several roles (owner, definer triggers); the plan table only by the owner.
create or replace function private.tg_job_outbox__track_learning_plan() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    learner uuid := coalesce(new.profile_id, (new.payload ->> 'profile_id')::uuid);
    code text;
begin
    if learner is null then
        return null;
    end if;
    if tg_op = 'INSERT' then
        insert into app.learning_plans as p (profile_id, status, requested_at)
        values (learner, 'pending', pg_catalog.now())
        on conflict (profile_id) do update
        set status = 'pending', failure_code = null, requested_at = pg_catalog.now();
        return null;
    end if;
    if new.status = 'pending' and old.status = 'running' then
        -- The worker deferred the attempt (jobs.registry.JobDeferred): last_error starts with the reason's code.
        code := pg_catalog.substring(new.last_error, '^(ai\.[a-z_]+)');
    elsif new.status = 'dead' and old.status is distinct from 'dead' then
        code := coalesce(
            pg_catalog.substring(new.last_error, '(ai\.[a-z_]+)'),
            case when new.last_error ~ '^timed out' then 'ai.upstream_timeout' end,
            'ai.upstream_error'
        );
    end if;
    if code is not null then
        update app.learning_plans as p set status = 'failed', failure_code = code
        where
            p.profile_id = learner and p.status in ('pending', 'failed')
            and p.failure_code is distinct from code;
    end if;
    return null;
end;
$$;

comment on function private.tg_job_outbox__track_learning_plan() is
'AFTER INSERT/UPDATE of status on private.job_outbox for learning_plans__generate: keep app.learning_plans.status in step with the job.';
