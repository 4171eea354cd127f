-- api.search_job_roles: the embedded (no external service) job-role search of onboarding.
-- Any signed-in caller; ranked with the caller's industry when they have chosen one.
create or replace function api.search_job_roles(
    title text,
    description text default null,
    max_results integer default 5
)
returns setof api.job_role_search_result
language plpgsql
stable
set search_path = ''
as $$
begin
    perform private.caller_id();
    if coalesce(pg_catalog.btrim(search_job_roles.title), '') = '' then
        perform private.raise_error('job_roles.title_required', 'Type a job title to search for.', 400);
    end if;
    if pg_catalog.char_length(search_job_roles.title) > 200 then
        perform private.raise_error(
            'job_roles.title_too_long', 'A job title has at most 200 characters.', 400,
            pg_catalog.jsonb_build_object('max_length', 200)
        );
    end if;
    if pg_catalog.char_length(search_job_roles.description) > 2000 then
        perform private.raise_error(
            'job_roles.description_too_long', 'A job description has at most 2000 characters.', 400,
            pg_catalog.jsonb_build_object('max_length', 2000)
        );
    end if;
    if max_results is null or max_results not between 1 and 50 then
        perform private.raise_error(
            'job_roles.invalid_max_results', 'max_results must be between 1 and 50.', 400,
            pg_catalog.jsonb_build_object('min', 1, 'max', 50)
        );
    end if;

    return query
    select r.job_role_id, r.onet_code, r.title, r.description, m.score, m.matched_title
    from private.rank_job_roles(
        search_job_roles.title, search_job_roles.description, private.caller_industry_id(), max_results
    ) as m
    join app.job_roles as r on r.job_role_id = m.job_role_id
    order by m.score desc, r.title;
end;
$$;

comment on function api.search_job_roles(text, text, integer) is
'Job roles matching a typed title (and optional description), best first: O*NET occupations and the custom roles '
'visible to the caller. Ranked by full-text terms, typo-tolerant trigram matching and the caller''s industry. '
'Errors: job_roles.title_required, job_roles.title_too_long, job_roles.description_too_long, '
'job_roles.invalid_max_results (400). Contains O*NET 30.0 data (USDOL/ETA, CC BY 4.0): see api.job_roles_attribution().';

grant execute on function api.search_job_roles(text, text, integer) to authenticated;
