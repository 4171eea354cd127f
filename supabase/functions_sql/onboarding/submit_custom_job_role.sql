-- api.submit_custom_job_role: onboarding step 3, when no catalogue role fits.
create or replace function api.submit_custom_job_role(title text, description text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    clean_title text := pg_catalog.btrim(submit_custom_job_role.title);
    clean_description text := pg_catalog.btrim(submit_custom_job_role.description);
    problems jsonb := '[]';
    chosen_industry uuid;
    new_role_id uuid;
    wait_seconds integer;
begin
    if coalesce(pg_catalog.char_length(clean_title), 0) not between 2 and 200 then
        problems := problems || pg_catalog.jsonb_build_object(
            'field', 'title', 'message', 'must be 2 to 200 characters'
        );
    end if;
    if coalesce(pg_catalog.char_length(clean_description), 0) not between 10 and 1000 then
        problems := problems || pg_catalog.jsonb_build_object(
            'field', 'description', 'message', 'must be 10 to 1000 characters'
        );
    end if;
    if problems != '[]' then
        perform private.raise_error(
            'onboarding.invalid_custom_job_role', 'The custom job role is not valid.', 422,
            pg_catalog.jsonb_build_object('errors', problems)
        );
    end if;

    perform private.onboarding__lock(caller);
    select o.industry_id into chosen_industry from app.onboardings as o where o.profile_id = caller;
    -- Submitting the same role twice reuses the first submission instead of filing a duplicate.
    select r.job_role_id into new_role_id
    from app.job_roles as r
    where
        r.created_by = caller and r.source = 'custom' and r.status = 'pending_review'
        and pg_catalog.lower(r.title) = pg_catalog.lower(clean_title) and r.description = clean_description
    order by r.created_at
    limit 1;
    if new_role_id is null then
        -- A new role costs an AI call (its enrichment job): metered per learner, like the other AI features.
        wait_seconds := private.ai_take_quota('custom_role_enrichment');
        if wait_seconds > 0 then
            perform private.raise_error(
                'ai.rate_limited', 'You have described too many custom job roles for now; try again later.', 429,
                pg_catalog.jsonb_build_object('retry_after_seconds', wait_seconds)
            );
        end if;
        -- Private to its author until a reviewer approves it (app.job_roles' policies).
        insert into app.job_roles as r (title, description, source, status, created_by, industry_id)
        values (clean_title, clean_description, 'custom', 'pending_review', caller, chosen_industry)
        returning r.job_role_id into new_role_id;
    end if;
    perform private.onboarding__log(caller, 'custom_job_role', pg_catalog.jsonb_build_object('job_role_id', new_role_id, 'title', clean_title));
    -- One update per step: it bumps the version and so broadcasts the new state once.
    update app.onboardings as o set job_role_id = new_role_id, version = o.version + 1 where o.profile_id = caller;
    return private.onboarding__changed_state();
end;
$$;

comment on function api.submit_custom_job_role(text, text) is
'Onboarding: describe your own job role (title 2-200, description 10-1000 characters, trimmed) and choose it; it stays private to you until reviewed. Returns the new state, as api.onboarding_state(). Each new role is enriched by AI and counts against your custom_role_enrichment limit (private.ai_rate_limits); resubmitting a role under review reuses it. Errors: onboarding.invalid_custom_job_role (422, details.errors lists each field), ai.rate_limited (429, details.retry_after_seconds).';

grant execute on function api.submit_custom_job_role(text, text) to authenticated;
