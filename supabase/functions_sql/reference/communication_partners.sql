-- api.communication_partners: the active communication partners clients offer in onboarding, with their slugs.
-- An invoker view: the caller's privileges and the table's policies apply (signed-in users only).
drop view if exists api.communication_partners;

create view api.communication_partners with (security_invoker = true) as
select
    l.communication_partner_id,
    l.slug,
    l.name,
    l.description,
    l.sort_order
from app.communication_partners as l
where l.is_active;

grant select on api.communication_partners to authenticated, service_role;

comment on view api.communication_partners is
'Communication partners to offer in onboarding, active ones only; order by sort_order.';
comment on column api.communication_partners.slug is 'Identifier to send to set_communication_partners.';
