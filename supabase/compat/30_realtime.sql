-- The Realtime objects our migrations use, as the Realtime service creates them
-- in its tenant migrations (messages partitioning, uuid ids, topic(), send()).
-- A DEFAULT partition stands in for Realtime's daily partitions, which its janitor creates.
create schema if not exists realtime;
grant usage on schema realtime to fluentpro_owner, anon, authenticated, service_role;

create table if not exists realtime.messages (
    topic text not null,
    extension text not null,
    payload jsonb,
    event text,
    private boolean default false,
    updated_at timestamp without time zone not null default now(),
    inserted_at timestamp without time zone not null default now(),
    id uuid not null default gen_random_uuid(),
    binary_payload bytea,
    primary key (id, inserted_at)
) partition by range (inserted_at);

create table if not exists realtime.messages_default partition of realtime.messages default;

create index if not exists messages_inserted_at_topic_index
on realtime.messages (inserted_at desc, topic)
where extension = 'broadcast' and private is true;

alter table realtime.messages enable row level security;

-- On Supabase, supautils' policy_grants let the migration role create policies on realtime.messages
-- without owning it. Plain PostgreSQL lets only a table's owner do that, so here the owner role owns
-- the table: slightly wider than hosted (it could also alter the table), and the only way to apply
-- the same migrations unchanged.
alter table realtime.messages owner to fluentpro_owner;
alter table realtime.messages_default owner to fluentpro_owner;
grant select, insert, update on realtime.messages to fluentpro_owner, anon, authenticated, service_role;

create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- Invoker rights and swallowed errors, as upstream: a caller without INSERT rights sends nothing.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
    topic_name text, event_name text, operation text, table_name text, table_schema text,
    new record, old record, level text default 'ROW'
) returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object(
      'old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema
    );
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

do $publication$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$publication$;

-- Delivery for the local API's Realtime (localapi/realtime): hosted Realtime streams realtime.messages
-- through logical replication; on a plain PostgreSQL a NOTIFY of each private broadcast's id stands
-- in for it. NOTIFY is sent only when the inserting transaction commits, in commit order, so a
-- rolled-back send is never seen. The notification carries the row itself (id, topic, event,
-- payload) when that fits well under NOTIFY's 8000-byte cap, so the listener delivers without a
-- query; a larger row sends just its id, and the listener reads it. Not created on Supabase, where
-- compat is skipped.
create or replace function realtime.notify_local_broadcast() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  message text := pg_catalog.jsonb_build_object(
    'id', new.id, 'topic', new.topic, 'event', new.event, 'payload', new.payload
  )::text;
begin
  if pg_catalog.octet_length(message) > 7000 then
    message := new.id::text;
  end if;
  perform pg_catalog.pg_notify('realtime_messages', message);
  return null;
end;
$$;

create or replace trigger notify_local_broadcast
after insert on realtime.messages
for each row
when (new.extension = 'broadcast' and new.private is true)
execute function realtime.notify_local_broadcast();
