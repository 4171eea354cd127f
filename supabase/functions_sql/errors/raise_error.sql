-- The one way our SQL reports an error to a client: a stable code, a message, an HTTP status.
-- It raises SQLSTATE 'PGRST' with a JSON message and detail, which PostgREST (>= 12) turns into
-- exactly that status and body ({"code", "message", "details", "hint"}); the sidecar and the test
-- emulation read it the same way. Codes are catalogued in docs/error_codes.md.
-- Details often echo what the caller sent (an unknown slug): each string is cut to 64 characters
-- (the last one an ellipsis) and each list to 20 entries, so a 100,000-character slug does not come
-- back as a 100 KB error.
create or replace function private.error__capped(value jsonb) returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
    case pg_catalog.jsonb_typeof(value)
        when 'string' then
            if pg_catalog.length(value #>> '{}') > 64 then
                return pg_catalog.to_jsonb(pg_catalog.left(value #>> '{}', 63) || '…');
            end if;
        when 'array' then
            return (
                select coalesce(pg_catalog.jsonb_agg(private.error__capped(e.item) order by e.n), '[]'::jsonb)
                from pg_catalog.jsonb_array_elements(value) with ordinality as e (item, n)
                where e.n <= 20
            );
        when 'object' then
            return (
                select coalesce(pg_catalog.jsonb_object_agg(e.key, private.error__capped(e.value)), '{}'::jsonb)
                from pg_catalog.jsonb_each(value) as e
            );
        else
            null;
    end case;
    return value;
end;
$$;

comment on function private.error__capped(jsonb) is
'Error details as private.raise_error sends them: strings cut to 64 characters, lists to 20 entries.';

grant execute on function private.error__capped(jsonb) to anon, authenticated, service_role;

create or replace function private.raise_error(
    code text,
    message text,
    http_status integer default 400,
    details jsonb default null,
    hint text default null
) returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
    raise sqlstate 'PGRST' using
        message = pg_catalog.json_build_object(
            'code', code, 'message', message, 'details', private.error__capped(details), 'hint', hint
        )::text,
        detail = pg_catalog.json_build_object('status', http_status)::text;
end;
$$;

comment on function private.raise_error(text, text, integer, jsonb, text) is
'Raise a client error with a stable code (docs/error_codes.md) and HTTP status, the PostgREST way.';

grant execute on function private.raise_error(text, text, integer, jsonb, text) to anon, authenticated, service_role;
