-- api.set_industry: onboarding step 2.
create or replace function api.set_industry(industry text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    chosen_id uuid;
begin
    if set_industry.industry is null then
        perform private.raise_error(
            'onboarding.invalid_argument', 'industry is required.', 400, pg_catalog.jsonb_build_object('argument', 'industry')
        );
    end if;
    select i.industry_id into chosen_id
    from app.industries as i
    where i.slug = set_industry.industry and i.is_active;
    if chosen_id is null then
        perform private.raise_error(
            'onboarding.unknown_industry', 'Unknown industry.', 422,
            pg_catalog.jsonb_build_object('unknown', pg_catalog.jsonb_build_array(set_industry.industry))
        );
    end if;

    perform private.onboarding__lock(caller);
    perform private.onboarding__log(caller, 'industry', pg_catalog.jsonb_build_object('industry', set_industry.industry));
    -- One update per step: it bumps the version and so broadcasts the new state once.
    update app.onboardings as o set industry_id = chosen_id, version = o.version + 1 where o.profile_id = caller;
    return private.onboarding__changed_state();
end;
$$;

comment on function api.set_industry(text) is
'Onboarding: set your industry (a slug of api.industries). Returns the new state, as api.onboarding_state(). Errors: onboarding.unknown_industry (422).';

grant execute on function api.set_industry(text) to authenticated;
