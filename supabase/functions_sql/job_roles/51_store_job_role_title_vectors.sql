-- Store the vectors the sidecar computed for titles that had none for its encoder: `normalized` holds
-- n titles and `embeddings` their n vectors one after the other (`dimensions` reals each). A title
-- already stored (another sidecar got there first) keeps its vector. Returns how many were new.
-- security definer: writes the private table; granted to the sidecar's service role only.
create or replace function private.store_job_role_title_vectors(
    model_version text,
    normalized text[],
    embeddings real[],
    dimensions integer
)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    stored integer;
begin
    if store_job_role_title_vectors.dimensions is null
        or store_job_role_title_vectors.dimensions not between 2 and 4096
        or pg_catalog.cardinality(store_job_role_title_vectors.embeddings)
        <> pg_catalog.cardinality(store_job_role_title_vectors.normalized) * store_job_role_title_vectors.dimensions
    then
        perform private.raise_error(
            'job_roles.invalid_vectors', 'Each title needs exactly one vector of the given dimensions.', 400
        );
    end if;
    insert into private.job_role_title_vectors (model_version, normalized, embedding)
    select
        store_job_role_title_vectors.model_version,
        n.title,
        store_job_role_title_vectors.embeddings[
            (n.i - 1) * store_job_role_title_vectors.dimensions + 1 : n.i * store_job_role_title_vectors.dimensions
        ]
    from pg_catalog.unnest(store_job_role_title_vectors.normalized) with ordinality as n (title, i)
    on conflict do nothing;
    get diagnostics stored = row_count;
    return stored;
end;
$$;

comment on function private.store_job_role_title_vectors(text, text[], real[], integer) is
'Store encoded job-role titles for one encoder version (existing vectors are kept). '
'Errors: job_roles.invalid_vectors (400).';

revoke all on function private.store_job_role_title_vectors(text, text[], real[], integer) from public;
grant execute on function private.store_job_role_title_vectors(text, text[], real[], integer) to service_role;
