-- api.situations: the active situations clients offer in onboarding, with their slugs.
-- An invoker view: the caller's privileges and the table's policies apply (signed-in users only).
drop view if exists api.situations;

create view api.situations with (security_invoker = true) as
select
    l.situation_id,
    l.slug,
    l.name,
    l.description,
    l.sort_order
from app.situations as l
where l.is_active;

grant select on api.situations to authenticated, service_role;

comment on view api.situations is
'Communication situations to offer for every selected partner, active ones only; order by sort_order.';
comment on column api.situations.slug is 'Identifier to send to set_partner_situations.';
