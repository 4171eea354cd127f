-- The `extensions` schema with the extensions our SQL relies on, where Supabase keeps them.
create schema if not exists extensions;
grant usage on schema extensions to fluentpro_owner, anon, authenticated, service_role;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists citext with schema extensions;
create extension if not exists unaccent with schema extensions;

-- The owner creates its schemas in this database, as `postgres` does on a hosted project.
do $grant$
begin
    execute format('grant create, connect, temporary on database %I to fluentpro_owner', current_database());
    execute format('grant connect on database %I to authenticator', current_database());
end
$grant$;
