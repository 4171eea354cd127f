-- api.set_native_language: onboarding step 1.
create or replace function api.set_native_language(native_language text) returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    caller uuid := private.caller_id();
    chosen app.native_languages;
begin
    if set_native_language.native_language is null then
        perform private.raise_error(
            'onboarding.invalid_argument', 'native_language is required.', 400, pg_catalog.jsonb_build_object('argument', 'native_language')
        );
    end if;
    select l.* into chosen
    from app.native_languages as l
    where l.slug = set_native_language.native_language and l.is_active;
    if chosen.native_language_id is null then
        perform private.raise_error(
            'onboarding.unknown_native_language', 'Unknown native language.', 422,
            pg_catalog.jsonb_build_object('unknown', pg_catalog.jsonb_build_array(set_native_language.native_language))
        );
    end if;
    if not chosen.is_available then
        perform private.raise_error(
            'onboarding.native_language_unavailable', 'Courses for this native language are not available yet.', 422,
            pg_catalog.jsonb_build_object('native_language', chosen.slug)
        );
    end if;

    perform private.onboarding__lock(caller);
    perform private.onboarding__log(caller, 'native_language', pg_catalog.jsonb_build_object('native_language', chosen.slug));
    -- One update per step: it bumps the version and so broadcasts the new state once.
    update app.onboardings as o set native_language_id = chosen.native_language_id, version = o.version + 1 where o.profile_id = caller;
    return private.onboarding__changed_state();
end;
$$;

comment on function api.set_native_language(text) is
'Onboarding: set your native language (a slug of api.native_languages with is_available). Returns the new state, as api.onboarding_state(). Errors: onboarding.unknown_native_language, onboarding.native_language_unavailable (422).';

grant execute on function api.set_native_language(text) to authenticated;
