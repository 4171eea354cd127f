-- Create the three schemas of the design and their baseline privileges.
--   api     : the only schema PostgREST exposes; RPC functions and security_invoker views.
--   app     : domain tables, RLS on every one.
--   private : security-definer helpers, the outbox, internals; never exposed.
-- Touches: schemas api, app, private; default privileges of the migration role.

create schema if not exists api;
create schema if not exists app;
create schema if not exists private;

comment on schema api is 'The public contract: RPC functions and security_invoker views, exposed by PostgREST.';
comment on schema app is 'Domain tables; row-level security on every table.';
comment on schema private is 'Definer helpers, outbox and internals; never exposed, no table privileges for API roles.';

-- PostgreSQL grants EXECUTE on every new function to PUBLIC; nothing of ours is callable by default.
alter default privileges revoke execute on functions from public;
alter default privileges in schema api revoke execute on functions from public;
alter default privileges in schema app revoke execute on functions from public;
alter default privileges in schema private revoke execute on functions from public;

-- Supabase no longer grants new objects to the API roles; every grant below is explicit.
grant usage on schema api to anon, authenticated, service_role;
grant usage on schema app to authenticated, service_role;
-- USAGE lets a function body reach a private helper the role may execute; it exposes nothing alone.
grant usage on schema private to anon, authenticated, service_role;
