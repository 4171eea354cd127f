-- Notifications of identity changes, for the sidecar's cache of returning users' profiles
-- (sidecar/auth/profile_cache.py): a change to a profile (status, email, name, deletion) or to the
-- roles it holds sends pg_notify('profile_changes', <profile uuid>) at commit, and the sidecar drops
-- that profile from its cache, so its next token exchange reads the tables again.
-- Touches: private.tg_profiles__notify_change, private.tg_profile_roles__notify_change and their triggers.

-- The payload is only an id (never a fact about the user): listeners re-read what they need.
-- Invoker's rights: pg_notify needs no privilege, and whoever may change the row may say it changed.
create function private.tg_profiles__notify_change() returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform pg_catalog.pg_notify('profile_changes', old.profile_id::text);
    return null;
end;
$$;

comment on function private.tg_profiles__notify_change() is
'After a profile changes or is deleted, notify profile_changes with its id (cached profiles are dropped).';

create trigger _100_notify_change
after update or delete on app.profiles
for each row
execute function private.tg_profiles__notify_change();

create function private.tg_profile_roles__notify_change() returns trigger
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform pg_catalog.pg_notify('profile_changes', coalesce(new.profile_id, old.profile_id)::text);
    return null;
end;
$$;

comment on function private.tg_profile_roles__notify_change() is
'After a role is granted, changed or revoked, notify profile_changes with the holder''s id.';

create trigger _100_notify_change
after insert or update or delete on app.profile_roles
for each row
execute function private.tg_profile_roles__notify_change();
