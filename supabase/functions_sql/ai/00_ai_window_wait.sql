-- How long a learner must wait before the feature's window has room (0: now). Reads only.
create or replace function private.ai_window_wait(learner uuid, feature text) returns integer
language plpgsql
stable
set search_path = ''
as $$
declare
    limits private.ai_rate_limits;
    used integer;
    oldest timestamptz;
begin
    select * into limits from private.ai_rate_limits as l where l.feature = ai_window_wait.feature;
    if not found then
        raise exception 'unknown rate-limited feature %', ai_window_wait.feature using errcode = '22023';
    end if;
    select count(*), min(r.created_at) into used, oldest
    from private.ai_requests as r
    where
        r.profile_id = learner and r.feature = limits.feature
        and r.created_at > pg_catalog.now() - pg_catalog.make_interval(secs => limits.window_seconds);
    if used < limits.max_requests then
        return 0;
    end if;
    return greatest(
        1,
        pg_catalog.ceil(extract(epoch from (
            oldest + pg_catalog.make_interval(secs => limits.window_seconds) - pg_catalog.now()
        )))::integer
    );
end;
$$;

comment on function private.ai_window_wait(uuid, text) is
'Seconds until a learner''s window of a rate-limited AI feature has room (0: now); counts nothing (owner only).';
