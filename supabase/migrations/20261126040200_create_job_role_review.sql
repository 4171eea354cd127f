-- What follows a reviewer's decision on a custom job role (api.approve/merge/reject_custom_job_role):
--   _300_merge_title      : a merged role's title becomes an alternate title of the occupation it
--                           was merged into, so the next user who types it finds that occupation;
--   _400_notify_author    : the author hears the decision on their private channel user:<uuid>;
--   _500_enqueue_index    : a job_roles__index job updates Azure AI Search (adds approved roles,
--                           removes rejected and merged ones).
-- Touches: those triggers on app.job_roles and their private trigger functions.

-- security definer: reviewers may not write alternate titles directly; the trigger adds exactly one.
create function private.tg_job_roles__merge_title() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into app.job_role_alternate_titles (job_role_id, title, source)
    values (new.merged_into_job_role_id, new.title, 'merged')
    on conflict (job_role_id, title) do nothing;
    return null;
end;
$$;

create trigger _300_merge_title after update of status on app.job_roles
for each row when (new.status = 'merged' and old.status is distinct from new.status)
execute function private.tg_job_roles__merge_title();

-- security definer: realtime.send inserts into realtime.messages, which reviewers may not do.
create function private.tg_job_roles__notify_author() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform realtime.send(
        pg_catalog.jsonb_build_object(
            'job_role_id', new.job_role_id,
            'title', new.title,
            'status', new.status,
            'merged_into_job_role_id', new.merged_into_job_role_id,
            'review_note', new.review_note
        ),
        'job_role_reviewed',
        'user:' || new.created_by::text,
        true
    );
    return null;
end;
$$;

create trigger _400_notify_author after update of status on app.job_roles
for each row when (
    new.source = 'custom' and new.created_by is not null
    and new.status in ('approved', 'rejected', 'merged') and old.status is distinct from new.status
)
execute function private.tg_job_roles__notify_author();

-- security definer: the outbox is private; the job carries only the role id.
create function private.tg_job_roles__enqueue_index() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.enqueue_job(
        'job_roles__index',
        pg_catalog.jsonb_build_object('job_role_id', new.job_role_id),
        'job_roles__index:' || new.job_role_id::text
    );
    return null;
end;
$$;

create trigger _500_enqueue_index after update of status, title, description on app.job_roles
for each row when (new.source = 'custom' and (old.status in ('approved') or new.status in ('approved')))
execute function private.tg_job_roles__enqueue_index();
