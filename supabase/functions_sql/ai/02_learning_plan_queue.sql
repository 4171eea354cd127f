-- How learning-plan generations are queued, and how the plan row follows its job.
--   private.request_learning_plan(learner, delay): one queued generation per learner (the outbox's dedupe
--       key); a choice change joins it and pushes it back to `delay` after the latest change, so any
--       number of changes cause one generation; an explicit request (no delay) brings it forward.
-- The plan row follows its job through the trigger function private.tg_job_outbox__track_learning_plan
-- (in the learning-plans migration, beside its trigger).

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
