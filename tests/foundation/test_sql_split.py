"""The statement splitter keeps dollar-quoted bodies, strings and comments whole."""

from __future__ import annotations

from core.db.sql_split import split_statements


def test_splits_on_semicolons_outside_quotes_and_bodies() -> None:
    script = """
    create function f() returns text language plpgsql as $body$
    begin return 'a;b'; end $body$;
    select 'it''s; fine', "odd;name" from t; -- trailing; comment
    /* block; /* nested; */ still */ select E'esc\\'; still';
    select $$x;y$$;
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[0].endswith("end $body$")
    assert statements[1].startswith("select 'it''s; fine'")
    assert statements[2].endswith("select E'esc\\'; still'")
    assert statements[3] == "select $$x;y$$"


def test_comment_only_chunks_are_dropped() -> None:
    assert split_statements("-- nothing here;\n/* nor; here */\n") == []
    assert split_statements("select 1;;\n;") == ["select 1"]


def test_positional_parameters_are_not_dollar_quotes() -> None:
    assert split_statements("select $1, $2; select 2") == ["select $1, $2", "select 2"]
