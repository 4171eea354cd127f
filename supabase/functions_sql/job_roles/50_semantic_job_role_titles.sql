-- The titles the semantic job-role search holds in memory: every title of every published role
-- (catalogue occupations and approved custom roles), with its vector for one encoder version, null
-- where that model has not encoded it yet. A custom role under review, rejected or merged is absent,
-- so no one reaches it by meaning; its author still finds it through api.search_job_roles.
-- security definer: reads the private index; granted to the sidecar's service role only.
create or replace function private.semantic_job_role_titles(model_version text)
returns table (job_role_id uuid, title text, normalized text, embedding real[])
language sql
stable
security definer
set search_path = ''
as $$
    select t.job_role_id, t.title, t.normalized, v.embedding
    from private.job_role_search_titles as t
    join app.job_roles as r on r.job_role_id = t.job_role_id
    left join private.job_role_title_vectors as v
        on v.model_version = semantic_job_role_titles.model_version and v.normalized = t.normalized
    where r.status in ('active', 'approved')
    order by t.job_role_id, t.is_official desc, t.title
$$;

comment on function private.semantic_job_role_titles(text) is
'Every title of every published job role, with its vector for the given encoder version (null if not encoded yet).';

revoke all on function private.semantic_job_role_titles(text) from public;
grant execute on function private.semantic_job_role_titles(text) to service_role;
