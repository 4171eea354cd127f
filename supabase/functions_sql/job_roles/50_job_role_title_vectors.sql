-- The semantic index's reads and writes of job-role title vectors (table in migration
-- 20261207010000_create_job_role_title_vectors): called by the sidecar as service_role.
-- Definer: the index is the catalogue's, built before any user asks; service_role alone may call them.

-- Every title of every published role (active occupations and approved custom roles) and of every
-- custom role pending review, with its vector for `model_version` as array_send bytes (null when it
-- has none yet). A pending role comes with its author: the sidecar lets no one else's search reach
-- it by meaning. Rejected and merged roles are left out.
create or replace function private.semantic_job_role_titles(model_version text)
returns table (job_role_id uuid, title text, embedding bytea, author uuid)
language sql
stable
security definer
set search_path = ''
as $$
    select distinct on (t.job_role_id, t.title)
        t.job_role_id, t.title, pg_catalog.array_send(v.embedding),
        case when r.status = 'pending_review' then r.created_by end
    from private.job_role_search_titles as t
    join app.job_roles as r on r.job_role_id = t.job_role_id
    left join private.job_role_title_vectors as v
        on v.model_version = semantic_job_role_titles.model_version and v.title = t.title
    where r.status in ('active', 'approved', 'pending_review')
    order by t.job_role_id, t.title
$$;

comment on function private.semantic_job_role_titles(text) is
'Titles of published and pending job roles (a pending one with its author), each with its vector for the '
'encoder version (null: not encoded yet).';

grant execute on function private.semantic_job_role_titles(text) to service_role;

-- Store vectors of `titles`, row i's being embeddings[(i-1)*dimensions+1 : i*dimensions] (one flat
-- array: one parameter, whatever the count). A title that has a vector for this version keeps it.
create or replace function private.store_job_role_title_vectors(
    model_version text,
    titles text[],
    embeddings real[],
    dimensions integer
) returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    stored integer;
    n_titles integer := coalesce(pg_catalog.cardinality(store_job_role_title_vectors.titles), 0);
begin
    if coalesce(store_job_role_title_vectors.dimensions, 0) < 1
        or pg_catalog.array_ndims(store_job_role_title_vectors.embeddings) is distinct from 1
        or pg_catalog.cardinality(store_job_role_title_vectors.embeddings)
        <> n_titles * store_job_role_title_vectors.dimensions
        or pg_catalog.array_position(store_job_role_title_vectors.embeddings, null) is not null
    then
        perform private.raise_error(
            'job_roles.invalid_vectors',
            'Each title needs exactly `dimensions` numbers, none missing.',
            400,
            pg_catalog.jsonb_build_object('titles', n_titles, 'dimensions', store_job_role_title_vectors.dimensions)
        );
    end if;
    insert into private.job_role_title_vectors (model_version, title, embedding)
    select
        store_job_role_title_vectors.model_version,
        u.title,
        store_job_role_title_vectors.embeddings[
            (u.i - 1) * store_job_role_title_vectors.dimensions + 1 : u.i * store_job_role_title_vectors.dimensions
        ]
    from pg_catalog.unnest(store_job_role_title_vectors.titles) with ordinality as u (title, i)
    on conflict do nothing;
    get diagnostics stored = row_count;
    return stored;
end;
$$;

comment on function private.store_job_role_title_vectors(text, text[], real[], integer) is
'Store title vectors for an encoder version (titles that already have one keep it); returns how many were new. '
'Errors: job_roles.invalid_vectors (400).';

grant execute on function private.store_job_role_title_vectors(text, text[], real[], integer) to service_role;

-- Drop the vectors no build needs any more: those of titles no longer searchable (a rejected,
-- merged or renamed role's), and those of other encoder versions stored over `keep_other_versions`
-- ago (a model replaced by a deploy; a rollback within that time finds its vectors still there).
create or replace function private.prune_job_role_title_vectors(
    model_version text,
    keep_other_versions interval default interval '7 days'
) returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    pruned integer;
begin
    delete from private.job_role_title_vectors as v
    where (
        v.model_version = prune_job_role_title_vectors.model_version
        and not exists (
            select from private.job_role_search_titles as t
            join app.job_roles as r on r.job_role_id = t.job_role_id
            where t.title = v.title and r.status in ('active', 'approved', 'pending_review')
        )
    ) or (
        v.model_version <> prune_job_role_title_vectors.model_version
        and v.created_at < pg_catalog.now() - prune_job_role_title_vectors.keep_other_versions
    );
    get diagnostics pruned = row_count;
    return pruned;
end;
$$;

comment on function private.prune_job_role_title_vectors(text, interval) is
'Delete title vectors of titles no longer searchable, and of other encoder versions older than keep_other_versions; '
'returns how many.';

grant execute on function private.prune_job_role_title_vectors(text, interval) to service_role;
