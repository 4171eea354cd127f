-- api.set_partner_situations: onboarding step 5, once per selected partner.
create or replace function api.set_partner_situations(partner text, situations text[]) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    partner_id uuid := (private.onboarding__resolve_slugs('partners', array[set_partner_situations.partner]))[1];
    ids uuid[] := private.onboarding__resolve_slugs('situations', set_partner_situations.situations);
begin
    perform private.onboarding__lock(caller);
    if not exists (
        select from app.onboarding_partners as p
        where p.profile_id = caller and p.communication_partner_id = partner_id
    ) then
        perform private.raise_error(
            'onboarding.partner_not_selected', 'Choose this partner first.', 409,
            pg_catalog.jsonb_build_object('partner', set_partner_situations.partner)
        );
    end if;
    delete from app.onboarding_partner_situations as s
    where s.profile_id = caller and s.communication_partner_id = partner_id and s.situation_id != all(ids);
    insert into app.onboarding_partner_situations as s (profile_id, communication_partner_id, situation_id, priority)
    select caller, partner_id, u.id, u.position
    from unnest(ids) with ordinality as u (id, position)
    on conflict (profile_id, communication_partner_id, situation_id) do update set priority = excluded.priority
    where s.priority is distinct from excluded.priority;
    return private.onboarding__record(
        caller, 'situations',
        pg_catalog.jsonb_build_object(
            'partner', set_partner_situations.partner,
            'situations', pg_catalog.to_jsonb(set_partner_situations.situations)
        )
    );
end;
$$;

comment on function api.set_partner_situations(text, text[]) is
'Onboarding: set the situations you meet with one of your partners, most important first (slugs of api.situations; replaces that partner''s list). Returns the new state, as api.onboarding_state(). Errors: onboarding.unknown_partners, onboarding.no_situations, onboarding.duplicate_situations, onboarding.unknown_situations (422); onboarding.partner_not_selected (409); onboarding.invalid_argument (400).';

grant execute on function api.set_partner_situations(text, text[]) to authenticated;
