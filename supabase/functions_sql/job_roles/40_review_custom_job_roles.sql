-- Reviewers' RPCs for custom job roles (permission job_roles.review): list the pending ones, approve
-- (searchable by everyone), merge into an existing occupation, or reject. Invoker rights: the
-- update_reviewer policy of app.job_roles applies; triggers tell the author and update the indexes.

create or replace function api.custom_job_roles_pending_review(max_results integer default 50)
returns table (
    job_role_id uuid, title text, description text, created_by uuid, industry_id uuid, created_at timestamptz
)
language plpgsql
stable
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not private.is_job_role_reviewer() then
        perform private.raise_error('job_roles.review_forbidden', 'Only job-role reviewers may do this.', 403);
    end if;
    if max_results is null or max_results not between 1 and 200 then
        perform private.raise_error(
            'job_roles.invalid_max_results', 'max_results must be between 1 and 200.', 400,
            pg_catalog.jsonb_build_object('min', 1, 'max', 200)
        );
    end if;
    return query
    select r.job_role_id, r.title, r.description, r.created_by, r.industry_id, r.created_at
    from app.job_roles as r
    where r.source = 'custom' and r.status = 'pending_review'
    order by r.created_at, r.job_role_id
    limit max_results;
end;
$$;

comment on function api.custom_job_roles_pending_review(integer) is
'Custom job roles waiting for review, oldest first. Reviewers only (job_roles.review_forbidden, 403).';

grant execute on function api.custom_job_roles_pending_review(integer) to authenticated;


-- One decision on one pending custom role; the three api functions below call it.
create or replace function private.decide_custom_job_role(
    role_id uuid, decision text, into_role_id uuid, note text
) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    decided app.job_roles;
begin
    perform private.caller_id();
    if not private.is_job_role_reviewer() then
        perform private.raise_error('job_roles.review_forbidden', 'Only job-role reviewers may do this.', 403);
    end if;
    if pg_catalog.char_length(note) > 1000 then
        perform private.raise_error(
            'job_roles.note_too_long', 'A review note has at most 1000 characters.', 400,
            pg_catalog.jsonb_build_object('max_length', 1000)
        );
    end if;
    perform from app.job_roles as r where r.job_role_id = role_id and r.source = 'custom' for update;
    if not found then
        perform private.raise_error(
            'job_roles.not_found', 'No such custom job role.', 404, pg_catalog.jsonb_build_object('job_role_id', role_id)
        );
    end if;
    if decision = 'merged' and not exists (
        select from app.job_roles as t
        where t.job_role_id = into_role_id and t.status in ('active', 'approved') and t.job_role_id <> role_id
    ) then
        perform private.raise_error(
            'job_roles.invalid_merge_target', 'Merge into an existing catalogue or approved role.', 422,
            pg_catalog.jsonb_build_object('into_job_role_id', into_role_id)
        );
    end if;

    update app.job_roles as r
    set status = decision,
        merged_into_job_role_id = case when decision = 'merged' then into_role_id end,
        reviewed_by = auth.uid(),
        reviewed_at = pg_catalog.now(),
        review_note = nullif(pg_catalog.btrim(note), '')
    where r.job_role_id = role_id and r.status = 'pending_review'
    returning r.* into decided;
    if decided.job_role_id is null then
        perform private.raise_error(
            'job_roles.already_reviewed', 'This custom job role has already been reviewed.', 409,
            pg_catalog.jsonb_build_object('job_role_id', role_id)
        );
    end if;
    return pg_catalog.jsonb_build_object(
        'job_role_id', decided.job_role_id, 'title', decided.title, 'status', decided.status,
        'merged_into_job_role_id', decided.merged_into_job_role_id, 'review_note', decided.review_note,
        'reviewed_at', decided.reviewed_at
    );
end;
$$;

comment on function private.decide_custom_job_role(uuid, text, uuid, text) is
'Record a reviewer''s decision on a pending custom job role (invoker rights: RLS applies).';

grant execute on function private.decide_custom_job_role(uuid, text, uuid, text) to authenticated;


create or replace function api.approve_custom_job_role(job_role_id uuid, note text default null) returns jsonb
language sql
volatile
set search_path = ''
as $$
    select private.decide_custom_job_role(approve_custom_job_role.job_role_id, 'approved', null, note)
$$;

comment on function api.approve_custom_job_role(uuid, text) is
'Approve a pending custom role: searchable by everyone from now on; the author is told. Reviewers only. '
'Errors: job_roles.review_forbidden (403), job_roles.not_found (404), job_roles.already_reviewed (409), '
'job_roles.note_too_long (400).';

grant execute on function api.approve_custom_job_role(uuid, text) to authenticated;


create or replace function api.merge_custom_job_role(
    job_role_id uuid, into_job_role_id uuid, note text default null
) returns jsonb
language sql
volatile
set search_path = ''
as $$
    select private.decide_custom_job_role(merge_custom_job_role.job_role_id, 'merged', into_job_role_id, note)
$$;

comment on function api.merge_custom_job_role(uuid, uuid, text) is
'Merge a pending custom role into an existing occupation: its title becomes an alternate title of it; the '
'author is told. Reviewers only. Errors as approve, plus job_roles.invalid_merge_target (422).';

grant execute on function api.merge_custom_job_role(uuid, uuid, text) to authenticated;


create or replace function api.reject_custom_job_role(job_role_id uuid, note text default null) returns jsonb
language sql
volatile
set search_path = ''
as $$
    select private.decide_custom_job_role(reject_custom_job_role.job_role_id, 'rejected', null, note)
$$;

comment on function api.reject_custom_job_role(uuid, text) is
'Reject a pending custom role (it stays private to its author); the author is told. Reviewers only. '
'Errors as approve.';

grant execute on function api.reject_custom_job_role(uuid, text) to authenticated;
