-- api.ai_budget: the global daily AI budget and today's spend, for admins (permission ai.manage).
create or replace function api.ai_budget() returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not private.has_permission('ai.manage') then
        perform private.raise_error('ai.forbidden', 'The AI budget needs the ai.manage permission.', 403);
    end if;
    return private.ai_budget_state();
end;
$$;

comment on function api.ai_budget() is
'Admins (ai.manage): the global daily AI budget, {daily_tokens (null: none), spent_tokens_today, exhausted, resets_at (next UTC midnight), updated_at}. Errors: ai.forbidden (403).';

grant execute on function api.ai_budget() to authenticated;
