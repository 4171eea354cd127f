-- Turns an ordered list of partner or situation slugs into ids, in the same order, or raises with a
-- stable code: an empty list, null or blank entries, duplicates, or unknown (or inactive) slugs, which
-- are all listed in the error details.
create or replace function private.onboarding__resolve_slugs(kind text, slugs text[]) returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
    duplicates jsonb;
    unknown jsonb;
    ids uuid[];
begin
    if kind not in ('partners', 'situations') then
        raise exception 'unexpected kind %', kind using errcode = '22023';
    end if;
    if slugs is null or pg_catalog.cardinality(slugs) = 0 then
        if kind = 'partners' then
            perform private.raise_error('onboarding.no_partners', 'Choose at least one partner.', 422);
        end if;
        perform private.raise_error('onboarding.no_situations', 'Choose at least one situation.', 422);
    end if;
    if pg_catalog.array_position(slugs, null) is not null or '' = any(slugs) then
        perform private.raise_error(
            'onboarding.invalid_argument', 'The list holds empty entries.', 400,
            pg_catalog.jsonb_build_object('argument', kind)
        );
    end if;
    select pg_catalog.jsonb_agg(d.slug order by d.first_position) into duplicates
    from (
        select
            u.slug,
            min(u.position) as first_position
        from unnest(slugs) with ordinality as u (slug, position)
        group by u.slug
        having count(*) > 1
    ) as d;
    if duplicates is not null then
        if kind = 'partners' then
            perform private.raise_error(
                'onboarding.duplicate_partners', 'A partner is listed twice.', 422,
                pg_catalog.jsonb_build_object('duplicates', duplicates)
            );
        end if;
        perform private.raise_error(
            'onboarding.duplicate_situations', 'A situation is listed twice.', 422,
            pg_catalog.jsonb_build_object('duplicates', duplicates)
        );
    end if;
    if kind = 'partners' then
        select
            pg_catalog.array_agg(p.communication_partner_id order by u.position),
            pg_catalog.jsonb_agg(u.slug order by u.position) filter (where p.communication_partner_id is null)
        into ids, unknown
        from unnest(slugs) with ordinality as u (slug, position)
        left join app.communication_partners as p on u.slug = p.slug and p.is_active;
        if unknown is not null then
            perform private.raise_error(
                'onboarding.unknown_partners', 'Unknown communication partners.', 422,
                pg_catalog.jsonb_build_object('unknown', unknown)
            );
        end if;
    else
        select
            pg_catalog.array_agg(s.situation_id order by u.position),
            pg_catalog.jsonb_agg(u.slug order by u.position) filter (where s.situation_id is null)
        into ids, unknown
        from unnest(slugs) with ordinality as u (slug, position)
        left join app.situations as s on u.slug = s.slug and s.is_active;
        if unknown is not null then
            perform private.raise_error(
                'onboarding.unknown_situations', 'Unknown situations.', 422,
                pg_catalog.jsonb_build_object('unknown', unknown)
            );
        end if;
    end if;
    return ids;
end;
$$;

comment on function private.onboarding__resolve_slugs(text, text[]) is
'Ordered partner or situation slugs -> ids; raises onboarding.no_/duplicate_/unknown_<kind> or invalid_argument.';

grant execute on function private.onboarding__resolve_slugs(text, text[]) to authenticated;
