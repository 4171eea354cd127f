-- private.record_ai_usage: the tokens an AI call used, for the per-learner and global accounting.
-- Record tokens of an upstream call made on the caller's behalf (the sidecar acts as the user).
-- security definer: learners may read their usage but never write it directly.
create or replace function private.record_ai_usage(
    feature text, model text, prompt_tokens integer, completion_tokens integer
) returns void
language sql
volatile
security definer
set search_path = ''
as $$
    insert into app.ai_usage (profile_id, feature, model, prompt_tokens, completion_tokens)
    select auth.uid(), record_ai_usage.feature, record_ai_usage.model, record_ai_usage.prompt_tokens,
        record_ai_usage.completion_tokens
    where auth.uid() is not null
$$;

comment on function private.record_ai_usage(text, text, integer, integer) is
'Record the tokens of one AI call made for the caller (auth.uid()).';

grant execute on function private.record_ai_usage(text, text, integer, integer) to authenticated;
