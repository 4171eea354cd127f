-- The caller's own request (api.request_learning_plan), now: acts only for auth.uid().
-- security definer: private.request_learning_plan is not executable by learners (it takes any learner).
create or replace function private.request_my_learning_plan() returns void
language sql
volatile
security definer
set search_path = ''
as $$
    select private.request_learning_plan(auth.uid(), interval '0 seconds') where auth.uid() is not null
$$;

comment on function private.request_my_learning_plan() is 'Enqueue a learning-plan generation for the caller, now.';

grant execute on function private.request_my_learning_plan() to authenticated;
