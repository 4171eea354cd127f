-- api.onboarding_summary: every choice with names resolved, for the review screen.
create or replace function api.onboarding_summary() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    result jsonb;
begin
    with onboarding as (
        select o.*
        from app.onboardings as o
        where o.profile_id = caller
    ),

    partners as (
        select
            p.priority,
            pg_catalog.jsonb_build_object(
                'slug', cp.slug, 'name', cp.name, 'description', cp.description, 'priority', p.priority,
                'situations', coalesce((
                    select pg_catalog.jsonb_agg(
                        pg_catalog.jsonb_build_object(
                            'slug', s.slug, 'name', s.name, 'description', s.description, 'priority', ps.priority
                        ) order by ps.priority
                    )
                    from app.onboarding_partner_situations as ps
                    inner join app.situations as s on ps.situation_id = s.situation_id
                    where ps.profile_id = p.profile_id and ps.communication_partner_id = p.communication_partner_id
                ), '[]'::jsonb)
            ) as partner,
            (
                select count(*) from app.onboarding_partner_situations as ps
                where ps.profile_id = p.profile_id and ps.communication_partner_id = p.communication_partner_id
            ) as situation_count
        from app.onboarding_partners as p
        inner join onboarding as o on p.profile_id = o.profile_id
        inner join app.communication_partners as cp on p.communication_partner_id = cp.communication_partner_id
    )

    select pg_catalog.jsonb_build_object(
        'native_language', (
            select pg_catalog.jsonb_build_object('slug', l.slug, 'name', l.name)
            from onboarding as o inner join app.native_languages as l on o.native_language_id = l.native_language_id
        ),
        'industry', (
            select pg_catalog.jsonb_build_object('slug', i.slug, 'name', i.name, 'description', i.description)
            from onboarding as o inner join app.industries as i on o.industry_id = i.industry_id
        ),
        'job_role', (
            select pg_catalog.jsonb_build_object(
                'job_role_id', r.job_role_id, 'title', r.title, 'description', r.description,
                'source', r.source, 'status', r.status, 'is_custom', r.source = 'custom'
            )
            from onboarding as o inner join app.job_roles as r on o.job_role_id = r.job_role_id
        ),
        'communication_partners', coalesce(
            (select pg_catalog.jsonb_agg(p.partner order by p.priority) from partners as p), '[]'::jsonb
        ),
        'total_partners', (select count(*) from partners),
        'total_situations', (select coalesce(sum(p.situation_count), 0) from partners as p)
    ) into result;
    return result || pg_catalog.jsonb_build_object('state', private.onboarding__state());
end;
$$;

comment on function api.onboarding_summary() is
'Your onboarding choices with names resolved: native_language {slug, name}, industry {slug, name, description}, job_role {job_role_id, title, description, source, status, is_custom}, communication_partners (ordered, each with slug, name, description, priority and ordered situations), total_partners, total_situations, and state (as api.onboarding_state()). Unset choices are null; never fails for a new learner.';

grant execute on function api.onboarding_summary() to authenticated;
