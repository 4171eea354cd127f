-- api.set_communication_partners: onboarding step 4, the ordered list of partners.
create or replace function api.set_communication_partners(partners text[]) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    ids uuid[] := private.onboarding__resolve_slugs('partners', set_communication_partners.partners);
begin
    perform private.onboarding__lock(caller);
    -- Partners left out go, and their situations with them (foreign key cascade); partners kept
    -- keep their situations and take their new priority.
    delete from app.onboarding_partners as p
    where p.profile_id = caller and p.communication_partner_id != all(ids);
    insert into app.onboarding_partners as p (profile_id, communication_partner_id, priority)
    select caller, u.id, u.position
    from unnest(ids) with ordinality as u (id, position)
    on conflict (profile_id, communication_partner_id) do update set priority = excluded.priority
    where p.priority is distinct from excluded.priority;
    return private.onboarding__record(
        caller, 'communication_partners',
        pg_catalog.jsonb_build_object('partners', pg_catalog.to_jsonb(set_communication_partners.partners))
    );
end;
$$;

comment on function api.set_communication_partners(text[]) is
'Onboarding: set who you communicate with, most important first (slugs of api.communication_partners; replaces the list; dropped partners lose their situations). Returns the new state, as api.onboarding_state(). Errors (422): onboarding.no_partners, onboarding.duplicate_partners (details.duplicates), onboarding.unknown_partners (details.unknown); onboarding.invalid_argument (400) for empty entries.';

grant execute on function api.set_communication_partners(text[]) to authenticated;
