-- A learning plan whose generate job died because the worker's per-kind timeout cut it short (the
-- runner records "timed out after N s", with no error code) now reads failed / ai.upstream_timeout
-- instead of the generic ai.upstream_error: the AI call is what takes the time in that job.
-- Touches: private.tg_job_outbox__track_learning_plan (replaced; same trigger).

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
    elsif new.status = 'dead' and old.status is distinct from 'dead' then
        code := coalesce(
            pg_catalog.substring(new.last_error, '(ai\.[a-z_]+)'),
            case when new.last_error ~ '^timed out' then 'ai.upstream_timeout' end,
            'ai.upstream_error'
        );
        update app.learning_plans as p set status = 'failed', failure_code = code
        where p.profile_id = learner and p.status = 'pending';
    end if;
    return null;
end;
$$;

comment on function private.tg_job_outbox__track_learning_plan() is
'AFTER INSERT/UPDATE of status on private.job_outbox for learning_plans__generate: keep app.learning_plans.status in step with the job.';
