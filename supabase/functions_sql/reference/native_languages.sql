-- api.native_languages: the active native languages clients offer in onboarding, with their slugs.
-- An invoker view: the caller's privileges and the table's policies apply (signed-in users only).
drop view if exists api.native_languages;

create view api.native_languages with (security_invoker = true) as
select
    l.native_language_id,
    l.slug,
    l.name,
    l.description,
    l.is_available,
    l.sort_order
from app.native_languages as l
where l.is_active;

grant select on api.native_languages to authenticated, service_role;

comment on view api.native_languages is
'Native languages to offer in onboarding, active ones only; order by sort_order. Only is_available ones can be chosen.';
comment on column api.native_languages.slug is 'Identifier to send to set_native_language.';
comment on column api.native_languages.is_available is 'False: show as coming soon; choosing it is refused.';
