-- Personalised learning plans: one current plan per learner, written only by the
-- learning_plans__generate job (after the model's output passed schema validation), read by its owner.
-- The row follows the job: a generate job enqueued for a learner (onboarding completed, choices
-- changed, regeneration asked) marks the plan pending; a dead job marks it failed with its error code,
-- keeping the last good plan untouched (nothing partial is ever stored).
-- The owner's Realtime topic user:<uuid> hears when the plan is ready or failed.
-- Touches: app.learning_plans, private.tg_learning_plans__*, private.tg_job_outbox__track_learning_plan
--          (triggers on private.job_outbox for kind learning_plans__generate only).

create table app.learning_plans (
    learning_plan_id uuid primary key default gen_random_uuid(),
    profile_id uuid not null unique references app.profiles (profile_id) on delete cascade,
    status text not null default 'pending' check (status in ('pending', 'ready', 'failed')),
    plan jsonb check (jsonb_typeof(plan) = 'object'),
    inputs jsonb check (jsonb_typeof(inputs) = 'object'),
    schema_version smallint check (schema_version >= 1),
    model text check (char_length(model) between 1 and 200),
    failure_code text check (failure_code ~ '^ai\.[a-z_]+$'),
    requested_at timestamptz not null default now(),
    generated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint learning_plans_ready_has_plan check (status <> 'ready' or plan is not null),
    constraint learning_plans_plan_is_complete check (
        (plan is null) = (inputs is null)
        and (plan is null) = (schema_version is null)
        and (plan is null) = (generated_at is null)
    ),
    constraint learning_plans_failure_has_code check ((status = 'failed') = (failure_code is not null))
);

comment on table app.learning_plans is
'Each learner''s current personalised learning plan (modules of practice scenarios), written by the learning_plans__generate job.';
comment on column app.learning_plans.learning_plan_id is 'Primary key.';
comment on column app.learning_plans.profile_id is 'The learner; one plan each.';
comment on column app.learning_plans.status is
'pending (a generation is queued or running), ready (plan is current) or failed (the last generation failed; plan, if any, is the previous one).';
comment on column app.learning_plans.plan is
'The plan as validated against schema_version of core/ai/plan.py: {title, summary, modules[{title, partner, situation, goals, key_phrases, scenarios}]}; null before the first success.';
comment on column app.learning_plans.inputs is 'The onboarding choices the plan was built from (language, industry, role, pairs in priority order).';
comment on column app.learning_plans.schema_version is 'Version of the plan schema the plan was validated against.';
comment on column app.learning_plans.model is 'Chat model that wrote the plan.';
comment on column app.learning_plans.failure_code is 'Error code (docs/error_codes.md) of the last failed generation, while status is failed.';
comment on column app.learning_plans.requested_at is 'When the latest generation was asked for.';
comment on column app.learning_plans.generated_at is 'When the stored plan was written.';
comment on column app.learning_plans.created_at is 'Row creation time.';
comment on column app.learning_plans.updated_at is 'Last change, maintained by a trigger.';

alter table app.learning_plans enable row level security;

-- The owner reads their plan (profile_id is indexed by its unique constraint); nobody writes through the API.
create policy select_own on app.learning_plans for select to authenticated
using (profile_id = (select auth.uid()));

grant select on app.learning_plans to authenticated, service_role;

create trigger _100_touch_updated_at before update on app.learning_plans
for each row execute function private.tg__touch_updated_at();

-- Tell the owner's private topic when a generation ends (ready or failed).
-- security definer: realtime.send is invoker-rights and the job's or RPC's role may not insert messages.
create function private.tg_learning_plans__notify_owner() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform realtime.send(
        pg_catalog.jsonb_build_object(
            'learning_plan_id', new.learning_plan_id, 'status', new.status, 'failure_code', new.failure_code,
            'generated_at', new.generated_at
        ),
        'learning_plan_' || new.status,
        'user:' || new.profile_id::text,
        true
    );
    return null;
end;
$$;

comment on function private.tg_learning_plans__notify_owner() is
'AFTER INSERT/UPDATE on app.learning_plans when a generation ends: send learning_plan_ready or learning_plan_failed to user:<uuid>.';

create trigger _900_notify_owner after insert or update on app.learning_plans
for each row when (new.status in ('ready', 'failed'))
execute function private.tg_learning_plans__notify_owner();

-- The plan row follows its generate job: enqueued -> pending; put back to pending by the worker with a
-- reason (the AI is not configured, the budget or the learner's limit is spent) -> failed with that code
-- while it waits; dead -> failed with the error's code. The last good plan stays readable.
-- security definer: the outbox is written by several roles (owner, definer triggers); the plan table only by the owner.
create function private.tg_job_outbox__track_learning_plan() returns trigger
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
        -- The worker deferred the attempt (jobs.registry.JobDeferred) for a reason the learner may see.
        code := new.last_error_code;
    elsif new.status = 'dead' and old.status is distinct from 'dead' then
        -- A plan reads as an AI outcome: the job's own codes (jobs.timeout, jobs.attempt_lost,
        -- jobs.failed) say the generation ran out of time or broke on our side.
        code := case
            when new.last_error_code like 'ai.%' then new.last_error_code
            when new.last_error_code = 'jobs.timeout' then 'ai.upstream_timeout'
            else 'ai.upstream_error'
        end;
    end if;
    if code like 'ai.%' then
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

create trigger _600_track_learning_plan after insert or update of status on private.job_outbox
for each row when (new.kind = 'learning_plans__generate')
execute function private.tg_job_outbox__track_learning_plan();
