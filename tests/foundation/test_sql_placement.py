"""Every piece of SQL sits where the rule (README, "Where SQL lives") puts it; the checker itself is
tried on planted breaches, so a rule it stopped enforcing fails here too."""

from __future__ import annotations

from core.db.migrator import PROJECT_ROOT
from tests.foundation.sql_placement import placement_problems


def _tree(folder: str) -> dict[str, str]:
    base = PROJECT_ROOT / "supabase" / folder
    return {p.relative_to(PROJECT_ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*.sql"))}


def test_the_repository_follows_the_rule() -> None:
    assert placement_problems(_tree("migrations"), _tree("functions_sql")) == []


TABLE = "create table app.notes (note_id uuid primary key default private.new_note_id(), body text);"
NEW_NOTE_ID = """
create function private.new_note_id() returns uuid language sql as $$ select gen_random_uuid() $$;
"""
HELPER = """
-- a helper nothing in DDL needs
create function private.notes__word_count(body text) returns integer
language sql as $$ select 1 $$;
"""
TOUCH = """
create function private.tg__touch_updated_at() returns trigger language plpgsql as $$ begin return new; end; $$;
create trigger _100_touch_updated_at before update on app.notes
for each row execute function private.tg__touch_updated_at();
"""


def test_a_function_ddl_needs_may_stay_in_its_migration() -> None:
    clean = {"supabase/migrations/1_create_notes.sql": NEW_NOTE_ID + TABLE + TOUCH}
    assert placement_problems(clean, {}) == []


def test_a_helper_in_a_migration_is_sent_to_functions_sql() -> None:
    planted = {"supabase/migrations/1_create_notes.sql": NEW_NOTE_ID + TABLE + HELPER}
    assert placement_problems(planted, {}) == [
        "supabase/migrations/1_create_notes.sql: private.notes__word_count is not needed by any DDL at creation "
        "(no trigger, policy, default, check, index or view names it): move it to supabase/functions_sql/<area>/"
    ]


def test_triggers_follow_one_naming_pattern() -> None:
    def problems(trigger: str) -> list[str]:
        return placement_problems({"supabase/migrations/1_x.sql": TABLE + NEW_NOTE_ID + trigger}, {})

    own_copy = TOUCH.replace("tg__touch_updated_at", "tg_notes__touch_updated_at")
    assert problems(own_copy) == [
        "supabase/migrations/1_x.sql: trigger _100_touch_updated_at on notes: "
        "use the shared private.tg__touch_updated_at"
    ]
    assert problems(TOUCH.replace("_100_touch_updated_at", "touch"))[0].endswith(
        "name it _<NNN>_<task> (NNN orders the firing)"
    )
    renamed = TOUCH.replace("trigger _100_touch_updated_at", "trigger _100_stamp")
    assert "name it private.tg_notes__stamp" in problems(renamed)[0]


def test_function_files_hold_one_family_of_their_area() -> None:
    body = " returns jsonb language sql as $$ select null $$;\n"
    state = "create or replace function private.onboarding__state()" + body
    slugs = "create or replace function private.onboarding__resolve_slugs()" + body
    notes = "create or replace function private.notes__count()" + body
    files = {
        "supabase/functions_sql/onboarding/state.sql": state + slugs,
        "supabase/functions_sql/onboarding/count.sql": notes,
        "supabase/functions_sql/onboarding/tables.sql": "create table app.t (id int);\n",
        "supabase/functions_sql/loose.sql": state,
    }
    assert placement_problems({}, files) == [
        "supabase/functions_sql/onboarding/state.sql: defines onboarding__resolve_slugs beside its family (state): "
        "one function or one tight family per file; give each its own file",
        "supabase/functions_sql/onboarding/count.sql: private.notes__count belongs to area notes, not onboarding",
        "supabase/functions_sql/onboarding/tables.sql: `create table app.t …` is DDL: it belongs in a migration",
        "supabase/functions_sql/loose.sql: a functions_sql file lives in supabase/functions_sql/<area>/<name>.sql",
    ]


def test_long_files_and_unqualified_parameters_are_refused() -> None:
    long = "-- x\n" * 301
    conflict = (
        "create or replace function api.f(a int) returns int language plpgsql as $$\n"
        "#variable_conflict use_variable\nbegin return a; end; $$;\n"
    )
    problems = placement_problems(
        {"supabase/migrations/1_long.sql": long}, {"supabase/functions_sql/x/f.sql": conflict}
    )
    assert problems == [
        "supabase/migrations/1_long.sql: 301 lines, over 300: split it along the rule",
        "supabase/functions_sql/x/f.sql: #variable_conflict use_variable: qualify parameters by function name instead",
    ]
