-- private.record_ai_usage: the one writer of app.ai_usage, the tokens an AI call used, for the
-- per-learner and global accounting. Jobs call it as the owner, for the learner the work served;
-- the sidecar, acting as the user, calls private.record_my_ai_usage, which records for the caller.

create or replace function private.record_ai_usage(
    learner uuid, feature text, model text, prompt_tokens integer, completion_tokens integer
) returns void
language sql
volatile
set search_path = ''
as $$
    insert into app.ai_usage (profile_id, feature, model, prompt_tokens, completion_tokens)
    values (
        learner, record_ai_usage.feature, record_ai_usage.model, record_ai_usage.prompt_tokens,
        record_ai_usage.completion_tokens
    )
$$;

comment on function private.record_ai_usage(uuid, text, text, integer, integer) is
'Record the tokens of one AI call made for a learner (null: nobody''s, e.g. catalogue embeddings); owner only.';

-- security definer: learners may read their usage but never write it directly, nor for someone else.
create or replace function private.record_my_ai_usage(
    feature text, model text, prompt_tokens integer, completion_tokens integer
) returns void
language sql
volatile
security definer
set search_path = ''
as $$
    select private.record_ai_usage(
        auth.uid(), record_my_ai_usage.feature, record_my_ai_usage.model, record_my_ai_usage.prompt_tokens,
        record_my_ai_usage.completion_tokens
    )
    where auth.uid() is not null
$$;

comment on function private.record_my_ai_usage(text, text, integer, integer) is
'Record the tokens of one AI call made for the caller (auth.uid()).';

grant execute on function private.record_my_ai_usage(text, text, integer, integer) to authenticated;
