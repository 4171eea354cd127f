-- The job-role catalogue: O*NET occupations (seeded by core/catalogue/seed.py) and the custom
-- roles users submit during onboarding, their alternate titles (search synonyms) and the curated
-- relevance of occupations to industries (ranking only, never a filter).
-- A custom role is visible only to its author and to reviewers (permission job_roles.review) until
-- it is approved. Reviewers change a custom role's status through api RPCs (functions_sql/job_roles).
-- Touches: app.job_roles, app.job_role_alternate_titles, app.job_role_industries,
--          private.tg_job_roles__touch_updated_at, private.is_job_role_reviewer.

create table app.job_roles (
    job_role_id uuid primary key default gen_random_uuid(),
    onet_code text unique check (onet_code ~ '^[0-9]{2}-[0-9]{4}\.[0-9]{2}$'),
    title text not null check (char_length(title) between 1 and 200 and title = btrim(title)),
    description text not null default '' check (char_length(description) <= 4000),
    source text not null default 'custom' check (source in ('onet', 'custom')),
    status text not null default 'pending_review'
    check (status in ('active', 'pending_review', 'approved', 'rejected', 'merged')),
    created_by uuid references app.profiles (profile_id) on delete set null,
    industry_id uuid references app.industries (industry_id) on delete set null,
    merged_into_job_role_id uuid references app.job_roles (job_role_id) on delete restrict,
    reviewed_by uuid references app.profiles (profile_id) on delete set null,
    reviewed_at timestamptz,
    review_note text check (char_length(review_note) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint job_roles_onet_has_code check ((source = 'onet') = (onet_code is not null)),
    -- Catalogue occupations are 'active'; custom roles go pending_review -> approved | rejected | merged.
    constraint job_roles_status_fits_source check ((source = 'onet') = (status = 'active')),
    constraint job_roles_merge_has_target check ((status = 'merged') = (merged_into_job_role_id is not null))
);

comment on table app.job_roles is
'Job roles users pick in onboarding: O*NET 30.0 occupations (source onet, CC BY 4.0, see seeds/occupations/SOURCE.md) and custom roles users submit.';
comment on column app.job_roles.job_role_id is 'Primary key.';
comment on column app.job_roles.onet_code is 'O*NET-SOC 2019 code (NN-NNNN.NN) of a catalogue occupation; null for custom roles.';
comment on column app.job_roles.title is 'Title shown to users (O*NET title, or the title the author typed).';
comment on column app.job_roles.description is 'What the role does (O*NET definition, or the author''s text).';
comment on column app.job_roles.source is 'onet: seeded catalogue occupation; custom: submitted by a user.';
comment on column app.job_roles.status is
'onet roles are active; custom roles are pending_review, then approved (searchable by all), rejected or merged.';
comment on column app.job_roles.created_by is 'Author of a custom role; null for the catalogue.';
comment on column app.job_roles.industry_id is 'Industry the author had chosen when submitting a custom role.';
comment on column app.job_roles.merged_into_job_role_id is 'Occupation a merged custom role was folded into.';
comment on column app.job_roles.reviewed_by is 'Reviewer who approved, merged or rejected the custom role.';
comment on column app.job_roles.reviewed_at is 'When the custom role was reviewed.';
comment on column app.job_roles.review_note is 'Reviewer''s note to the author (optional).';
comment on column app.job_roles.created_at is 'Row creation time.';
comment on column app.job_roles.updated_at is 'Last change, maintained by a trigger.';

create index job_roles_created_by_idx on app.job_roles (created_by) where created_by is not null;
create index job_roles_status_idx on app.job_roles (status);
create index job_roles_industry_id_idx on app.job_roles (industry_id) where industry_id is not null;
create index job_roles_merged_into_idx on app.job_roles (merged_into_job_role_id)
where merged_into_job_role_id is not null;
create index job_roles_reviewed_by_idx on app.job_roles (reviewed_by) where reviewed_by is not null;

-- Reviewer check for policies: one place, and fresh (reads the permission tables, not the token).
-- security definer: policies of app tables call it for users who cannot read the permission tables.
create function private.is_job_role_reviewer() returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(private.has_permission('job_roles.review'), false)
$$;

comment on function private.is_job_role_reviewer() is 'True when the caller holds the job_roles.review permission.';
grant execute on function private.is_job_role_reviewer() to authenticated, service_role;

alter table app.job_roles enable row level security;

-- Published roles for everyone signed in; a custom role also for its author and for reviewers.
create policy select_visible on app.job_roles for select to authenticated
using (
    status in ('active', 'approved')
    or created_by = (select auth.uid())
    or (select private.is_job_role_reviewer())
);

-- Users submit custom roles (the onboarding RPC); only as themselves and only for review.
create policy insert_own on app.job_roles for insert to authenticated
with check (
    source = 'custom'
    and status = 'pending_review'
    and created_by = (select auth.uid())
    and merged_into_job_role_id is null
);

-- Reviewers decide on custom roles; the catalogue is changed only by the seed loader.
create policy update_reviewer on app.job_roles for update to authenticated
using (source = 'custom' and (select private.is_job_role_reviewer()))
with check (source = 'custom' and (select private.is_job_role_reviewer()));

grant select on app.job_roles to authenticated, service_role;
grant insert (title, description, source, status, created_by, industry_id) on app.job_roles to authenticated;
grant update (status, merged_into_job_role_id, reviewed_by, reviewed_at, review_note) on app.job_roles to authenticated;

create trigger _100_touch_updated_at before update on app.job_roles
for each row execute function private.tg__touch_updated_at();


create table app.job_role_alternate_titles (
    job_role_alternate_title_id bigint generated always as identity primary key,
    job_role_id uuid not null references app.job_roles (job_role_id) on delete cascade,
    title text not null check (char_length(title) between 1 and 200 and title = btrim(title)),
    source text not null default 'onet' check (source in ('onet', 'merged')),
    created_at timestamptz not null default now(),
    constraint job_role_alternate_titles_unique unique (job_role_id, title)
);

comment on table app.job_role_alternate_titles is
'Other names of a job role (O*NET Alternate Titles, and titles of custom roles merged into it): search synonyms.';
comment on column app.job_role_alternate_titles.job_role_alternate_title_id is 'Primary key.';
comment on column app.job_role_alternate_titles.job_role_id is 'The role this title names.';
comment on column app.job_role_alternate_titles.title is 'The alternate title, as people write it.';
comment on column app.job_role_alternate_titles.source is 'onet: from O*NET; merged: title of a custom role merged into this one.';
comment on column app.job_role_alternate_titles.created_at is 'Row creation time.';

alter table app.job_role_alternate_titles enable row level security;

-- Visible exactly when its role is (the subquery runs under app.job_roles' own policy).
create policy select_visible on app.job_role_alternate_titles for select to authenticated
using (
    exists (
        select from app.job_roles as r
        where r.job_role_id = job_role_alternate_titles.job_role_id
    )
);

grant select on app.job_role_alternate_titles to authenticated, service_role;


create table app.job_role_industries (
    industry_id uuid not null references app.industries (industry_id) on delete cascade,
    job_role_id uuid not null references app.job_roles (job_role_id) on delete cascade,
    relevance smallint not null default 2 check (relevance between 1 and 3),
    primary key (industry_id, job_role_id)
);

comment on table app.job_role_industries is
'Curated: occupations typical in an industry. Ranks them higher in search for users of that industry; never hides others.';
comment on column app.job_role_industries.industry_id is 'The industry.';
comment on column app.job_role_industries.job_role_id is 'An occupation typical in it.';
comment on column app.job_role_industries.relevance is '1 found there, 2 typical, 3 core to the industry.';

create index job_role_industries_job_role_id_idx on app.job_role_industries (job_role_id);

alter table app.job_role_industries enable row level security;

create policy select_all on app.job_role_industries for select to authenticated using (true);

grant select on app.job_role_industries to authenticated, service_role;
