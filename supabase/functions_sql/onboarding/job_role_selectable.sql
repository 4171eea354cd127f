-- private.onboarding__job_role_selectable: the rule behind select_job_role and the job-role trigger.
-- A job role is selectable by a learner when it is published (active, approved) or is their own custom
-- role still under review. Enforced here as well as in the RPC so direct writes cannot point at
-- another user's private custom role.
create or replace function private.onboarding__job_role_selectable(job_role_id uuid, profile_id uuid) returns boolean
language sql
stable
set search_path = ''
as $$
    select exists (
        select
        from app.job_roles as r
        where
            r.job_role_id = onboarding__job_role_selectable.job_role_id
            and (
                r.status in ('active', 'approved')
                or (r.status = 'pending_review' and r.created_by = onboarding__job_role_selectable.profile_id)
            )
    )
$$;

comment on function private.onboarding__job_role_selectable(uuid, uuid) is
'True when the learner may choose the job role: published, or their own custom role under review.';

grant execute on function private.onboarding__job_role_selectable(uuid, uuid) to authenticated, service_role;
