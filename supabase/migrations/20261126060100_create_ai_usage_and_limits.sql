-- AI bookkeeping: token usage per learner and feature (jobs and the sidecar record every upstream
-- call), and per-learner rate limits on AI features (a sliding window over recorded requests).
--   private.ai_rate_limits : the limit of each feature (rows, so operators tune them without a deploy).
--   private.ai_requests    : one row per request that a limit counted.
-- The functions that count and record (private.ai_take_quota, private.record_ai_usage, ...) live in
-- supabase/functions_sql/ai/.
-- Touches: app.ai_usage, private.ai_rate_limits, private.ai_requests.

create table app.ai_usage (
    ai_usage_id bigint generated always as identity primary key,
    profile_id uuid references app.profiles (profile_id) on delete set null,
    feature text not null check (feature ~ '^[a-z][a-z0-9_]{1,62}$'),
    model text not null check (char_length(model) between 1 and 200),
    prompt_tokens integer not null check (prompt_tokens >= 0),
    completion_tokens integer not null check (completion_tokens >= 0),
    total_tokens integer generated always as (prompt_tokens + completion_tokens) stored,
    created_at timestamptz not null default now()
);

comment on table app.ai_usage is 'Tokens spent per upstream AI call, per learner (null: catalogue work) and feature.';
comment on column app.ai_usage.ai_usage_id is 'Primary key.';
comment on column app.ai_usage.profile_id is 'The learner the call served; null for work on nobody''s behalf (e.g. catalogue embeddings).';
comment on column app.ai_usage.feature is 'learning_plan, job_role_enrichment, job_role_embedding, practice_scenario.';
comment on column app.ai_usage.model is 'Model that served the call.';
comment on column app.ai_usage.prompt_tokens is 'Input tokens, as the upstream reported them.';
comment on column app.ai_usage.completion_tokens is 'Output tokens, as the upstream reported them.';
comment on column app.ai_usage.total_tokens is 'prompt_tokens + completion_tokens.';
comment on column app.ai_usage.created_at is 'When the call ended.';

-- The select_own policy reads profile_id; reports read by time.
create index ai_usage_profile_id_idx on app.ai_usage (profile_id, created_at);
create index ai_usage_created_at_idx on app.ai_usage (created_at);

alter table app.ai_usage enable row level security;

create policy select_own on app.ai_usage for select to authenticated
using (profile_id = (select auth.uid()));

grant select on app.ai_usage to authenticated, service_role;

create table private.ai_rate_limits (
    feature text primary key check (feature ~ '^[a-z][a-z0-9_]{1,62}$'),
    max_requests integer not null check (max_requests >= 1),
    window_seconds integer not null check (window_seconds >= 1)
);

comment on table private.ai_rate_limits is 'Per-learner limit of each rate-limited AI feature: max_requests per sliding window.';
comment on column private.ai_rate_limits.feature is 'The feature (practice_scenario, learning_plan_regeneration).';
comment on column private.ai_rate_limits.max_requests is 'Requests allowed per learner within the window.';
comment on column private.ai_rate_limits.window_seconds is 'Length of the sliding window.';

alter table private.ai_rate_limits enable row level security;

insert into private.ai_rate_limits (feature, max_requests, window_seconds) values
('practice_scenario', 20, 3600),
('learning_plan_regeneration', 3, 86400);

create table private.ai_requests (
    ai_request_id bigint generated always as identity primary key,
    profile_id uuid not null references app.profiles (profile_id) on delete cascade,
    feature text not null references private.ai_rate_limits (feature) on delete cascade,
    created_at timestamptz not null default now()
);

comment on table private.ai_requests is 'Requests counted by the AI rate limits (old rows only matter within the window).';
comment on column private.ai_requests.ai_request_id is 'Primary key.';
comment on column private.ai_requests.profile_id is 'The learner who asked.';
comment on column private.ai_requests.feature is 'The rate-limited feature.';
comment on column private.ai_requests.created_at is 'When the request was counted.';

create index ai_requests_window_idx on private.ai_requests (profile_id, feature, created_at);
create index ai_requests_feature_idx on private.ai_requests (feature);

alter table private.ai_requests enable row level security;
