-- Profiles, application roles and permissions (RBAC), and the one permission check.
--   app.profiles         : one row per person, keyed by our uuid; the Auth0 subject maps to it.
--   app.roles            : application roles (learner, admin, job_role_reviewer); not job roles.
--   app.permissions      : permissions as rows ('users.manage', 'job_roles.review', ...).
--   app.role_permissions : which role grants which permission.
--   app.profile_roles    : which profile holds which role; everyone holds 'learner'.
--   private.has_permission(text): "does the caller hold permission X", read fresh from the tables.
-- Touches: those tables, their policies and grants; private.has_permission; private.tg__touch_updated_at
--          (shared by every table's updated_at) and the profiles triggers.

create table app.profiles (
    profile_id uuid primary key default gen_random_uuid(),
    auth0_subject text not null unique check (char_length(auth0_subject) between 1 and 255),
    email extensions.citext check (char_length(email::text) <= 320),
    email_verified boolean not null default false,
    full_name text check (char_length(full_name) between 1 and 100),
    status text not null default 'active' check (status in ('active', 'suspended')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

comment on table app.profiles is 'A person using FluentPro; the first token exchange creates the row.';
comment on column app.profiles.profile_id is 'Our id: the sub of every token we mint, auth.uid() in policies.';
comment on column app.profiles.auth0_subject is 'The Auth0 user id (sub of the Auth0 access token), e.g. auth0|abc.';
comment on column app.profiles.email is 'Email as Auth0 last reported it; not unique (one person may have several logins).';
comment on column app.profiles.email_verified is 'Whether Auth0 reported the email as verified.';
comment on column app.profiles.full_name is 'Display name; set by Auth0 at sign-up, editable by the user.';
comment on column app.profiles.status is 'active, or suspended by an admin (no tokens, no permissions).';
comment on column app.profiles.created_at is 'When the profile was created (first token exchange).';
comment on column app.profiles.updated_at is 'When the profile last changed.';

create index profiles_created_at_idx on app.profiles (created_at, profile_id);

alter table app.profiles enable row level security;

create table app.roles (
    role_id text primary key check (role_id ~ '^[a-z][a-z0-9_]*$'),
    description text not null
);

comment on table app.roles is 'Application roles (RBAC). Not job roles: those live in app.job_roles.';
comment on column app.roles.role_id is 'Stable role name, e.g. learner, admin, job_role_reviewer.';
comment on column app.roles.description is 'What the role is for, for admins.';

alter table app.roles enable row level security;

create table app.permissions (
    permission_id text primary key check (permission_id ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
    description text not null
);

comment on table app.permissions is 'Permissions as rows, named <area>.<action>; checked by private.has_permission.';
comment on column app.permissions.permission_id is 'Stable permission name, e.g. users.manage.';
comment on column app.permissions.description is 'What the permission allows.';

alter table app.permissions enable row level security;

create table app.role_permissions (
    role_id text not null references app.roles (role_id) on delete cascade,
    permission_id text not null references app.permissions (permission_id) on delete cascade,
    primary key (role_id, permission_id)
);

comment on table app.role_permissions is 'Which application role grants which permission.';
comment on column app.role_permissions.role_id is 'The role.';
comment on column app.role_permissions.permission_id is 'A permission the role grants.';

create index role_permissions_permission_id_idx on app.role_permissions (permission_id);

alter table app.role_permissions enable row level security;

create table app.profile_roles (
    profile_id uuid not null references app.profiles (profile_id) on delete cascade,
    role_id text not null references app.roles (role_id) on delete restrict,
    granted_at timestamptz not null default now(),
    primary key (profile_id, role_id)
);

comment on table app.profile_roles is 'Application roles held by each profile; every profile holds learner.';
comment on column app.profile_roles.profile_id is 'The profile holding the role.';
comment on column app.profile_roles.role_id is 'The role held.';
comment on column app.profile_roles.granted_at is 'When the role was granted.';

create index profile_roles_role_id_idx on app.profile_roles (role_id);

alter table app.profile_roles enable row level security;

insert into app.roles (role_id, description) values
('learner', 'Everyone: learns, onboards, reads their own data.'),
('admin', 'Manages users, their roles and status; sees all jobs.'),
('job_role_reviewer', 'Reviews custom job roles submitted by users.');

insert into app.permissions (permission_id, description) values
('users.manage', 'List users, set their roles and status.'),
('job_roles.review', 'Approve, reject or merge custom job roles.'),
('onboarding.reset_any', 'Reset any user''s onboarding.'),
('jobs.view_all', 'See every background job, including dead ones.');

insert into app.role_permissions (role_id, permission_id) values
('admin', 'users.manage'),
('admin', 'job_roles.review'),
('admin', 'onboarding.reset_any'),
('admin', 'jobs.view_all'),
('job_role_reviewer', 'job_roles.review');

-- The permission check. Definer: it reads role tables the caller may not read in full, and it must
-- see fresh rows (a revoked role or a suspension takes effect at once, not when the token expires).
create function private.has_permission(permission text) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select
        from app.profile_roles as pr
        inner join app.role_permissions as rp on pr.role_id = rp.role_id
        inner join app.profiles as p on pr.profile_id = p.profile_id
        where
            pr.profile_id = (select auth.uid())
            and rp.permission_id = has_permission.permission
            and p.status = 'active'
    )
$$;

comment on function private.has_permission(text) is
'True when the calling user (auth.uid()) is active and one of their roles grants the permission.';

grant execute on function private.has_permission(text) to anon, authenticated, service_role;

-- Every profile is a learner from its first moment. Definer: the inserting role (the token exchange
-- runs as service_role; tests as the owner) need not hold insert rights on app.profile_roles.
create function private.tg_profiles__grant_learner() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    insert into app.profile_roles (profile_id, role_id) values (new.profile_id, 'learner')
    on conflict do nothing;
    return null;
end;
$$;

create trigger _100_grant_learner
after insert on app.profiles
for each row execute function private.tg_profiles__grant_learner();

-- The one updated_at trigger function, shared by every table with an updated_at column (the first
-- such table is this one): `create trigger _100_touch_updated_at before update on <table> ...`.
create function private.tg__touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

comment on function private.tg__touch_updated_at() is 'BEFORE UPDATE trigger of any table: set updated_at to now().';

create trigger _100_touch_updated_at
before update on app.profiles
for each row execute function private.tg__touch_updated_at();

-- profiles: a user reads their own row, an admin (users.manage) reads all; a user edits only their
-- own full_name (the column grant keeps status, email and the subject out of reach).
grant select on app.profiles to authenticated;
grant update (full_name) on app.profiles to authenticated;
grant select on app.profiles to service_role;

create policy select_own on app.profiles
for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));

create policy update_own on app.profiles
for update to authenticated
using (profile_id = (select auth.uid()))
with check (profile_id = (select auth.uid()));

-- roles, permissions and their mapping: a catalogue every signed-in user may read; changed only by
-- migrations.
grant select on app.roles to authenticated, service_role;
grant select on app.permissions to authenticated, service_role;
grant select on app.role_permissions to authenticated, service_role;

create policy select_all on app.roles
for select to authenticated
using (true);

create policy select_all on app.permissions
for select to authenticated
using (true);

create policy select_all on app.role_permissions
for select to authenticated
using (true);

-- profile_roles: a user reads their own roles, an admin reads and changes everyone's.
grant select, insert, delete on app.profile_roles to authenticated;
grant select on app.profile_roles to service_role;

create policy select_own on app.profile_roles
for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));

create policy insert_admin on app.profile_roles
for insert to authenticated
with check ((select private.has_permission('users.manage')));

create policy delete_admin on app.profile_roles
for delete to authenticated
using ((select private.has_permission('users.manage')));
