"""PostgREST's schema cache: the exposed functions and relations, and the settings of each role.

Read once at start and again on `reload_schema_cache` (what `NOTIFY pgrst, 'reload schema'` does).
Relations carry their columns' types, so a filter's value is cast to the column's type as PostgREST's
untyped literal would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from .routines import ROUTINES_QUERY, RoutineInfo, routines_from_rows

ROLE_SETTINGS_QUERY = """
select r.rolname, s.setconfig
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
"""

# Tables, views, materialized views, foreign and partitioned tables, with their columns in order.
RELATIONS_QUERY = """
select n.nspname as schema, c.relname as name,
       coalesce(array_agg(a.attname order by a.attnum) filter (where a.attnum > 0), '{}') as columns,
       coalesce(array_agg(format_type(a.atttypid, null) order by a.attnum) filter (where a.attnum > 0), '{}')
         as types
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = any($1::text[]) and c.relkind in ('r', 'v', 'm', 'f', 'p')
group by n.nspname, c.relname
"""


@dataclass(frozen=True, slots=True)
class Relation:
    schema: str
    name: str
    column_types: dict[str, str]  # column -> type, in the relation's order


@dataclass(slots=True)
class SchemaCache:
    routines: dict[str, list[RoutineInfo]] = field(default_factory=dict)
    relations: dict[tuple[str, str], Relation] = field(default_factory=dict)
    role_settings: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    async def load(cls, conn: asyncpg.Connection, schemas: tuple[str, ...]) -> SchemaCache:
        cache = cls(routines=routines_from_rows(await conn.fetch(ROUTINES_QUERY, list(schemas))))
        for row in await conn.fetch(RELATIONS_QUERY, list(schemas)):
            types = dict(zip(row["columns"], row["types"], strict=True))
            cache.relations[(row["schema"], row["name"])] = Relation(row["schema"], row["name"], types)
        for row in await conn.fetch(ROLE_SETTINGS_QUERY):
            for item in row["setconfig"]:
                key, _, value = item.partition("=")
                cache.role_settings.setdefault(row["rolname"], {})[key] = value
        return cache
