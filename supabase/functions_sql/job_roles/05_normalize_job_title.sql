-- private.normalize_job_title: the one form titles are compared in (search index and ranking).
create or replace function private.normalize_job_title(title text) returns text
language sql
stable
set search_path = ''
as $$
    select pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.lower(extensions.unaccent('extensions.unaccent', title)), '\s+', ' ', 'g'))
$$;

comment on function private.normalize_job_title(text) is 'The form titles are compared in: lower case, unaccented, single spaces.';

grant execute on function private.normalize_job_title(text) to authenticated, service_role;
