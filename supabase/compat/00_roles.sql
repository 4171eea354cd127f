-- Supabase's database roles, as a hosted project has them (supabase/postgres init-scripts and
-- migrations, summarised in docs/supabase-compat.md). Applied only on a plain PostgreSQL, by a superuser.
--
-- fluentpro_owner stands in for Supabase's `postgres` role: not a superuser, BYPASSRLS, CREATEROLE,
-- member of the three API roles. Our migrations run as it, so a privilege mistake fails here first.
-- Roles live in the whole cluster and several test runs may build databases at once: this lock on
-- the (shared) role catalog serialises role changes cluster-wide until the transaction ends.
lock table pg_catalog.pg_authid in share row exclusive mode;

do $roles$
declare
    wanted record;
begin
    for wanted in
        select *
        from (values
            ('anon', 'nologin noinherit'),
            ('authenticated', 'nologin noinherit'),
            ('service_role', 'nologin noinherit bypassrls'),
            ('authenticator', 'login noinherit'),
            ('fluentpro_owner', 'login nosuperuser createrole bypassrls')
        ) as r (role_name, attributes)
    loop
        if not exists (select from pg_catalog.pg_roles where rolname = wanted.role_name) then
            execute format('create role %I %s', wanted.role_name, wanted.attributes);
        end if;
    end loop;
end
$roles$;

-- Supabase later made the API roles inherit (20230529180330_alter_api_roles_for_inherit.sql).
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

grant anon to authenticator;
grant authenticated to authenticator;
grant service_role to authenticator;
grant anon to fluentpro_owner;
grant authenticated to fluentpro_owner;
grant service_role to fluentpro_owner;
