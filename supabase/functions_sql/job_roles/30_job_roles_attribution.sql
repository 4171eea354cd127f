-- api.job_roles_attribution: the attribution O*NET's CC BY 4.0 license asks for wherever the
-- catalogue is shown (text of seeds/occupations/SOURCE.md).
create or replace function api.job_roles_attribution() returns jsonb
language sql
immutable
set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'source', 'O*NET 30.0 Database',
        'publisher', 'U.S. Department of Labor, Employment and Training Administration (USDOL/ETA)',
        'license', 'CC BY 4.0',
        'license_url', 'https://creativecommons.org/licenses/by/4.0/',
        'source_url', 'https://www.onetcenter.org/database.html',
        'text',
        'This product contains information from the O*NET 30.0 Database, published by the U.S. Department of '
        || 'Labor, Employment and Training Administration (USDOL/ETA) and used under the CC BY 4.0 license. '
        || 'We changed some of that information: we cleaned it, selected part of it and put it in a new format. '
        || 'USDOL/ETA has not approved, endorsed or tested these changes. O*NET® is a trademark of USDOL/ETA.'
    )
$$;

comment on function api.job_roles_attribution() is
'Attribution of the O*NET data in the job-role catalogue (CC BY 4.0): show it wherever roles are shown.';

grant execute on function api.job_roles_attribution() to authenticated;
