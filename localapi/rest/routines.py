"""Exposed functions as PostgREST's schema cache knows them, and the statement that calls one.

An overload is chosen by the names of the arguments sent (JSON keys, or query parameters on GET):
omitted arguments must have defaults. The call passes only the arguments present, through
json_to_record as PostgREST builds it, so PostgreSQL coerces the values and omitted ones take their
DEFAULT.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .sql import ident

ROUTINES_QUERY = """
select n.nspname as schema, p.proname as name, p.proretset as returns_set,
       p.prorettype = 'pg_catalog.void'::regtype as returns_void,
       (t.typtype = 'c' or coalesce('t' = any(p.proargmodes), false)) as returns_composite,
       p.provolatile = 'v' as volatile, p.pronargs as nargs, p.pronargdefaults as ndefaults,
       coalesce(p.proargnames, '{}') as argnames, coalesce(p.proargmodes::text[], '{}') as argmodes,
       array(select format_type(x, null) from unnest(p.proargtypes) as x) as argtypes,
       array(select format_type(x, null) from unnest(p.proallargtypes) as x) as allargtypes,
       array(select a.attname::text from pg_catalog.pg_attribute a
             where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) as rescolumns,
       array(select format_type(a.atttypid, null) from pg_catalog.pg_attribute a
             where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum) as restypes
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join pg_catalog.pg_type t on t.oid = p.prorettype
where n.nspname = any($1::text[]) and p.prokind = 'f'
"""


@dataclass(frozen=True, slots=True)
class RoutineInfo:
    schema: str
    name: str
    args: tuple[tuple[str, str], ...]  # (name, type) of input arguments, in order
    required: frozenset[str]
    returns_set: bool
    returns_void: bool
    returns_composite: bool
    volatile: bool
    columns: tuple[tuple[str, str], ...] = ()  # (name, type) of the result's columns, when it has columns

    @property
    def qualified(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"


def routines_from_rows(rows: list[Any]) -> dict[str, list[RoutineInfo]]:
    routines: dict[str, list[RoutineInfo]] = {}
    for row in rows:
        names, modes, types = list(row["argnames"]), list(row["argmodes"]), list(row["argtypes"])
        input_names = [n for i, n in enumerate(names) if not modes or modes[i] in ("i", "b", "v")]
        args = tuple(zip(input_names, types, strict=False))
        required = frozenset(n for n, _ in args[: row["nargs"] - row["ndefaults"]])
        out = [i for i, mode in enumerate(modes) if mode in ("o", "b", "t")]
        if out:  # OUT, INOUT or TABLE parameters name the result's columns
            all_types = list(row["allargtypes"])
            columns = tuple((names[i], all_types[i]) for i in out)
        else:  # a composite type's attributes (empty for a scalar result)
            columns = tuple(zip(row["rescolumns"], row["restypes"], strict=True))
        info = RoutineInfo(
            schema=row["schema"],
            name=row["name"],
            args=args,
            required=required,
            returns_set=row["returns_set"],
            returns_void=row["returns_void"],
            returns_composite=row["returns_composite"],
            volatile=row["volatile"],
            columns=columns,
        )
        routines.setdefault(info.name, []).append(info)
    return routines


def choose_overload(candidates: list[RoutineInfo], keys: frozenset[str]) -> RoutineInfo | None:
    """The overload whose arguments match the keys sent, as PostgREST chooses it."""
    for info in candidates:
        names = {n for n, _ in info.args}
        if keys <= names and info.required <= keys:
            return info
    return None


def call_source(info: RoutineInfo, keys: frozenset[str]) -> str:
    """The FROM items that call the function as `pgrst_call` (its arguments are `$1`, a JSON object).

    For a set-returning or composite function, `pgrst_call` has the function's columns; for a scalar
    one, a single column `pgrst_scalar`."""
    if keys:
        present = [(n, t) for n, t in info.args if n in keys]
        columns = ", ".join(ident(n) for n, _ in present)
        record = ", ".join(f"{ident(n)} {t}" for n, t in present)  # types come from the catalogue
        call_args = ", ".join(f"{ident(n)} := pgrst_body.{ident(n)}" for n, _ in present)
        payload = (
            "(select $1::json as json_data) pgrst_payload, "
            f"lateral (select {columns} from json_to_record(pgrst_payload.json_data) as _({record}) limit 1) pgrst_body"
        )
    else:
        call_args, payload = "", ""
    if info.returns_set or info.returns_composite:
        call = f"{info.qualified}({call_args}) pgrst_call"
    else:
        call = f"(select {info.qualified}({call_args}) pgrst_scalar) pgrst_call"
    if not payload:
        return call
    return f"{payload}, lateral {call}"


def call_query(info: RoutineInfo, keys: frozenset[str]) -> str:
    """The whole call, answering one text column: the JSON body as PostgREST shapes it."""
    source = call_source(info, keys)
    if info.returns_set or info.returns_composite:
        agg = "coalesce(json_agg(_postgrest_t), '[]')" if info.returns_set else "(json_agg(_postgrest_t) -> 0)"
        return f"select {agg}::text from (select pgrst_call.* from {source}) _postgrest_t"
    return f"select (json_agg(pgrst_call.pgrst_scalar) -> 0)::text from {source}"
