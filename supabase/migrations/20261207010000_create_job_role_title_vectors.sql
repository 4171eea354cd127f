-- Vectors of the job-role titles for the sidecar's semantic ranking (sidecar/search/semantic_index.py):
-- one vector per title text and encoder version, so a title shared by several roles, or kept across
-- a reindex, is encoded once, and vectors of two models are never mixed. A changed title is a new
-- text, so it simply has no vector yet; the sidecar encodes what is missing and stores it here.
-- real[] rather than pgvector's vector type: Debian's PostgreSQL 15 has no pgvector, and the sidecar
-- ranks in memory by exact brute force, so the database only keeps the vectors (docs/role_matching.md).
-- Changes to what is searchable are announced on the channel job_role_catalogue (one notification
-- per statement, payload the table's name): the sidecar rebuilds its in-memory index then.
-- Touches: private.job_role_title_vectors, private.tg__notify_catalogue and its triggers on
-- private.job_role_search_titles and app.job_roles.

create table private.job_role_title_vectors (
    model_version text not null,
    title text not null,
    embedding real[] not null,
    created_at timestamptz not null default pg_catalog.now(),
    primary key (model_version, title),
    constraint job_role_title_vectors_one_dimension check (pg_catalog.array_ndims(embedding) = 1)
);

comment on table private.job_role_title_vectors is
'The semantic encoder''s vector of each job-role title text, per encoder version.';
comment on column private.job_role_title_vectors.model_version is
'The first 16 hex digits of the encoder''s sha256 (models/role_encoder/manifest.json).';
comment on column private.job_role_title_vectors.title is 'The title exactly as indexed (job_role_search_titles.title).';
comment on column private.job_role_title_vectors.embedding is 'Its unit vector.';
comment on column private.job_role_title_vectors.created_at is 'When it was stored.';

-- Private: RLS on, no policies, no grants; the sidecar reads and writes it through definer helpers.
alter table private.job_role_title_vectors enable row level security;

-- Invoker's rights: pg_notify needs no privilege. The payload names the table, never a row.
create function private.tg__notify_catalogue() returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform pg_catalog.pg_notify('job_role_catalogue', tg_table_name);
    return null;
end;
$$;

comment on function private.tg__notify_catalogue() is
'After a statement changes searchable titles or role statuses, notify job_role_catalogue.';

-- Titles are added, dropped or renamed here whenever a role is (re)indexed, in bulk or one by one.
create trigger _900_notify_catalogue
after insert or update or delete on private.job_role_search_titles
for each statement
execute function private.tg__notify_catalogue();

-- A status change (an approval, a rejection, a merge) changes whether a role's titles are searchable.
create trigger _900_notify_catalogue
after update of status on app.job_roles
for each statement
execute function private.tg__notify_catalogue();
