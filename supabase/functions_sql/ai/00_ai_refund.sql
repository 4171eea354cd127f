-- private.ai_refund: the other half of private.ai_charge (00_ai_charge.sql), for jobs whose work failed.

-- Give back the learner's latest counted request of the feature (the one a failed job charged).
create or replace function private.ai_refund(learner uuid, feature text) returns void
language sql
volatile
set search_path = ''
as $$
    delete from private.ai_requests as r
    where r.ai_request_id = (
        select max(q.ai_request_id) from private.ai_requests as q
        where q.profile_id = learner and q.feature = ai_refund.feature
    )
$$;

comment on function private.ai_refund(uuid, text) is
'Give back the learner''s latest counted request of a feature, for work that failed or waits (owner only).';
