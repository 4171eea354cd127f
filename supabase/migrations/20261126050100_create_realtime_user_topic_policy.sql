-- Realtime authorization for the per-user private channel `user:<profile uuid>`: a signed-in user
-- receives broadcasts of their own topic only. Nobody may send on it from a client (no insert policy):
-- only definer triggers on the server send there (onboarding state, job results).
-- No COMMENT ON POLICY: Supabase's supautils allows CREATE POLICY on realtime.messages to postgres,
-- but not COMMENT (supabase/cli#5987).
-- Touches: policy select_own_user_topic on realtime.messages.

create policy select_own_user_topic on realtime.messages for select to authenticated
using (
    realtime.messages.extension = 'broadcast'
    and (select realtime.topic()) = 'user:' || (select auth.uid())::text
);
