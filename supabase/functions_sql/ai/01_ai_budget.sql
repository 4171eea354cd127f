-- The global daily AI budget (private.ai_budget): what is left of it, and the check every AI path makes.
--   private.ai_budget_wait()     : 0 while today's tokens are under the budget, else seconds to UTC midnight.
--   private.ai_require_budget()  : raise ai.budget_exhausted (503) when spent (RPCs and the sidecar).
--   private.ai_budget_state()    : the budget, today's spend, and when it resets (admins).
--   private.set_ai_budget(bigint): set it (admins); jobs waiting for the budget are brought forward.

-- security definer: today's spend sums every learner's usage, which no caller may read.
create or replace function private.ai_budget_wait() returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    day_start timestamptz := pg_catalog.date_trunc('day', pg_catalog.now(), 'UTC');
    allowed bigint;
    spent bigint;
begin
    select b.daily_tokens into allowed from private.ai_budget as b;
    if allowed is null then
        return 0;
    end if;
    select coalesce(sum(u.total_tokens), 0) into spent from app.ai_usage as u where u.created_at >= day_start;
    if spent < allowed then
        return 0;
    end if;
    return greatest(1, pg_catalog.ceil(extract(epoch from (day_start + interval '1 day' - pg_catalog.now())))::integer);
end;
$$;

comment on function private.ai_budget_wait() is
'Seconds until the global daily AI budget allows work again (0: now): the next UTC midnight once today''s tokens reach it.';

grant execute on function private.ai_budget_wait() to authenticated;

create or replace function private.ai_require_budget() returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    wait_seconds integer := private.ai_budget_wait();
begin
    if wait_seconds > 0 then
        perform private.raise_error(
            'ai.budget_exhausted', 'Today''s AI budget is spent; AI features are paused until it resets.', 503,
            pg_catalog.jsonb_build_object('retry_after_seconds', wait_seconds)
        );
    end if;
end;
$$;

comment on function private.ai_require_budget() is
'Raise ai.budget_exhausted (503, details.retry_after_seconds) when the global daily AI budget is spent.';

grant execute on function private.ai_require_budget() to authenticated;

-- security definer: reads the budget row and everyone's usage; admins only (checked here too).
create or replace function private.ai_budget_state() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
    day_start timestamptz := pg_catalog.date_trunc('day', pg_catalog.now(), 'UTC');
    budget private.ai_budget;
    spent bigint;
begin
    if not private.has_permission('ai.manage') then
        perform private.raise_error('ai.forbidden', 'The AI budget needs the ai.manage permission.', 403);
    end if;
    select * into budget from private.ai_budget;
    select coalesce(sum(u.total_tokens), 0) into spent from app.ai_usage as u where u.created_at >= day_start;
    return pg_catalog.jsonb_build_object(
        'daily_tokens', budget.daily_tokens,
        'spent_tokens_today', spent,
        'exhausted', budget.daily_tokens is not null and spent >= budget.daily_tokens,
        'resets_at', day_start + interval '1 day',
        'updated_at', budget.updated_at
    );
end;
$$;

comment on function private.ai_budget_state() is
'The global daily AI budget, today''s spend and the next reset (ai.manage).';

grant execute on function private.ai_budget_state() to authenticated;

-- security definer: no API role writes private tables; the permission is checked here.
create or replace function private.set_ai_budget(daily_tokens bigint) returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
    if not private.has_permission('ai.manage') then
        perform private.raise_error('ai.forbidden', 'The AI budget needs the ai.manage permission.', 403);
    end if;
    if set_ai_budget.daily_tokens < 0 then
        perform private.raise_error(
            'ai.invalid_budget', 'The daily budget is a number of tokens, 0 or more (null: no budget).', 400,
            pg_catalog.jsonb_build_object('daily_tokens', set_ai_budget.daily_tokens)
        );
    end if;
    update private.ai_budget as b
    set daily_tokens = set_ai_budget.daily_tokens, updated_by = auth.uid(), updated_at = pg_catalog.now();
    -- Jobs that waited for the budget look again now (they wait again if it is still spent).
    update private.job_outbox as o
    set run_after = pg_catalog.now(), updated_at = pg_catalog.now()
    where o.status = 'pending' and o.last_error_code = 'ai.budget_exhausted' and o.run_after > pg_catalog.now();
    return private.ai_budget_state();
end;
$$;

comment on function private.set_ai_budget(bigint) is
'Set the global daily AI budget in tokens (null: none) and wake the jobs that waited for it (ai.manage).';

grant execute on function private.set_ai_budget(bigint) to authenticated;
