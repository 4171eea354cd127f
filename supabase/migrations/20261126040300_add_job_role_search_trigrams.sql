-- Trigrams of title words in the embedded job-role search index: a word stemming cannot relate
-- (cytotechnician / cytotechnologist, bandsaw / saw) still shares most of its pg_trgm trigrams with
-- its relatives. Measured on the development split of bench/role_matching: top-1 +1 point, top-5
-- +3 points. Trigrams in more than 200 roles are dropped (little information, most of the cost).
-- And postings: each term's roles and weights in two arrays (one row per term), so a search reads
-- one row per query term instead of one per (term, role): p95 latency is the goal (<= 20 ms).
-- Replaces the index-building functions of 20261126040100 and rebuilds the index where a catalogue is
-- loaded. Touches: private.job_role_search_postings (new), private.job_role_term_frequencies,
-- private.job_role_weighted_terms, private.rebuild_job_role_search_index, private.index_job_role,
-- private.refresh_job_role_postings (new); the rows of the private.job_role_search_* tables.

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

alter table private.job_role_search_postings enable row level security;

-- Re-fold the postings of some terms (null: all) from job_role_search_terms.
create function private.refresh_job_role_postings(changed text[]) returns void
language sql
set search_path = ''
as $$
    delete from private.job_role_search_postings as p where changed is null or p.term = any(changed);
    insert into private.job_role_search_postings (term, job_role_ids, weights)
    select t.term, pg_catalog.array_agg(t.job_role_id order by t.job_role_id),
        pg_catalog.array_agg(t.weight order by t.job_role_id)
    from private.job_role_search_terms as t
    where changed is null or t.term = any(changed)
    group by t.term;
$$;

comment on function private.refresh_job_role_postings(text[]) is 'Re-fold the search postings of some terms (null: all).';

create or replace function private.job_role_term_frequencies(role_ids uuid[])
returns table (job_role_id uuid, term text, frequency real, n_titles integer)
language sql
stable
set search_path = ''
as $$
    with titles as (
        select
            t.job_role_search_title_id, t.job_role_id, t.is_official,
            pg_catalog.to_tsvector('pg_catalog.english', t.normalized) as lexemes
        from private.job_role_search_titles as t
        where role_ids is null or t.job_role_id = any(role_ids)
    ),
    title_terms as (
        select t.job_role_id, u.lexeme as term, case when t.is_official then 2.0 else 1.0 end as w
        from titles as t cross join lateral pg_catalog.unnest(t.lexemes) as u
        union all
        -- The head word (the last one: "operator" in "machine operator") says what the job is.
        select t.job_role_id, h.lexeme || '#', case when t.is_official then 2.0 else 1.0 end
        from titles as t
        cross join lateral (
            select u.lexeme from pg_catalog.unnest(t.lexemes) as u
            order by (select max(p) from pg_catalog.unnest(u.positions) as p) desc limit 1
        ) as h
        union all
        -- Trigrams of each word ('c:' + pg_trgm trigram): variants stemming misses (cytotechnician,
        -- cytotechnologist; bandsaw, saw) still share most of them. A title counts each once.
        select g.job_role_id, g.term, g.w
        from (
            select distinct
                t.job_role_search_title_id, t.job_role_id, 'c:' || tg.trigram as term,
                case when t.is_official then 2.0 else 1.0 end as w
            from titles as t
            cross join lateral pg_catalog.unnest(t.lexemes) as u
            cross join lateral pg_catalog.unnest(extensions.show_trgm(u.lexeme)) as tg (trigram)
        ) as g
    ),
    counts as (
        select t.job_role_id, count(*)::integer as n_titles from titles as t group by t.job_role_id
    )
    select tt.job_role_id, tt.term, sum(tt.w)::real, c.n_titles
    from title_terms as tt join counts as c on c.job_role_id = tt.job_role_id
    group by tt.job_role_id, tt.term, c.n_titles
$$;

create or replace function private.job_role_weighted_terms(role_ids uuid[])
returns table (term text, job_role_id uuid, weight real)
language sql
stable
set search_path = ''
as $$
    with tf as (
        select f.job_role_id, f.term,
            f.frequency / (f.frequency + 1.2 * (0.9 + 0.1 * f.n_titles / 30.0)) as saturated
        from private.job_role_term_frequencies(role_ids) as f
    ),
    description_terms as (
        select distinct r.job_role_id, u.lexeme as term
        from app.job_roles as r
        cross join lateral pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', extensions.unaccent('extensions.unaccent', r.description))) as u
        where (role_ids is null or r.job_role_id = any(role_ids))
            and exists (select from private.job_role_search_titles as t where t.job_role_id = r.job_role_id)
    ),
    combined as (
        select coalesce(tf.job_role_id, d.job_role_id) as job_role_id, coalesce(tf.term, d.term) as term,
            coalesce(tf.saturated, 0) + case when d.term is null then 0 else 0.3 end as share
        from tf full join description_terms as d on d.job_role_id = tf.job_role_id and d.term = tf.term
    )
    select c.term, c.job_role_id,
        (c.share * coalesce(s.idf, pg_catalog.ln(1 + (select count(*) from private.job_role_search_roles))))::real
    from combined as c left join private.job_role_search_term_stats as s on s.term = c.term
    -- A single role's trigrams count only where the full rebuild kept them (not too common).
    where role_ids is null or s.term is not null or c.term not like 'c:%'
$$;

create or replace function private.rebuild_job_role_search_index() returns bigint
language plpgsql
set search_path = ''
as $$
declare
    entries bigint;
begin
    truncate private.job_role_search_titles, private.job_role_search_terms, private.job_role_search_term_stats,
        private.job_role_search_roles, private.job_role_search_vocabulary;
    perform private.index_job_role_titles(null);
    insert into private.job_role_search_roles (job_role_id, prior)
    select t.job_role_id, 0.3 * pg_catalog.ln(count(*)) from private.job_role_search_titles as t group by t.job_role_id;
    -- idf needs every role's terms first: weights are computed with an empty stats table, then rescaled.
    insert into private.job_role_search_terms (term, job_role_id, weight)
    select w.term, w.job_role_id, w.weight from private.job_role_weighted_terms(null) as w;
    -- Trigrams shared by many roles say little and cost the most to look up: drop them.
    delete from private.job_role_search_terms as t
    where t.term like 'c:%' and t.term in (
        select c.term from private.job_role_search_terms as c
        where c.term like 'c:%' group by c.term having count(*) > 200
    );
    insert into private.job_role_search_term_stats (term, idf)
    select t.term, pg_catalog.ln(1 + (select count(*) from private.job_role_search_roles)::real / count(*))
    from private.job_role_search_terms as t group by t.term;
    update private.job_role_search_terms as t
    set weight = t.weight / pg_catalog.ln(1 + (select count(*) from private.job_role_search_roles)) * s.idf
    from private.job_role_search_term_stats as s where s.term = t.term;
    insert into private.job_role_search_vocabulary (word, term)
    select w.word, min(u.lexeme)
    from (
        select distinct pg_catalog.regexp_split_to_table(t.normalized, '[^a-z0-9]+') as word
        from private.job_role_search_titles as t
    ) as w
    cross join lateral pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', w.word)) as u
    where pg_catalog.length(w.word) >= 3
    group by w.word;
    perform private.refresh_job_role_postings(null);
    -- Fresh statistics, so the planner uses the indexes at the first search (and hash-joins the
    -- few hundred candidates with the catalogue instead of looping over it).
    analyze app.job_roles;
    analyze app.job_role_industries;
    analyze private.job_role_search_roles;
    analyze private.job_role_search_postings;
    analyze private.job_role_search_titles;
    analyze private.job_role_search_terms;
    analyze private.job_role_search_term_stats;
    analyze private.job_role_search_vocabulary;
    select count(*) into entries from private.job_role_search_terms;
    return entries;
end;
$$;

-- security definer: reviewers' and authors' triggers write the private index they cannot touch.
create or replace function private.index_job_role(role_id uuid) returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
    changed text[];
begin
    changed := array(select t.term from private.job_role_search_terms as t where t.job_role_id = role_id);
    delete from private.job_role_search_titles as t where t.job_role_id = role_id;
    delete from private.job_role_search_terms as t where t.job_role_id = role_id;
    delete from private.job_role_search_roles as r where r.job_role_id = role_id;
    perform private.index_job_role_titles(array[role_id]);
    insert into private.job_role_search_roles (job_role_id, prior)
    select t.job_role_id, 0.3 * pg_catalog.ln(count(*)) from private.job_role_search_titles as t
    where t.job_role_id = role_id group by t.job_role_id;
    insert into private.job_role_search_terms (term, job_role_id, weight)
    select w.term, w.job_role_id, w.weight from private.job_role_weighted_terms(array[role_id]) as w;
    changed := changed || array(select t.term from private.job_role_search_terms as t where t.job_role_id = role_id);
    perform private.refresh_job_role_postings(changed);
    insert into private.job_role_search_vocabulary (word, term)
    select w.word, min(u.lexeme)
    from (
        select distinct pg_catalog.regexp_split_to_table(t.normalized, '[^a-z0-9]+') as word
        from private.job_role_search_titles as t where t.job_role_id = role_id
    ) as w
    cross join lateral pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', w.word)) as u
    where pg_catalog.length(w.word) >= 3
    group by w.word
    on conflict (word) do nothing;
end;
$$;

select private.rebuild_job_role_search_index()
where exists (select from app.job_roles);
