-- Ranking of the embedded job-role search (api.search_job_roles calls it). Terms of the query are
-- matched against the precomputed inverted index (private.job_role_search_terms); a misspelt word is
-- replaced by its nearest known words (trigram similarity); two consecutive words also count as a
-- bigram; the role's size prior, an exact title match and the caller's industry (curated relevance,
-- a boost, never a filter) adjust the score.
-- Visibility: published roles, plus the caller's own custom roles, plus all custom roles for reviewers.
-- security definer: reads the private index, which API roles cannot read; applies visibility itself.
create or replace function private.rank_job_roles(
    query_title text,
    query_description text,
    industry_id uuid,
    max_results integer
)
returns table (job_role_id uuid, score real, matched_title text)
language plpgsql
stable
security definer
set search_path = ''
-- A few hundred rows at most: compiling the plan (JIT) would cost more than running it.
set jit = off
as $$
declare
    q text := private.normalize_job_title(query_title);
    viewer uuid := auth.uid();
    reviewer boolean := private.is_job_role_reviewer();
    q_terms text[] := '{}';
    q_weights real[] := '{}';
    head text;
    head_weight real;
    token text;
    stem text;
    near record;
    patterns text[] := '{}';
begin
    -- Resolve the query's words to index q_terms, token by token (a handful), each lookup by index.
    foreach token in array pg_catalog.regexp_split_to_array(q, '[^a-z0-9]+') loop
        if pg_catalog.length(token) >= 2 then
            patterns := patterns || ('%' || token || '%');
        end if;
        for stem in select u.lexeme from pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', token)) as u loop
            -- Its trigrams, weighted low: related words (cytotechnician, cytotechnologist) share them.
            select q_terms || pg_catalog.array_agg('c:' || g.trigram), q_weights || pg_catalog.array_agg(0.3::real)
            into q_terms, q_weights
            from pg_catalog.unnest(extensions.show_trgm(stem)) as g (trigram);
            if exists (select from private.job_role_search_term_stats as s where s.term = stem) then
                q_terms := q_terms || stem;
                q_weights := q_weights || 1.0::real;
                head := stem;
                head_weight := 1.0;
            elsif pg_catalog.length(token) >= 4 then
                -- An unknown token (a typo?) stands for the nearest known words, weighted by likeness.
                for near in
                    select v.term, extensions.similarity(v.word, token)::real as likeness
                    from private.job_role_search_vocabulary as v
                    where v.word operator(extensions.%) token
                    order by 2 desc
                    limit 2
                loop
                    continue when near.likeness < 0.4;
                    q_terms := q_terms || near.term;
                    q_weights := q_weights || near.likeness;
                    head := coalesce(head, near.term);
                    head_weight := near.likeness;
                end loop;
            end if;
        end loop;
    end loop;
    -- The head token (the last one: "operator" in "machine operator") is indexed with '#'.
    if head is not null then
        q_terms := q_terms || (head || '#');
        q_weights := q_weights || head_weight;
    end if;
    -- Consecutive words of the title, as indexed ('b:' bigrams of lexemes, stop words skipped).
    select q_terms || coalesce(pg_catalog.array_agg('b:' || b.lexeme || '_' || b.next_lexeme), '{}'),
        q_weights || coalesce(pg_catalog.array_agg(1.0::real), '{}')
    into q_terms, q_weights
    from (
        select u.lexeme, pg_catalog.lead(u.lexeme) over (order by w.position) as next_lexeme
        from pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.english', q)) as u
        cross join lateral pg_catalog.unnest(u.positions) as w (position)
    ) as b
    where b.next_lexeme is not null;
    -- Words of the description count a little.
    select q_terms || coalesce(pg_catalog.array_agg(u.lexeme), '{}'), q_weights || coalesce(pg_catalog.array_agg(0.2::real), '{}')
    into q_terms, q_weights
    from pg_catalog.unnest(pg_catalog.to_tsvector(
        'pg_catalog.english', extensions.unaccent('extensions.unaccent', coalesce(query_description, ''))
    )) as u;

    return query
    with scored as (
        select m.job_role_id, sum(m.weight * qt.w) as s
        from (
            select u.term, max(u.w) as w
            from rows from (pg_catalog.unnest(q_terms), pg_catalog.unnest(q_weights)) as u (term, w)
            group by u.term
        ) as qt
        join private.job_role_search_postings as p on p.term = qt.term
        cross join lateral rows from (pg_catalog.unnest(p.job_role_ids), pg_catalog.unnest(p.weights))
            as m (job_role_id, weight)
        group by m.job_role_id
    ),
    exact as (
        select distinct t.job_role_id from private.job_role_search_titles as t where t.normalized = q
    ),
    candidates as (
        select
            coalesce(s.job_role_id, e.job_role_id) as job_role_id,
            (coalesce(s.s, 0) + coalesce(p.prior, 0) + case when e.job_role_id is null then 0 else 100 end)
            * (1 + 0.1 * coalesce(ji.relevance, 0)) as total
        from scored as s
        full join exact as e on e.job_role_id = s.job_role_id
        left join private.job_role_search_roles as p on p.job_role_id = coalesce(s.job_role_id, e.job_role_id)
        left join app.job_role_industries as ji
            on ji.industry_id = rank_job_roles.industry_id and ji.job_role_id = coalesce(s.job_role_id, e.job_role_id)
    ),
    visible as (
        select c.job_role_id, c.total, r.title
        from candidates as c join app.job_roles as r on r.job_role_id = c.job_role_id
        where r.status in ('active', 'approved') or r.created_by = viewer or reviewer
        order by c.total desc, r.title
        limit max_results
    )
    -- The matched title: the most similar of the role's titles that share a word with the query
    -- (a cheap LIKE first: some roles have hundreds of titles), else the role's own title.
    select v.job_role_id, pg_catalog.round(v.total::numeric, 4)::real, coalesce((
        select t.title from private.job_role_search_titles as t
        where t.job_role_id = v.job_role_id and t.normalized like any(patterns)
        order by extensions.similarity(t.normalized, q) desc, t.is_official desc, t.title
        limit 1
    ), v.title)
    from visible as v
    order by v.total desc, v.title;
end;
$$;

comment on function private.rank_job_roles(text, text, uuid, integer) is
'Rank job roles for a typed title (and description) with the embedded index; honours custom-role visibility.';

grant execute on function private.rank_job_roles(text, text, uuid, integer) to authenticated, service_role;
