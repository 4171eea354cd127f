-- Onboarding reference data: the lists a learner chooses from during onboarding.
--   app.native_languages       : languages the learner may speak natively (with an availability flag:
--                                the iOS app offered twelve, the backend supported three)
--   app.industries             : industries (the original four first; job roles' relevance points here)
--   app.communication_partners : who the learner talks to at work
--   app.situations             : in which situations (global: offered for every partner)
-- Rows come from seeds/0x0_*.sql (idempotent upserts on slug). Signed-in users read every row (so a
-- summary can still name a retired choice); the api views list the active ones. Nobody but the owner
-- writes them. Touches: the four tables above, their policies and grants.

create table app.native_languages (
    native_language_id uuid primary key default gen_random_uuid(),
    slug text not null unique check (slug ~ '^[a-z][a-z0-9_]{1,62}$'),
    name text not null check (length(name) between 1 and 100),
    description text not null default '',
    sort_order integer not null,
    is_available boolean not null default false,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.native_languages is 'Native languages a learner can pick in onboarding.';
comment on column app.native_languages.native_language_id is 'Primary key.';
comment on column app.native_languages.slug is 'Stable identifier clients send (e.g. chinese_traditional).';
comment on column app.native_languages.name is 'Display name.';
comment on column app.native_languages.description is 'Short description for clients.';
comment on column app.native_languages.sort_order is 'Position in lists, ascending.';
comment on column app.native_languages.is_available is
'Whether courses exist for speakers of this language; only available languages can be chosen.';
comment on column app.native_languages.is_active is 'Inactive rows are hidden from lists and cannot be chosen.';
comment on column app.native_languages.created_at is 'When the row was created.';
comment on column app.native_languages.updated_at is 'When the row last changed.';

alter table app.native_languages enable row level security;

create policy select_all on app.native_languages for select to authenticated using (true);

grant select on app.native_languages to authenticated, service_role;

create table app.industries (
    industry_id uuid primary key default gen_random_uuid(),
    slug text not null unique check (slug ~ '^[a-z][a-z0-9_]{1,62}$'),
    name text not null check (length(name) between 1 and 100),
    description text not null default '',
    sort_order integer not null,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.industries is 'Industries a learner can work in; job roles are relevant to industries.';
comment on column app.industries.industry_id is 'Primary key.';
comment on column app.industries.slug is 'Stable identifier clients send (e.g. banking_finance).';
comment on column app.industries.name is 'Display name.';
comment on column app.industries.description is 'Short description for clients.';
comment on column app.industries.sort_order is 'Position in lists, ascending.';
comment on column app.industries.is_active is 'Inactive rows are hidden from lists and cannot be chosen.';
comment on column app.industries.created_at is 'When the row was created.';
comment on column app.industries.updated_at is 'When the row last changed.';

alter table app.industries enable row level security;

create policy select_all on app.industries for select to authenticated using (true);

grant select on app.industries to authenticated, service_role;

create table app.communication_partners (
    communication_partner_id uuid primary key default gen_random_uuid(),
    slug text not null unique check (slug ~ '^[a-z][a-z0-9_]{1,62}$'),
    name text not null check (length(name) between 1 and 100),
    description text not null default '',
    sort_order integer not null,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.communication_partners is 'People a learner communicates with at work (clients, colleagues...).';
comment on column app.communication_partners.communication_partner_id is 'Primary key.';
comment on column app.communication_partners.slug is 'Stable identifier clients send (e.g. senior_management).';
comment on column app.communication_partners.name is 'Display name.';
comment on column app.communication_partners.description is 'Short description for clients.';
comment on column app.communication_partners.sort_order is 'Position in lists, ascending.';
comment on column app.communication_partners.is_active is 'Inactive rows are hidden from lists and cannot be chosen.';
comment on column app.communication_partners.created_at is 'When the row was created.';
comment on column app.communication_partners.updated_at is 'When the row last changed.';

alter table app.communication_partners enable row level security;

create policy select_all on app.communication_partners for select to authenticated using (true);

grant select on app.communication_partners to authenticated, service_role;

create table app.situations (
    situation_id uuid primary key default gen_random_uuid(),
    slug text not null unique check (slug ~ '^[a-z][a-z0-9_]{1,62}$'),
    name text not null check (length(name) between 1 and 100),
    description text not null default '',
    sort_order integer not null,
    is_active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.situations is
'Communication situations (meetings, negotiations...); every partner is offered the same active list.';
comment on column app.situations.situation_id is 'Primary key.';
comment on column app.situations.slug is 'Stable identifier clients send (e.g. phone_calls).';
comment on column app.situations.name is 'Display name.';
comment on column app.situations.description is 'Short description for clients.';
comment on column app.situations.sort_order is 'Position in lists, ascending.';
comment on column app.situations.is_active is 'Inactive rows are hidden from lists and cannot be chosen.';
comment on column app.situations.created_at is 'When the row was created.';
comment on column app.situations.updated_at is 'When the row last changed.';

alter table app.situations enable row level security;

create policy select_all on app.situations for select to authenticated using (true);

grant select on app.situations to authenticated, service_role;
