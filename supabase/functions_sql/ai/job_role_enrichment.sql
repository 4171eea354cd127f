-- api.job_role_enrichment: the AI proposal for a custom job role (its author and reviewers).
create or replace function api.job_role_enrichment(job_role_id uuid) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    proposal app.job_role_enrichments;
    nearest_title text;
begin
    perform private.caller_id();
    -- RLS decides visibility (author or reviewer); an invisible proposal is reported as missing.
    select * into proposal from app.job_role_enrichments as e where e.job_role_id = job_role_enrichment.job_role_id;
    if not found then
        perform private.raise_error(
            'ai.enrichment_not_found', 'No enrichment proposal for this job role.', 404,
            pg_catalog.jsonb_build_object('job_role_id', job_role_enrichment.job_role_id)
        );
    end if;
    select r.title into nearest_title from app.job_roles as r where r.job_role_id = proposal.nearest_job_role_id;
    return pg_catalog.jsonb_build_object(
        'job_role_id', proposal.job_role_id,
        'description_third_person', proposal.description_third_person,
        'keywords', pg_catalog.to_jsonb(proposal.keywords),
        'nearest_job_role', case when proposal.nearest_job_role_id is null then null else
            pg_catalog.jsonb_build_object('job_role_id', proposal.nearest_job_role_id, 'title', nearest_title) end,
        'seniority', proposal.seniority,
        'model', proposal.model,
        'updated_at', proposal.updated_at
    );
end;
$$;

comment on function api.job_role_enrichment(uuid) is
'The AI enrichment proposal for a custom job role: {job_role_id, description_third_person, keywords, nearest_job_role {job_role_id, title} | null, seniority, model, updated_at}. For the role''s author and reviewers. Errors: auth.not_signed_in (401), ai.enrichment_not_found (404).';

grant execute on function api.job_role_enrichment(uuid) to authenticated;
