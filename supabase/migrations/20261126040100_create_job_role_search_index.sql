-- The embedded search index of the job-role catalogue (api.search_job_roles ranks with it):
--   titles      : every title of a searchable role (its own and its alternate titles), normalised,
--                 trigram-indexed for exact and near-exact title matches;
--   terms       : an inverted index term -> role -> weight, a BM25-style score precomputed from how
--                 many of the role's titles use the term (the official title counts double), the
--                 term's rarity over the catalogue (idf), the title's head word, and a small share
--                 for description words; tuned on a development split (bench/role_matching);
--                 besides lexemes, terms are the trigrams of title words ('c:', so a word stemming
--                 cannot relate, cytotechnician / cytotechnologist, still shares most of them: top-1
--                 +1 point, top-5 +3 on the dev split; trigrams in more than 200 roles are left out)
--                 and bigrams of consecutive title words ('b:', "machine operator" says more than
--                 "machine" and "operator" in different titles);
--   postings    : the terms folded per term (roles and weights in two arrays), so a search reads one
--                 row per query term instead of one per (term, role): p95 latency is the goal;
--   vocabulary  : the words of all titles, trigram-indexed, to map a misspelt word to known ones.
-- Rebuilt whole by the seed loader (each weight gets its idf in the same pass, the title
-- normalisation is inlined: that rebuild runs for every title of the catalogue); kept current for
-- single roles by triggers (custom roles under review, approvals, merges, new alternate titles).
-- Private: API roles read it only through the definer ranking helper, which applies the catalogue's
-- visibility rules.
-- The functions that build and query it live in supabase/functions_sql/job_roles/.
-- Touches: private.job_role_search_*, triggers on app.job_roles and app.job_role_alternate_titles.

create table private.job_role_search_titles (
    job_role_search_title_id bigint generated always as identity primary key,
    job_role_id uuid not null references app.job_roles (job_role_id) on delete cascade,
    title text not null,
    normalized text not null,
    is_official boolean not null
);

comment on table private.job_role_search_titles is 'Search index: every title of every searchable job role.';
comment on column private.job_role_search_titles.job_role_search_title_id is 'Primary key.';
comment on column private.job_role_search_titles.job_role_id is 'The role this title names.';
comment on column private.job_role_search_titles.title is 'The title as shown (matched_title in results).';
comment on column private.job_role_search_titles.normalized is 'lower(unaccent(title)) with whitespace collapsed.';
comment on column private.job_role_search_titles.is_official is 'True for the role''s own title.';

create index job_role_search_titles_role_idx on private.job_role_search_titles (job_role_id);
create index job_role_search_titles_normalized_idx on private.job_role_search_titles (normalized);
create index job_role_search_titles_trgm_idx on private.job_role_search_titles
using gin (normalized extensions.gin_trgm_ops);

create table private.job_role_search_terms (
    term text not null,
    job_role_id uuid not null references app.job_roles (job_role_id) on delete cascade,
    weight real not null,
    primary key (term, job_role_id)
);

comment on table private.job_role_search_terms is 'Search index: term -> role -> precomputed BM25-style weight.';
comment on column private.job_role_search_terms.term is
'An English lexeme (to_tsvector), a head word with # appended, c:<trigram> of a word, or b:<lexeme>_<lexeme>.';
comment on column private.job_role_search_terms.job_role_id is 'The role whose titles or description use the term.';
comment on column private.job_role_search_terms.weight is 'idf x saturated title frequency, plus a description share.';

create index job_role_search_terms_role_idx on private.job_role_search_terms (job_role_id);

create table private.job_role_search_term_stats (
    term text primary key,
    idf real not null
);

comment on table private.job_role_search_term_stats is 'Search index: rarity of each term over the catalogue, from the last full rebuild.';
comment on column private.job_role_search_term_stats.term is 'The term.';
comment on column private.job_role_search_term_stats.idf is 'ln(1 + roles / roles using the term).';

create table private.job_role_search_roles (
    job_role_id uuid primary key references app.job_roles (job_role_id) on delete cascade,
    prior real not null
);

comment on table private.job_role_search_roles is 'Search index: per-role prior (roles known by many titles are asked for more often).';
comment on column private.job_role_search_roles.job_role_id is 'The role.';
comment on column private.job_role_search_roles.prior is '0.3 x ln(number of titles).';

create table private.job_role_search_vocabulary (
    word text primary key,
    term text not null
);

comment on table private.job_role_search_vocabulary is 'Search index: known title words and their lexemes, for typo tolerance.';
comment on column private.job_role_search_vocabulary.word is 'A word of some title, lower case, unaccented.';
comment on column private.job_role_search_vocabulary.term is 'Its English lexeme.';

create index job_role_search_vocabulary_trgm_idx on private.job_role_search_vocabulary
using gin (word extensions.gin_trgm_ops);

create table private.job_role_search_postings (
    term text primary key,
    job_role_ids uuid[] not null,
    weights real[] not null
);

comment on table private.job_role_search_postings is
'Search index: job_role_search_terms folded per term (what a search reads); kept in step with it.';
comment on column private.job_role_search_postings.term is 'The term.';
comment on column private.job_role_search_postings.job_role_ids is 'Roles using the term.';
comment on column private.job_role_search_postings.weights is 'Their weights, in the same order.';

-- Private tables: RLS on, no policies, no grants; only definer helpers and the owner read them.
alter table private.job_role_search_titles enable row level security;
alter table private.job_role_search_terms enable row level security;
alter table private.job_role_search_term_stats enable row level security;
alter table private.job_role_search_roles enable row level security;
alter table private.job_role_search_vocabulary enable row level security;
alter table private.job_role_search_postings enable row level security;

-- security definer: called from triggers fired by users' writes; it reindexes only the changed role.
create function private.tg_job_roles__index() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.index_job_role(new.job_role_id);
    return null;
end;
$$;

create trigger _200_index after insert or update of title, description, status on app.job_roles
for each row when (new.source = 'custom')
execute function private.tg_job_roles__index();

-- security definer: merges add alternate titles as reviewers, who cannot write the private index.
create function private.tg_job_role_alternate_titles__index() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if pg_catalog.current_setting('fluentpro.bulk_seed', true) is distinct from 'on' then
        perform private.index_job_role(coalesce(new.job_role_id, old.job_role_id));
    end if;
    return null;
end;
$$;

create trigger _200_index after insert or delete on app.job_role_alternate_titles
for each row execute function private.tg_job_role_alternate_titles__index();

create type api.job_role_search_result as (
    job_role_id uuid,
    onet_code text,
    title text,
    description text,
    score real,
    matched_title text
);

comment on type api.job_role_search_result is
'A row of api.search_job_roles: the role, its relevance score (higher is better) and the title of it that matched.';

-- The reviewers' update policy on app.job_roles reads source.
create index job_roles_source_idx on app.job_roles (source);
