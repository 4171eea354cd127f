-- private.lock_space: the one registry of advisory-lock key spaces, for SQL and Python alike. Every
-- advisory lock is taken in its two-key form, (private.lock_space('<name>'), key), so no two features'
-- keys can collide; tests/foundation/test_lock_keys.py finds every advisory-lock call and refuses any
-- other first key.
--   job_outbox   : key 1 "a NOTIFY is on its way", key 2 "a relay is polling" (private.enqueue_job, jobs/relay.py)
--   ai_charge    : key hashtext(learner:feature), serialising a learner's charges of a feature (private.ai_charge)
--   dev_idp_ddl  : key 0, serialising the development identity provider's schema set-up (sidecar/devidp/store.py)
--   test_order   : any key, for tests that need transactions to commit in a known order

create or replace function private.lock_space(name text) returns integer
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
    case lock_space.name
        when 'job_outbox' then return 7301;
        when 'ai_charge' then return 7302;
        when 'dev_idp_ddl' then return 7303;
        when 'test_order' then return 7399;
        else
            -- A lock taken with a null key would silently lock nothing: an unknown name is a bug.
            raise exception 'no advisory-lock space is named %', lock_space.name using errcode = '22023';
    end case;
end;
$$;

comment on function private.lock_space(text) is
'The advisory-lock key space of a feature (first key of the two-key form); an unknown name is an error.';
