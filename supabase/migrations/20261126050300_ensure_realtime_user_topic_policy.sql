-- Make sure the Realtime policy of 20261126050100 exists: where that migration ran before the migration
-- role could create policies on realtime.messages, it only warned. This one fails instead of warning,
-- so a database without the policy cannot pass as migrated.
-- Touches: policy select_own_user_topic on realtime.messages (created only when missing).
do $policy$
begin
    if not exists (
        select from pg_catalog.pg_policies
        where schemaname = 'realtime' and tablename = 'messages' and policyname = 'select_own_user_topic'
    ) then
        create policy select_own_user_topic on realtime.messages for select to authenticated
        using (
            realtime.messages.extension = 'broadcast'
            and (select realtime.topic()) = 'user:' || (select auth.uid())::text
        );
    end if;
end
$policy$;
