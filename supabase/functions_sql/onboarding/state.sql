-- The one description of "where the learner is", and the only ways to read it.
--
-- private.onboarding__state_of(target): the computation. plpgsql and security definer, so its plan is
-- prepared once per session and kept (a `language sql` function is planned again on every call, and
-- each switch of role plans it again), about 40 % cheaper per onboarding step (bench/onboarding).
-- Definer rights bypass row-level security, so no API role may execute it: only definer code that
-- already decided whose state to compute (the broadcast trigger, an allowed reset) calls it.
-- private.onboarding__state(): the caller's own state. Its ONLY access rule is private.caller_id();
-- tests/sql/test_onboarding_state_access.py proves it returns exactly what the same query returns
-- as the caller under row-level security, and never another user's state.
create or replace function private.onboarding__state_of(target uuid) returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return (
        with onboarding as (
            select
                o.profile_id,
                o.version,
                o.completed_at,
                o.updated_at,
                l.slug as native_language,
                i.slug as industry,
                case
                    when r.job_role_id is not null
                        then pg_catalog.jsonb_build_object(
                            'job_role_id', r.job_role_id, 'title', r.title, 'source', r.source, 'status', r.status
                        )
                end as job_role,
                o.job_role_id is not null as has_job_role
            from app.onboardings as o
            left join app.native_languages as l on o.native_language_id = l.native_language_id
            left join app.industries as i on o.industry_id = i.industry_id
            left join app.job_roles as r on o.job_role_id = r.job_role_id
            where o.profile_id = onboarding__state_of.target
        ),

        partners as (
            select
                cp.slug,
                p.priority,
                coalesce((
                    select pg_catalog.jsonb_agg(s.slug order by ps.priority)
                    from app.onboarding_partner_situations as ps
                    inner join app.situations as s on ps.situation_id = s.situation_id
                    where ps.profile_id = p.profile_id and ps.communication_partner_id = p.communication_partner_id
                ), '[]'::jsonb) as situations
            from app.onboarding_partners as p
            inner join onboarding as o on p.profile_id = o.profile_id
            inner join app.communication_partners as cp on p.communication_partner_id = cp.communication_partner_id
        ),

        summary as (
            select
                coalesce(pg_catalog.jsonb_agg(
                    pg_catalog.jsonb_build_object('slug', p.slug, 'priority', p.priority, 'situations', p.situations)
                    order by p.priority
                ), '[]'::jsonb) as partners,
                count(*) as partner_count,
                coalesce(
                    pg_catalog.jsonb_agg(p.slug order by p.priority) filter (where p.situations = '[]'::jsonb),
                    '[]'::jsonb
                ) as partners_without_situations
            from partners as p
        ),

        facts as (
            select
                o.*,
                s.*,
                array_remove(array[
                    case when o.native_language is null then 'native_language' end,
                    case when o.industry is null then 'industry' end,
                    case when not coalesce(o.has_job_role, false) then 'job_role' end
                ], null) as missing
            from summary as s
            left join onboarding as o on true
        )

        select pg_catalog.jsonb_build_object(
            'profile_id', onboarding__state_of.target,
            'status', case
                when f.completed_at is not null then 'completed'
                when f.profile_id is null then 'not_started'
                else 'in_progress'
            end,
            'is_complete', f.completed_at is not null,
            'completed_at', f.completed_at,
            'missing', pg_catalog.to_jsonb(f.missing),
            'can_complete', f.missing = '{}',
            'next_step', case
                when f.completed_at is not null then null
                when f.missing != '{}' then f.missing[1]
                when f.partner_count = 0 then 'communication_partners'
                when f.partners_without_situations != '[]'::jsonb then 'situations'
                else 'summary'
            end,
            'steps', pg_catalog.jsonb_build_object(
                'native_language', f.native_language is not null,
                'industry', f.industry is not null,
                'job_role', coalesce(f.has_job_role, false),
                'communication_partners', f.partner_count > 0,
                'situations', f.partner_count > 0 and f.partners_without_situations = '[]'::jsonb
            ),
            'native_language', f.native_language,
            'industry', f.industry,
            'job_role', f.job_role,
            'communication_partners', f.partners,
            'partners_without_situations', f.partners_without_situations,
            'version', coalesce(f.version, 0),
            'updated_at', f.updated_at
        )
        from facts as f
    );
end;
$$;

comment on function private.onboarding__state_of(uuid) is
'The onboarding state of any learner (api.onboarding_state shape), for definer code only: no API role may execute it.';

revoke execute on function private.onboarding__state_of(uuid) from public, anon, authenticated, service_role;

create or replace function private.onboarding__state() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
    return private.onboarding__state_of(private.caller_id());
end;
$$;

comment on function private.onboarding__state() is
'The calling learner''s onboarding state: status, missing and next step, choices as slugs (api.onboarding_state shape).';

grant execute on function private.onboarding__state() to authenticated, service_role;

-- The state a writing RPC returns: the one its own update just broadcast, or, should that not be the
-- caller's (no update fired in this transaction), computed afresh.
create or replace function private.onboarding__changed_state() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    sent jsonb := nullif(pg_catalog.current_setting('fluentpro.onboarding_state', true), '')::jsonb;
begin
    if sent ->> 'profile_id' = private.caller_id()::text then
        return sent;
    end if;
    return private.onboarding__state();
end;
$$;

comment on function private.onboarding__changed_state() is
'After a step''s update of app.onboardings: the state its broadcast trigger computed for the caller (else a fresh one).';

grant execute on function private.onboarding__changed_state() to authenticated;
