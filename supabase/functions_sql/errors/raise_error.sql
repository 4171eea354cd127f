-- The one way our SQL reports an error to a client: a stable code, a message, an HTTP status.
-- It raises SQLSTATE 'PGRST' with a JSON message and detail, which PostgREST (>= 12) turns into
-- exactly that status and body ({"code", "message", "details", "hint"}); the sidecar and the test
-- emulation read it the same way. Codes are catalogued in docs/error_codes.md.
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
            'code', code, 'message', message, 'details', details, 'hint', hint
        )::text,
        detail = pg_catalog.json_build_object('status', http_status)::text;
end;
$$;

comment on function private.raise_error(text, text, integer, jsonb, text) is
'Raise a client error with a stable code (docs/error_codes.md) and HTTP status, the PostgREST way.';

grant execute on function private.raise_error(text, text, integer, jsonb, text) to anon, authenticated, service_role;
