"""What a Data API request answers: PostgREST's status, JSON body and headers, errors included.

Errors always have PostgREST's body `{"code", "message", "details", "hint"}`. Database errors take their
status from the SQLSTATE exactly as PostgREST maps it (core/db/sqlstate.py, shared with the sidecar).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from core.db.sqlstate import status_for_sqlstate


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    # The JSON media type of a successful body: PostgREST answers a singular request with its own type.
    media_type: str = "application/json"

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) and not self.ok else None

    @property
    def message(self) -> str | None:
        return self.body.get("message") if isinstance(self.body, dict) and not self.ok else None


class ApiError(Exception):
    """An error PostgREST itself raises (PGRSTxxx), before or after the database is asked."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any = None,
        hint: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.response = error(status, code, message, details=details, hint=hint, headers=headers)


def error(
    status: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    hint: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"code": code, "message": message, "details": details, "hint": hint}
    return Response(status, body, dict(headers or {}))


def from_postgres_error(exc: asyncpg.PostgresError, role: str) -> Response:
    sqlstate = exc.sqlstate or "XX000"
    if sqlstate == "PGRST":
        return _custom_error(exc)
    message = str(getattr(exc, "message", None) or exc)
    # PostgREST asks an anonymous client to authenticate when it lacks a privilege.
    headers = {"www-authenticate": "Bearer"} if sqlstate == "42501" and role == "anon" else {}
    return error(
        status_for_sqlstate(sqlstate, role=role, message=message),
        sqlstate,
        message,
        details=getattr(exc, "detail", None),
        hint=getattr(exc, "hint", None),
        headers=headers,
    )


def _custom_error(exc: asyncpg.PostgresError) -> Response:
    """SQLSTATE PGRST: the message is the JSON body and the detail JSON gives status and headers."""
    try:
        body = json.loads(str(getattr(exc, "message", "")))
        detail = json.loads(str(getattr(exc, "detail", "") or "{}"))
        status = int(detail["status"])
    except (ValueError, KeyError, TypeError):
        return error(500, "PGRST121", "Could not parse JSON in the RAISE SQLSTATE 'PGRST' error")
    headers = {str(k).lower(): str(v) for k, v in (detail.get("headers") or {}).items()}
    return Response(status, body, headers)
