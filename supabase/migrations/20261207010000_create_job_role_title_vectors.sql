-- Vectors of job-role titles for the semantic job-role search (core/search/semantic.py): one per
-- normalised title and encoder version. A title is encoded once per model, whichever roles share it;
-- a new model (a new version) has no vectors until its titles are encoded; a changed title is a new
-- text, so it is encoded anew. The sidecar encodes the titles its model has no vector for when it
-- builds its index, and stores them (private.store_job_role_title_vectors).
-- Debian's PostgreSQL 15 has no pgvector, so a vector is a real[] and the nearest-neighbour search runs
-- in the sidecar's memory over the published titles (docs/role_matching.md says why that is also the
-- faster choice at this size).
-- Any change to what is searchable (a title indexed or removed, a role's status) notifies
-- `job_role_catalogue` at commit; the sidecar rebuilds its index when it hears it.
-- Touches: private.job_role_title_vectors, private.tg__notify_catalogue and its triggers.

create table private.job_role_title_vectors (
    model_version text not null check (model_version ~ '^[0-9a-f]{16}$'),
    normalized text not null check (char_length(normalized) between 1 and 200),
    embedding real[] not null
    check (pg_catalog.array_ndims(embedding) = 1 and pg_catalog.cardinality(embedding) between 2 and 4096),
    created_at timestamptz not null default now(),
    primary key (model_version, normalized)
);

comment on table private.job_role_title_vectors is
'Semantic search: the unit vector of each normalised job-role title, per encoder version.';
comment on column private.job_role_title_vectors.model_version is
'The encoder that made the vector: the first 16 hex digits of its sha256 (models/role_encoder/manifest.json).';
comment on column private.job_role_title_vectors.normalized is
'The title as private.job_role_search_titles.normalized holds it.';
comment on column private.job_role_title_vectors.embedding is 'The unit vector (as many reals as the model''s dimensions).';
comment on column private.job_role_title_vectors.created_at is 'When the title was encoded.';

-- No policy: API roles never read it; the definer functions of functions_sql/job_roles do.
alter table private.job_role_title_vectors enable row level security;
revoke all on table private.job_role_title_vectors from public;

-- The payload is empty: a listener re-reads the searchable titles, whatever changed.
-- Invoker's rights: pg_notify needs no privilege, and whoever may change the rows may say they changed.
create function private.tg__notify_catalogue() returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform pg_catalog.pg_notify('job_role_catalogue', '');
    return null;
end;
$$;

comment on function private.tg__notify_catalogue() is
'Statement trigger: tells listeners (the sidecar''s semantic index) that the searchable titles changed.';

create trigger _900_notify_catalogue after insert or update or delete on private.job_role_search_titles
for each statement execute function private.tg__notify_catalogue();

create trigger _900_notify_catalogue after update of status on app.job_roles
for each statement execute function private.tg__notify_catalogue();
