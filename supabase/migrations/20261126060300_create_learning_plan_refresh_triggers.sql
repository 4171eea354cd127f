-- Keep the learning plan in step with the learner's choices: after onboarding is completed, a change of
-- language, industry, job role, partners or situations asks for a new plan, debounced: the job runs
-- two minutes after the first change, and changes meanwhile join it (enqueue_job's dedupe key), so a
-- learner reordering five partners causes one generation, built from the final choices.
-- The queueing itself (private.request_learning_plan) lives in supabase/functions_sql/ai/; one shared
-- trigger function serves the three tables.
-- Touches: private.tg__refresh_learning_plan, triggers on app.onboardings, app.onboarding_partners and
--          app.onboarding_partner_situations.

-- security definer: calls private.request_learning_plan (owner only) for rows the learner changes as themselves.
create function private.tg__refresh_learning_plan() returns trigger
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

comment on function private.tg__refresh_learning_plan() is
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
execute function private.tg__refresh_learning_plan();

create trigger _600_refresh_learning_plan after insert or update or delete on app.onboarding_partners
for each row execute function private.tg__refresh_learning_plan();

create trigger _600_refresh_learning_plan after insert or update or delete on app.onboarding_partner_situations
for each row execute function private.tg__refresh_learning_plan();
