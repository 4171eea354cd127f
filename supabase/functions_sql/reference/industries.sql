-- api.industries: the active industries clients offer in onboarding, with their slugs.
-- An invoker view: the caller's privileges and the table's policies apply (signed-in users only).
drop view if exists api.industries;

create view api.industries with (security_invoker = true) as
select
    l.industry_id,
    l.slug,
    l.name,
    l.description,
    l.sort_order
from app.industries as l
where l.is_active;

grant select on api.industries to authenticated, service_role;

comment on view api.industries is 'Industries to offer in onboarding, active ones only; order by sort_order.';
comment on column api.industries.slug is 'Identifier to send to set_industry.';
