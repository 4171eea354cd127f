-- api.set_ai_budget: set the global daily AI budget, for admins (permission ai.manage).
create or replace function api.set_ai_budget(daily_tokens bigint) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
begin
    perform private.caller_id();
    if not private.has_permission('ai.manage') then
        perform private.raise_error('ai.forbidden', 'The AI budget needs the ai.manage permission.', 403);
    end if;
    return private.set_ai_budget(set_ai_budget.daily_tokens);
end;
$$;

comment on function api.set_ai_budget(bigint) is
'Admins (ai.manage): set the tokens all AI work may spend per UTC day (null: no budget). Once today''s tokens reach it, AI requests answer ai.budget_exhausted (503) and AI jobs wait until the next UTC midnight or a higher budget. Returns api.ai_budget(). Errors: ai.forbidden (403), ai.invalid_budget (400).';

grant execute on function api.set_ai_budget(bigint) to authenticated;
