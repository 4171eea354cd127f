-- Building the job-role search index (tables in migration 20261126040100_create_job_role_search_index):
-- the seed loader's full rebuild and the triggers' one-role reindex. Order matters within this file:
-- `language sql` bodies are checked when created, so a function comes after those it calls.

-- Term frequencies of a set of roles, as (role, term, weight before idf).
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
        union all
        -- Bigrams of consecutive lexemes, in word order. A title counts each once.
        select b.job_role_id, b.term, b.w
        from (
            select distinct
                t.job_role_search_title_id, t.job_role_id, 'b:' || p.lexeme || '_' || p.next_lexeme as term,
                case when t.is_official then 2.0 else 1.0 end as w
            from titles as t
            cross join lateral (
                select u.lexeme, pg_catalog.lead(u.lexeme) over (order by w.position) as next_lexeme
                from pg_catalog.unnest(t.lexemes) as u
                cross join lateral pg_catalog.unnest(u.positions) as w (position)
            ) as p
            where p.next_lexeme is not null
        ) as b
    ),
    counts as (
        select t.job_role_id, count(*)::integer as n_titles from titles as t group by t.job_role_id
    )
    select tt.job_role_id, tt.term, sum(tt.w)::real, c.n_titles
    from title_terms as tt join counts as c on c.job_role_id = tt.job_role_id
    group by tt.job_role_id, tt.term, c.n_titles
$$;

-- Weighted terms of a set of roles (null: all), using the current idf (new terms count as unique).
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

-- The titles of some roles (null: all searchable ones) into the index; the normalisation is inlined
-- (a function with its own search_path is not, and this runs for every title of the catalogue).
create or replace function private.index_job_role_titles(role_ids uuid[]) returns void
language sql
set search_path = ''
as $$
    insert into private.job_role_search_titles (job_role_id, title, normalized, is_official)
    select x.job_role_id, x.title,
        pg_catalog.btrim(pg_catalog.regexp_replace(
            pg_catalog.lower(extensions.unaccent('extensions.unaccent', x.title)), '\s+', ' ', 'g'
        )),
        x.is_official
    from (
        select r.job_role_id, r.title, true as is_official
        from app.job_roles as r
        where (role_ids is null or r.job_role_id = any(role_ids))
            and r.status in ('active', 'approved', 'pending_review')
        union all
        select a.job_role_id, a.title, false
        from app.job_role_alternate_titles as a join app.job_roles as r on r.job_role_id = a.job_role_id
        where (role_ids is null or r.job_role_id = any(role_ids))
            and r.status in ('active', 'approved', 'pending_review')
    ) as x;
$$;

-- Re-fold the postings of some terms (null: all) from job_role_search_terms.
create or replace function private.refresh_job_role_postings(changed text[]) returns void
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

-- Full rebuild (seed loader, as the owner). Returns the number of term entries.
create or replace function private.rebuild_job_role_search_index() returns bigint
language plpgsql
set search_path = ''
as $$
declare
    entries bigint;
    roles bigint;
begin
    truncate private.job_role_search_titles, private.job_role_search_terms, private.job_role_search_term_stats,
        private.job_role_search_roles, private.job_role_search_vocabulary;
    perform private.index_job_role_titles(null);
    insert into private.job_role_search_roles (job_role_id, prior)
    select t.job_role_id, 0.3 * pg_catalog.ln(count(*)) from private.job_role_search_titles as t group by t.job_role_id;
    roles := (select count(*) from private.job_role_search_roles);
    -- With the stats table empty every weight carries the same placeholder idf, ln(1 + roles): it is
    -- replaced by the term's own in the same pass. Trigrams shared by more than 200 roles say little
    -- and cost the most to look up: they are left out.
    insert into private.job_role_search_terms (term, job_role_id, weight)
    select w.term, w.job_role_id, w.weight / pg_catalog.ln(1 + roles) * pg_catalog.ln(1 + roles::real / w.df)
    from (
        select x.term, x.job_role_id, x.weight, count(*) over (partition by x.term) as df
        from private.job_role_weighted_terms(null) as x
    ) as w
    where w.df <= 200 or w.term not like 'c:%';
    insert into private.job_role_search_term_stats (term, idf)
    select t.term, pg_catalog.ln(1 + roles::real / count(*))
    from private.job_role_search_terms as t group by t.term;
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

comment on function private.rebuild_job_role_search_index() is 'Rebuild the whole embedded search index (seed loader).';

-- Re-index one role after it changed (kept idf: a full rebuild at the next seed refreshes it).
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

comment on function private.index_job_role(uuid) is 'Re-index one job role in the embedded search index.';
