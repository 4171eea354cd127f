-- A global daily AI budget, set by admins: once the tokens recorded today (UTC) in app.ai_usage reach
-- it, all AI work stops cleanly until the next UTC midnight or until an admin raises it. Jobs wait
-- (re-scheduled, never failed or dead); users asking for AI get ai.budget_exhausted (503).
-- One row; daily_tokens null means no budget. Tokens rather than calls: they are what is paid for.
-- The check reads today's total before each AI call, so calls already in flight when the budget is
-- reached still finish: the overshoot is at most the calls running at that moment.
-- Touches: private.ai_budget, app.permissions and app.role_permissions (ai.manage for admin).
-- The functions that read and set it are in supabase/functions_sql/ai/.

create table private.ai_budget (
    singleton boolean primary key default true check (singleton),
    daily_tokens bigint check (daily_tokens >= 0),
    updated_by uuid references app.profiles (profile_id) on delete set null,
    updated_at timestamptz not null default now()
);

comment on table private.ai_budget is
'The global daily AI budget (one row): tokens all AI work may spend per UTC day; null daily_tokens means no budget.';
comment on column private.ai_budget.singleton is 'Always true: the table holds one row.';
comment on column private.ai_budget.daily_tokens is 'Tokens (prompt + completion, app.ai_usage) allowed per UTC day; null: unlimited.';
comment on column private.ai_budget.updated_by is 'The admin who last set it.';
comment on column private.ai_budget.updated_at is 'When it was last set.';

alter table private.ai_budget enable row level security;

insert into private.ai_budget (daily_tokens) values (null);

-- Setting the budget changes what every user may do, so it has its own permission.
insert into app.permissions (permission_id, description) values
('ai.manage', 'See and set the global daily AI budget.');

insert into app.role_permissions (role_id, permission_id) values
('admin', 'ai.manage');
