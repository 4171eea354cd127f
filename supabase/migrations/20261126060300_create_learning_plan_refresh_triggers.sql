-- Keep the learning plan in step with the learner's choices: after onboarding is completed, a change of
-- language, industry, job role, partners or situations asks for a new plan, debounced: the job runs
-- two minutes after the first change, and changes meanwhile join it (enqueue_job's dedupe key), so a
-- learner reordering five partners causes one generation, built from the final choices.
-- Touches: private.request_learning_plan, private.request_my_learning_plan, triggers on app.onboardings,
--          app.onboarding_partners and app.onboarding_partner_situations.

-- Queue a generation for a learner whose onboarding is completed, to run after `delay` (joining any
-- generation already queued for them: same dedupe key as the completion trigger's).
-- security definer: private.enqueue_job is for the owner; learners change their choices as themselves.
create function private.request_learning_plan(learner uuid, delay interval) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
    if exists (
        select from app.onboardings as o where o.profile_id = learner and o.completed_at is not null
    ) then
        perform private.enqueue_job(
            'learning_plans__generate',
            pg_catalog.jsonb_build_object('profile_id', learner),
            'learning_plans__generate:' || learner::text,
            pg_catalog.now() + delay,
            learner
        );
    end if;
end;
$$;

comment on function private.request_learning_plan(uuid, interval) is
'Enqueue a learning-plan generation (after delay) for a learner whose onboarding is completed.';

-- The caller's own request (api.request_learning_plan), now: acts only for auth.uid().
-- security definer: private.request_learning_plan is not executable by learners (it takes any learner).
create function private.request_my_learning_plan() returns void
language sql
volatile
security definer
set search_path = ''
as $$
    select private.request_learning_plan(auth.uid(), interval '0 seconds') where auth.uid() is not null
$$;

comment on function private.request_my_learning_plan() is 'Enqueue a learning-plan generation for the caller, now.';

grant execute on function private.request_my_learning_plan() to authenticated;

-- security definer: calls the definer above for rows the learner changes as themselves.
create function private.tg_onboarding_choices__refresh_learning_plan() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.request_learning_plan(
        case when tg_op = 'DELETE' then old.profile_id else new.profile_id end, interval '2 minutes'
    );
    return null;
end;
$$;

comment on function private.tg_onboarding_choices__refresh_learning_plan() is
'AFTER a learner''s onboarding choices change: ask for a debounced new learning plan (only once completed).';

create trigger _600_refresh_learning_plan after update of native_language_id, industry_id, job_role_id
on app.onboardings
for each row when (
    old.completed_at is not null and new.completed_at is not null
    and (
        old.native_language_id is distinct from new.native_language_id
        or old.industry_id is distinct from new.industry_id
        or old.job_role_id is distinct from new.job_role_id
    )
)
execute function private.tg_onboarding_choices__refresh_learning_plan();

create trigger _600_refresh_learning_plan after insert or update or delete on app.onboarding_partners
for each row execute function private.tg_onboarding_choices__refresh_learning_plan();

create trigger _600_refresh_learning_plan after insert or update or delete on app.onboarding_partner_situations
for each row execute function private.tg_onboarding_choices__refresh_learning_plan();
