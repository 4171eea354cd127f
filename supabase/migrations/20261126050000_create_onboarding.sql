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
-- The RPCs and the private.onboarding__* helpers they share live in supabase/functions_sql/onboarding/.
-- Touches: app.onboardings, app.onboarding_partners, app.onboarding_partner_situations,
--          app.onboarding_steps, private.tg_onboardings__* triggers.

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

-- Triggers on app.onboardings, in firing order by name. The helpers their bodies call live in
-- supabase/functions_sql/onboarding/ (a trigger needs only its own function to exist when created).
create trigger _100_touch_updated_at before update on app.onboardings
for each row execute function private.tg__touch_updated_at();

-- Completion sticks: later edits (or a stray update) never clear it; only a reset deletes the row.
create function private.tg_onboardings__keep_completed_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.completed_at := coalesce(old.completed_at, new.completed_at);
    return new;
end;
$$;

comment on function private.tg_onboardings__keep_completed_at() is
'BEFORE UPDATE on app.onboardings: keep completed_at once set.';

create trigger _150_keep_completed_at before update on app.onboardings
for each row execute function private.tg_onboardings__keep_completed_at();

-- A newly chosen job role must be selectable by the learner (private.onboarding__job_role_selectable),
-- enforced here as well as in the RPC so direct writes cannot point at another user's private custom role.
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
    state jsonb := private.onboarding__state_of(target);
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
