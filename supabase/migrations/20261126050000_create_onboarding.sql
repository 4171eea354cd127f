-- Onboarding choices and progress, kept in Postgres: one row per learner (language, industry, job
-- role, completion), the ordered communication partners and, per partner, the ordered situations,
-- and an append-only history of the steps taken.
-- Invariants live in the schema so no code path (RPC or direct SQL) can break them:
--   * a completed onboarding has language, industry and job role (check constraint), and stays
--     completed through later edits (trigger keeps completed_at); only a reset (delete) clears it;
--   * a situation row needs its partner row (composite foreign key, on delete cascade), so dropping a
--     partner drops its situations; duplicates and priority clashes are refused by keys.
-- Triggers broadcast every state change to Realtime topic user:<uuid> and, on completion, enqueue the
-- learning-plan job in the same transaction.
-- Touches: app.onboardings, app.onboarding_partners, app.onboarding_partner_situations,
--          app.onboarding_steps, private.onboarding__* helpers, private.tg_onboardings__* triggers.

create table app.onboardings (
    profile_id uuid primary key references app.profiles (profile_id) on delete cascade,
    native_language_id uuid references app.native_languages (native_language_id) on delete restrict,
    industry_id uuid references app.industries (industry_id) on delete restrict,
    job_role_id uuid references app.job_roles (job_role_id) on delete restrict,
    completed_at timestamptz,
    version bigint not null default 0 check (version >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint onboardings_completion_needs_basics check (
        completed_at is null
        or (native_language_id is not null and industry_id is not null and job_role_id is not null)
    )
);

comment on table app.onboardings is 'One learner''s onboarding: the single-valued choices and completion.';
comment on column app.onboardings.profile_id is 'The learner (primary key).';
comment on column app.onboardings.native_language_id is 'Chosen native language; null until chosen.';
comment on column app.onboardings.industry_id is 'Chosen industry; null until chosen.';
comment on column app.onboardings.job_role_id is 'Chosen job role (catalogue or own custom role); null until chosen.';
comment on column app.onboardings.completed_at is 'When onboarding was first completed; never cleared except by a reset.';
comment on column app.onboardings.version is 'Bumped by every change; lets clients order Realtime messages.';
comment on column app.onboardings.created_at is 'When the learner took their first step.';
comment on column app.onboardings.updated_at is 'When the onboarding last changed.';

create index onboardings_native_language_id_idx on app.onboardings (native_language_id);
create index onboardings_industry_id_idx on app.onboardings (industry_id);
create index onboardings_job_role_id_idx on app.onboardings (job_role_id);

alter table app.onboardings enable row level security;

create table app.onboarding_partners (
    profile_id uuid not null references app.onboardings (profile_id) on delete cascade,
    communication_partner_id uuid not null
    references app.communication_partners (communication_partner_id) on delete restrict,
    priority integer not null check (priority >= 1),
    created_at timestamptz not null default now(),
    primary key (profile_id, communication_partner_id),
    -- deferred: a reorder swaps priorities within one statement
    constraint onboarding_partners_priority_unique unique (profile_id, priority) deferrable initially deferred
);

comment on table app.onboarding_partners is 'Communication partners a learner chose, by priority (1 = most important).';
comment on column app.onboarding_partners.profile_id is 'The learner.';
comment on column app.onboarding_partners.communication_partner_id is 'The partner chosen.';
comment on column app.onboarding_partners.priority is 'Position in the learner''s list, from 1.';
comment on column app.onboarding_partners.created_at is 'When the partner was first chosen.';

create index onboarding_partners_communication_partner_id_idx on app.onboarding_partners (communication_partner_id);

alter table app.onboarding_partners enable row level security;

create table app.onboarding_partner_situations (
    profile_id uuid not null,
    communication_partner_id uuid not null,
    situation_id uuid not null references app.situations (situation_id) on delete restrict,
    priority integer not null check (priority >= 1),
    created_at timestamptz not null default now(),
    primary key (profile_id, communication_partner_id, situation_id),
    -- the partner must be one of the learner's; dropping it drops these rows (no orphans)
    constraint onboarding_partner_situations_partner_fkey foreign key (profile_id, communication_partner_id)
    references app.onboarding_partners (profile_id, communication_partner_id) on delete cascade,
    constraint onboarding_partner_situations_priority_unique unique (profile_id, communication_partner_id, priority)
    deferrable initially deferred
);

comment on table app.onboarding_partner_situations is
'Situations a learner chose for one of their partners, by priority (1 = most important).';
comment on column app.onboarding_partner_situations.profile_id is 'The learner.';
comment on column app.onboarding_partner_situations.communication_partner_id is 'One of the learner''s partners.';
comment on column app.onboarding_partner_situations.situation_id is 'The situation chosen.';
comment on column app.onboarding_partner_situations.priority is 'Position in the list for this partner, from 1.';
comment on column app.onboarding_partner_situations.created_at is 'When the situation was chosen.';

create index onboarding_partner_situations_situation_id_idx on app.onboarding_partner_situations (situation_id);

alter table app.onboarding_partner_situations enable row level security;

create table app.onboarding_steps (
    onboarding_step_id bigint generated always as identity primary key,
    profile_id uuid not null references app.profiles (profile_id) on delete cascade,
    step text not null check (step in (
        'native_language', 'industry', 'job_role', 'custom_job_role', 'communication_partners', 'situations',
        'completed', 'reset'
    )),
    details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
    recorded_by uuid default auth.uid() references app.profiles (profile_id) on delete set null,
    created_at timestamptz not null default now()
);

comment on table app.onboarding_steps is 'Append-only history of onboarding steps; survives a reset.';
comment on column app.onboarding_steps.onboarding_step_id is 'Primary key, in recording order.';
comment on column app.onboarding_steps.profile_id is 'The learner whose onboarding the step changed.';
comment on column app.onboarding_steps.step is 'Which step was taken (or completed, reset).';
comment on column app.onboarding_steps.details is 'What was chosen, as slugs and ids.';
comment on column app.onboarding_steps.recorded_by is 'Who took the step: the learner, or an admin for a reset.';
comment on column app.onboarding_steps.created_at is 'When the step was taken.';

create index onboarding_steps_profile_id_idx on app.onboarding_steps (profile_id, onboarding_step_id);
create index onboarding_steps_recorded_by_idx on app.onboarding_steps (recorded_by);

alter table app.onboarding_steps enable row level security;

-- Policies: the learner reads and writes their own rows (the api RPCs run as the learner); admins with
-- users.manage read everyone's. Resetting someone else goes through private.onboarding__reset.
-- History is append-only: no update or delete for anyone but the owner role.
create policy select_own on app.onboardings for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));
create policy insert_own on app.onboardings for insert to authenticated
with check (profile_id = (select auth.uid()));
create policy update_own on app.onboardings for update to authenticated
using (profile_id = (select auth.uid()))
with check (profile_id = (select auth.uid()));
create policy delete_own on app.onboardings for delete to authenticated
using (profile_id = (select auth.uid()));

grant select, delete on app.onboardings to authenticated;
grant insert (profile_id) on app.onboardings to authenticated;
grant update (native_language_id, industry_id, job_role_id, completed_at, version) on app.onboardings to authenticated;
grant select on app.onboardings to service_role;

create policy select_own on app.onboarding_partners for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));
create policy insert_own on app.onboarding_partners for insert to authenticated
with check (profile_id = (select auth.uid()));
create policy update_own on app.onboarding_partners for update to authenticated
using (profile_id = (select auth.uid()))
with check (profile_id = (select auth.uid()));
create policy delete_own on app.onboarding_partners for delete to authenticated
using (profile_id = (select auth.uid()));

grant select, delete on app.onboarding_partners to authenticated;
grant insert (profile_id, communication_partner_id, priority) on app.onboarding_partners to authenticated;
grant update (priority) on app.onboarding_partners to authenticated;
grant select on app.onboarding_partners to service_role;

create policy select_own on app.onboarding_partner_situations for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));
create policy insert_own on app.onboarding_partner_situations for insert to authenticated
with check (profile_id = (select auth.uid()));
create policy update_own on app.onboarding_partner_situations for update to authenticated
using (profile_id = (select auth.uid()))
with check (profile_id = (select auth.uid()));
create policy delete_own on app.onboarding_partner_situations for delete to authenticated
using (profile_id = (select auth.uid()));

grant select, delete on app.onboarding_partner_situations to authenticated;
grant insert (
    profile_id, communication_partner_id, situation_id, priority
) on app.onboarding_partner_situations to authenticated;
grant update (priority) on app.onboarding_partner_situations to authenticated;
grant select on app.onboarding_partner_situations to service_role;

create policy select_own on app.onboarding_steps for select to authenticated
using (profile_id = (select auth.uid()) or (select private.has_permission('users.manage')));
create policy insert_own on app.onboarding_steps for insert to authenticated
with check (profile_id = (select auth.uid()));

grant select on app.onboarding_steps to authenticated;
grant insert (profile_id, step, details) on app.onboarding_steps to authenticated;
grant select on app.onboarding_steps to service_role;

-- Triggers on app.onboardings, in firing order by name.
create function private.tg_onboardings__touch() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    -- Completion sticks: later edits (or a stray update) never clear it; only a reset deletes the row.
    new.completed_at := coalesce(old.completed_at, new.completed_at);
    return new;
end;
$$;

comment on function private.tg_onboardings__touch() is
'BEFORE UPDATE on app.onboardings: set updated_at; keep completed_at once set.';

create trigger _100_touch before update on app.onboardings
for each row execute function private.tg_onboardings__touch();

-- A job role is selectable by a learner when it is published (active, approved) or is their own custom
-- role still under review. Enforced here as well as in the RPC so direct writes cannot point at
-- another user's private custom role.
create function private.onboarding__job_role_selectable(job_role_id uuid, profile_id uuid) returns boolean
language sql
stable
set search_path = ''
as $$
    select exists (
        select
        from app.job_roles as r
        where
            r.job_role_id = onboarding__job_role_selectable.job_role_id
            and (
                r.status in ('active', 'approved')
                or (r.status = 'pending_review' and r.created_by = onboarding__job_role_selectable.profile_id)
            )
    )
$$;

comment on function private.onboarding__job_role_selectable(uuid, uuid) is
'True when the learner may choose the job role: published, or their own custom role under review.';

grant execute on function private.onboarding__job_role_selectable(uuid, uuid) to authenticated, service_role;

create function private.tg_onboardings__check_job_role() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    if
        new.job_role_id is not null
        and new.job_role_id is distinct from (case when tg_op = 'UPDATE' then old.job_role_id end)
        and not private.onboarding__job_role_selectable(new.job_role_id, new.profile_id)
    then
        perform private.raise_error(
            'onboarding.job_role_not_selectable', 'This job role cannot be chosen.', 422,
            pg_catalog.jsonb_build_object('job_role_id', new.job_role_id)
        );
    end if;
    return new;
end;
$$;

comment on function private.tg_onboardings__check_job_role() is
'BEFORE INSERT OR UPDATE on app.onboardings: a newly chosen job role must be selectable by the learner.';

create trigger _200_check_job_role before insert or update of job_role_id on app.onboardings
for each row execute function private.tg_onboardings__check_job_role();

-- The one description of "where the learner is". Invoker: a learner sees their own state (RLS); the
-- broadcast trigger (definer) computes it for the row's owner.
create function private.onboarding__state(target uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
    with onboarding as (
        select
            o.profile_id,
            o.version,
            o.completed_at,
            o.updated_at,
            l.slug as native_language,
            i.slug as industry,
            case
                when r.job_role_id is not null
                    then pg_catalog.jsonb_build_object(
                        'job_role_id', r.job_role_id, 'title', r.title, 'source', r.source, 'status', r.status
                    )
            end as job_role,
            o.job_role_id is not null as has_job_role
        from app.onboardings as o
        left join app.native_languages as l on o.native_language_id = l.native_language_id
        left join app.industries as i on o.industry_id = i.industry_id
        left join app.job_roles as r on o.job_role_id = r.job_role_id
        where o.profile_id = target
    ),

    partners as (
        select
            cp.slug,
            p.priority,
            coalesce((
                select pg_catalog.jsonb_agg(s.slug order by ps.priority)
                from app.onboarding_partner_situations as ps
                inner join app.situations as s on ps.situation_id = s.situation_id
                where ps.profile_id = p.profile_id and ps.communication_partner_id = p.communication_partner_id
            ), '[]'::jsonb) as situations
        from app.onboarding_partners as p
        inner join onboarding as o on p.profile_id = o.profile_id
        inner join app.communication_partners as cp on p.communication_partner_id = cp.communication_partner_id
    ),

    summary as (
        select
            coalesce(pg_catalog.jsonb_agg(
                pg_catalog.jsonb_build_object('slug', p.slug, 'priority', p.priority, 'situations', p.situations)
                order by p.priority
            ), '[]'::jsonb) as partners,
            count(*) as partner_count,
            coalesce(
                pg_catalog.jsonb_agg(p.slug order by p.priority) filter (where p.situations = '[]'::jsonb),
                '[]'::jsonb
            ) as partners_without_situations
        from partners as p
    ),

    facts as (
        select
            o.*,
            s.*,
            array_remove(array[
                case when o.native_language is null then 'native_language' end,
                case when o.industry is null then 'industry' end,
                case when not coalesce(o.has_job_role, false) then 'job_role' end
            ], null) as missing
        from summary as s
        left join onboarding as o on true
    )

    select pg_catalog.jsonb_build_object(
        'profile_id', target,
        'status', case
            when f.completed_at is not null then 'completed'
            when f.profile_id is null then 'not_started'
            else 'in_progress'
        end,
        'is_complete', f.completed_at is not null,
        'completed_at', f.completed_at,
        'missing', pg_catalog.to_jsonb(f.missing),
        'can_complete', f.missing = '{}',
        'next_step', case
            when f.completed_at is not null then null
            when f.missing != '{}' then f.missing[1]
            when f.partner_count = 0 then 'communication_partners'
            when f.partners_without_situations != '[]'::jsonb then 'situations'
            else 'summary'
        end,
        'steps', pg_catalog.jsonb_build_object(
            'native_language', f.native_language is not null,
            'industry', f.industry is not null,
            'job_role', coalesce(f.has_job_role, false),
            'communication_partners', f.partner_count > 0,
            'situations', f.partner_count > 0 and f.partners_without_situations = '[]'::jsonb
        ),
        'native_language', f.native_language,
        'industry', f.industry,
        'job_role', f.job_role,
        'communication_partners', f.partners,
        'partners_without_situations', f.partners_without_situations,
        'version', coalesce(f.version, 0),
        'updated_at', f.updated_at
    )
    from facts as f
$$;

comment on function private.onboarding__state(uuid) is
'The onboarding state of a learner: status, missing and next step, choices as slugs (api.onboarding_state shape).';

grant execute on function private.onboarding__state(uuid) to authenticated, service_role;

-- The state a writing RPC returns: the one its own update just broadcast, or, should that not be the
-- caller's (no update fired in this transaction), computed afresh.
create function private.onboarding__changed_state(target uuid) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    sent jsonb := nullif(pg_catalog.current_setting('fluentpro.onboarding_state', true), '')::jsonb;
begin
    if sent ->> 'profile_id' = target::text then
        return sent;
    end if;
    return private.onboarding__state(target);
end;
$$;

comment on function private.onboarding__changed_state(uuid) is
'After a step''s update of app.onboardings: the state its broadcast trigger computed (else a fresh one).';

grant execute on function private.onboarding__changed_state(uuid) to authenticated;

-- Realtime: every change of the onboarding row (the RPCs bump it after their other writes) sends the
-- new state to the learner's private topic; the first completion also sends onboarding_completed.
-- security definer: realtime.send is invoker-rights and learners may not insert into realtime.messages.
create function private.tg_onboardings__broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    target uuid := coalesce(new.profile_id, old.profile_id);
    state jsonb := private.onboarding__state(target);
    topic text := 'user:' || target::text;
begin
    -- The RPC that made this change returns this same state (private.onboarding__changed_state).
    perform pg_catalog.set_config('fluentpro.onboarding_state', state::text, true);
    perform realtime.send(pg_catalog.jsonb_build_object('state', state), 'onboarding_state', topic, true);
    if tg_op = 'UPDATE' and old.completed_at is null and new.completed_at is not null then
        perform realtime.send(pg_catalog.jsonb_build_object('state', state), 'onboarding_completed', topic, true);
    end if;
    return null;
end;
$$;

comment on function private.tg_onboardings__broadcast() is
'AFTER UPDATE/DELETE on app.onboardings (an insert is always the empty state): send the new state to Realtime topic user:<uuid>.';

create trigger _900_broadcast after update or delete on app.onboardings
for each row execute function private.tg_onboardings__broadcast();

-- Completion asks for the learner's learning plan, in the same transaction.
-- security definer: private.enqueue_job is for the owner role; learners have no outbox rights.
create function private.tg_onboardings__request_learning_plan() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform private.enqueue_job(
        'learning_plans__generate',
        pg_catalog.jsonb_build_object('profile_id', new.profile_id),
        'learning_plans__generate:' || new.profile_id::text,
        pg_catalog.now(),
        new.profile_id
    );
    return null;
end;
$$;

comment on function private.tg_onboardings__request_learning_plan() is
'AFTER UPDATE on app.onboardings when completed: enqueue learning_plans__generate for the learner.';

create trigger _500_request_learning_plan after update of completed_at on app.onboardings
for each row when (old.completed_at is null and new.completed_at is not null)
execute function private.tg_onboardings__request_learning_plan();

-- Who is calling: a signed-in learner with an existing, active profile. Every onboarding RPC starts here.
create function private.onboarding__caller() returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    caller uuid := auth.uid();
    profile_status text;
begin
    if caller is null then
        perform private.raise_error('onboarding.not_signed_in', 'Sign in to onboard.', 401);
    end if;
    select p.status into profile_status from app.profiles as p where p.profile_id = caller;
    if profile_status is null then
        perform private.raise_error('onboarding.profile_not_found', 'No profile exists for this token.', 403);
    elsif profile_status != 'active' then
        perform private.raise_error('onboarding.profile_inactive', 'This profile is suspended.', 403);
    end if;
    return caller;
end;
$$;

comment on function private.onboarding__caller() is
'The calling learner''s profile id; raises 401/403 unless signed in with an existing, active profile.';

grant execute on function private.onboarding__caller() to authenticated;

-- Serialises concurrent steps of one learner: creates the onboarding row if missing, then locks it
-- until the transaction ends. Every writing RPC calls it before reading the state it changes.
create function private.onboarding__lock(target uuid) returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
    insert into app.onboardings (profile_id) values (target) on conflict (profile_id) do nothing;
    perform from app.onboardings as o where o.profile_id = target for update;
end;
$$;

comment on function private.onboarding__lock(uuid) is
'Create (if missing) and lock the learner''s onboarding row for the rest of the transaction.';

grant execute on function private.onboarding__lock(uuid) to authenticated;

-- Appends a step to the learner's history (in the caller's transaction).
create function private.onboarding__log(target uuid, step text, details jsonb) returns void
language sql
volatile
set search_path = ''
as $$
    insert into app.onboarding_steps (profile_id, step, details)
    values (target, onboarding__log.step, onboarding__log.details)
$$;

comment on function private.onboarding__log(uuid, text, jsonb) is 'Append a step to the learner''s onboarding history.';

grant execute on function private.onboarding__log(uuid, text, jsonb) to authenticated;

-- For steps that write other tables: log the step, bump the version (the one update that broadcasts
-- the new state, after every other write of the step), return the new state.
create function private.onboarding__record(target uuid, step text, details jsonb) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.onboarding__log(target, step, details);
    update app.onboardings as o set version = o.version + 1 where o.profile_id = target;
    return private.onboarding__changed_state(target);
end;
$$;

comment on function private.onboarding__record(uuid, text, jsonb) is
'Log a step, bump the onboarding version (broadcasting the new state once) and return the new state.';

grant execute on function private.onboarding__record(uuid, text, jsonb) to authenticated;

-- Reset: one's own onboarding, or anyone's with onboarding.reset_any. Deletes the onboarding row (its
-- partners and situations follow by cascade), keeps the history and records the reset in it.
-- security definer: an admin resets rows that RLS hides from them; the permission is checked here.
create function private.onboarding__reset(target uuid) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    caller uuid := private.onboarding__caller();
begin
    if target is distinct from caller and not private.has_permission('onboarding.reset_any') then
        perform private.raise_error(
            'onboarding.reset_forbidden', 'Only admins may reset another user''s onboarding.', 403
        );
    end if;
    if target is null or not exists (select from app.profiles as p where p.profile_id = target) then
        perform private.raise_error(
            'onboarding.target_not_found', 'No such user.', 404, pg_catalog.jsonb_build_object('profile_id', target)
        );
    end if;
    perform private.onboarding__lock(target);
    delete from app.onboardings as o where o.profile_id = target;
    insert into app.onboarding_steps (profile_id, step, details, recorded_by)
    values (target, 'reset', '{}', caller);
    return private.onboarding__state(target);
end;
$$;

comment on function private.onboarding__reset(uuid) is
'Reset a learner''s onboarding (own, or anyone''s with onboarding.reset_any); returns the new state.';

grant execute on function private.onboarding__reset(uuid) to authenticated;

-- Turns an ordered list of partner or situation slugs into ids, in the same order, or raises with a
-- stable code: an empty list, null or blank entries, duplicates, or unknown (or inactive) slugs, which
-- are all listed in the error details.
create function private.onboarding__resolve_slugs(kind text, slugs text[]) returns uuid[]
language plpgsql
stable
set search_path = ''
as $$
declare
    duplicates jsonb;
    unknown jsonb;
    ids uuid[];
begin
    if kind not in ('partners', 'situations') then
        raise exception 'unexpected kind %', kind using errcode = '22023';
    end if;
    if slugs is null or pg_catalog.cardinality(slugs) = 0 then
        if kind = 'partners' then
            perform private.raise_error('onboarding.no_partners', 'Choose at least one partner.', 422);
        end if;
        perform private.raise_error('onboarding.no_situations', 'Choose at least one situation.', 422);
    end if;
    if pg_catalog.array_position(slugs, null) is not null or '' = any(slugs) then
        perform private.raise_error(
            'onboarding.invalid_argument', 'The list holds empty entries.', 400,
            pg_catalog.jsonb_build_object('argument', kind)
        );
    end if;
    select pg_catalog.jsonb_agg(d.slug order by d.first_position) into duplicates
    from (
        select
            u.slug,
            min(u.position) as first_position
        from unnest(slugs) with ordinality as u (slug, position)
        group by u.slug
        having count(*) > 1
    ) as d;
    if duplicates is not null then
        if kind = 'partners' then
            perform private.raise_error(
                'onboarding.duplicate_partners', 'A partner is listed twice.', 422,
                pg_catalog.jsonb_build_object('duplicates', duplicates)
            );
        end if;
        perform private.raise_error(
            'onboarding.duplicate_situations', 'A situation is listed twice.', 422,
            pg_catalog.jsonb_build_object('duplicates', duplicates)
        );
    end if;
    if kind = 'partners' then
        select
            pg_catalog.array_agg(p.communication_partner_id order by u.position),
            pg_catalog.jsonb_agg(u.slug order by u.position) filter (where p.communication_partner_id is null)
        into ids, unknown
        from unnest(slugs) with ordinality as u (slug, position)
        left join app.communication_partners as p on u.slug = p.slug and p.is_active;
        if unknown is not null then
            perform private.raise_error(
                'onboarding.unknown_partners', 'Unknown communication partners.', 422,
                pg_catalog.jsonb_build_object('unknown', unknown)
            );
        end if;
    else
        select
            pg_catalog.array_agg(s.situation_id order by u.position),
            pg_catalog.jsonb_agg(u.slug order by u.position) filter (where s.situation_id is null)
        into ids, unknown
        from unnest(slugs) with ordinality as u (slug, position)
        left join app.situations as s on u.slug = s.slug and s.is_active;
        if unknown is not null then
            perform private.raise_error(
                'onboarding.unknown_situations', 'Unknown situations.', 422,
                pg_catalog.jsonb_build_object('unknown', unknown)
            );
        end if;
    end if;
    return ids;
end;
$$;

comment on function private.onboarding__resolve_slugs(text, text[]) is
'Ordered partner or situation slugs -> ids; raises onboarding.no_/duplicate_/unknown_<kind> or invalid_argument.';

grant execute on function private.onboarding__resolve_slugs(text, text[]) to authenticated;
