-- Word bigrams in the embedded job-role search index: two consecutive title words ('b:' + lexeme +
-- '_' + lexeme, stop words skipped: "director of nursing" gives b:director_nurs) say more than
-- either word alone ("machine operator" vs "machine" + "operator" in different titles). The ranking
-- (functions_sql/job_roles/10_rank_job_roles.sql) looks the query's bigrams up with weight 1.
-- Measured with bench/role_matching on the development split (see the commit message).
-- Replaces private.job_role_term_frequencies of 20261126040300 and rebuilds the index where a
-- catalogue is loaded. Touches: private.job_role_term_frequencies; the rows of private.job_role_search_*.

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

select private.rebuild_job_role_search_index()
where exists (select from app.job_roles);
