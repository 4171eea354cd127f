"""SQLSTATE -> HTTP status, exactly as PostgREST maps them (PostgREST Error.hs mapSQLtoHTTP).

The sidecar answers database errors with the status a client would get from PostgREST for the same
call, and the test emulation of PostgREST uses this same table. A few SQLSTATEs that bad input causes
get a documented code of ours in the sidecar instead (`documented_error`), with our own message:
PostgreSQL's would quote the bad bytes and name its internals.
"""

from __future__ import annotations

# Text PostgreSQL cannot store: a NUL in a text value (22021), or a \u0000 escape in jsonb (22P05).
_INVALID_TEXT = ("request.invalid_text", "The text holds a character that cannot be stored, such as NUL.")
_DOCUMENTED = {"22021": _INVALID_TEXT, "22P05": _INVALID_TEXT}


def documented_error(sqlstate: str) -> tuple[str, str] | None:
    """Our (code, message) for a SQLSTATE that bad input causes, or None (answer it as PostgREST would)."""
    return _DOCUMENTED.get(sqlstate.upper())


def status_for_sqlstate(sqlstate: str, *, role: str, message: str = "") -> int:
    code = sqlstate.upper()
    if code.startswith("PT") and code[2:].isdigit():
        return int(code[2:])
    if code == "42501":
        return 401 if role == "anon" else 403
    exact = {
        "23503": 409,
        "23505": 409,
        "25006": 405,
        "P0001": 400,
        "42883": 404,
        "42P01": 404,
        "42P17": 500,
        "53400": 500,
        "57P01": 503,
    }
    if code in exact:
        return exact[code]
    if code == "22023":
        return 401 if "role" in message and "does not exist" in message else 400
    if code == "21000":
        return 400 if "requires a WHERE clause" in message else 500
    prefixes = [
        ("08", 503),
        ("09", 500),
        ("0L", 403),
        ("0P", 403),
        ("25", 500),
        ("28", 403),
        ("2D", 500),
        ("38", 500),
        ("39", 500),
        ("3B", 500),
        ("40", 500),
        ("53", 503),
        ("54", 500),
        ("55", 500),
        ("57", 500),
        ("58", 500),
        ("F0", 500),
        ("HV", 500),
        ("XX", 500),
        ("P0", 500),
    ]
    for prefix, status in prefixes:
        if code.startswith(prefix):
            return status
    return 400
