-- AI work on the job-role catalogue:
--   app.job_role_enrichments : the enrichment job's proposal for a custom role (description in the third
--                              person, keywords, nearest catalogue occupation, seniority), for reviewers
--                              and the role's author; the keywords also make the role findable by search.
--   private.job_role_embeddings: one embedding per role and model, with the hash of the text embedded, so
--                              the embed job is resumable (it only embeds rows missing or stale) and the
--                              Azure indexer reads vectors without calling OpenAI again.
-- A custom role's submission enqueues job_roles__enrich; its author hears job_role_enriched on user:<uuid>.
-- Touches: app.job_role_enrichments, private.job_role_embeddings, private.tg_job_roles__request_enrichment,
--          private.tg_job_role_enrichments__notify_author.

create table app.job_role_enrichments (
    job_role_id uuid primary key references app.job_roles (job_role_id) on delete cascade,
    description_third_person text not null check (char_length(description_third_person) between 10 and 4000),
    keywords text[] not null check (cardinality(keywords) between 1 and 10),
    nearest_job_role_id uuid references app.job_roles (job_role_id) on delete set null,
    seniority text not null check (seniority in ('associate', 'supervisor', 'manager', 'director', 'executive')),
    model text not null check (char_length(model) between 1 and 200),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.job_role_enrichments is
'The AI proposal for a custom job role, for reviewers to accept or ignore; written by the job_roles__enrich job.';
comment on column app.job_role_enrichments.job_role_id is 'The custom role enriched (primary key).';
comment on column app.job_role_enrichments.description_third_person is 'The author''s description rewritten in the third person.';
comment on column app.job_role_enrichments.keywords is 'Proposed search keywords (5-8 asked for).';
comment on column app.job_role_enrichments.nearest_job_role_id is 'The nearest catalogue occupation proposed, if any fits.';
comment on column app.job_role_enrichments.seniority is 'Proposed seniority level.';
comment on column app.job_role_enrichments.model is 'Chat model that made the proposal.';
comment on column app.job_role_enrichments.created_at is 'When the first proposal was stored.';
comment on column app.job_role_enrichments.updated_at is 'When the proposal was last replaced.';

create index job_role_enrichments_nearest_idx on app.job_role_enrichments (nearest_job_role_id)
where nearest_job_role_id is not null;

alter table app.job_role_enrichments enable row level security;

-- Reviewers and the role's author (the subquery runs under app.job_roles' own policy, which lets an
-- author see their role; job_roles.created_by is indexed there).
create policy select_author_or_reviewer on app.job_role_enrichments for select to authenticated
using (
    (select private.is_job_role_reviewer())
    or exists (
        select from app.job_roles as r
        where r.job_role_id = job_role_enrichments.job_role_id and r.created_by = (select auth.uid())
    )
);

grant select on app.job_role_enrichments to authenticated, service_role;

-- A new custom role asks for its enrichment, in the submitting transaction.
-- security definer: private.enqueue_job is for the owner; authors insert their role as themselves.
create function private.tg_job_roles__request_enrichment() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.enqueue_job(
        'job_roles__enrich',
        pg_catalog.jsonb_build_object('job_role_id', new.job_role_id),
        'job_roles__enrich:' || new.job_role_id::text,
        pg_catalog.now(),
        new.created_by
    );
    return null;
end;
$$;

comment on function private.tg_job_roles__request_enrichment() is
'AFTER INSERT on app.job_roles of a custom role: enqueue job_roles__enrich for it.';

create trigger _600_request_enrichment after insert on app.job_roles
for each row when (new.source = 'custom')
execute function private.tg_job_roles__request_enrichment();

-- security definer: realtime.send is invoker-rights; the job's role is the owner but keep it uniform.
create function private.tg_job_role_enrichments__notify_author() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    author uuid;
begin
    select r.created_by into author from app.job_roles as r where r.job_role_id = new.job_role_id;
    if author is not null then
        perform realtime.send(
            pg_catalog.jsonb_build_object('job_role_id', new.job_role_id, 'keywords', new.keywords),
            'job_role_enriched',
            'user:' || author::text,
            true
        );
    end if;
    return null;
end;
$$;

comment on function private.tg_job_role_enrichments__notify_author() is
'AFTER INSERT/UPDATE on app.job_role_enrichments: tell the role''s author (job_role_enriched on user:<uuid>).';

create trigger _900_notify_author after insert or update on app.job_role_enrichments
for each row execute function private.tg_job_role_enrichments__notify_author();

create trigger _100_touch_updated_at before update on app.job_role_enrichments
for each row execute function private.tg__touch_updated_at();

create table private.job_role_embeddings (
    job_role_id uuid not null references app.job_roles (job_role_id) on delete cascade,
    model text not null check (char_length(model) between 1 and 200),
    content_sha256 text not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
    embedding real[] not null check (cardinality(embedding) between 1 and 4096),
    embedded_at timestamptz not null default now(),
    primary key (job_role_id, model)
);

comment on table private.job_role_embeddings is
'Embedding of each job role''s text per model (no pgvector needed): read by the Azure indexer, refreshed by job_roles__embed when content_sha256 changes.';
comment on column private.job_role_embeddings.job_role_id is 'The role embedded.';
comment on column private.job_role_embeddings.model is 'Embedding model.';
comment on column private.job_role_embeddings.content_sha256 is 'SHA-256 of the text embedded; a different hash means the row is stale.';
comment on column private.job_role_embeddings.embedding is 'The vector.';
comment on column private.job_role_embeddings.embedded_at is 'When the vector was computed.';

alter table private.job_role_embeddings enable row level security;
