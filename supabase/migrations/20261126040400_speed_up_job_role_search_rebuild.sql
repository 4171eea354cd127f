-- A faster full rebuild of the embedded job-role search index (the seed loader's last step): each
-- term's weight gets its idf in the same pass instead of an UPDATE of every row afterwards, and the
-- title normalisation is inlined. Same index, same weights as before.
-- Touches: private.index_job_role_titles, private.rebuild_job_role_search_index.

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
