"""The one error mapper: every failure becomes an RFC 9457 problem document with a stable `code`.

Codes are those of docs/error_codes.md. SQL errors keep the status PostgREST would give them
(`private.raise_error`'s SQLSTATE 'PGRST' carries its own code and status); an unreachable database or
upstream answers 502/503, never 500.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

import asyncpg
import httpx
from litestar import Request, Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException, ValidationException

from core.ai.errors import AIError
from core.db.sqlstate import documented_error, status_for_sqlstate

log = logging.getLogger("sidecar.errors")
PROBLEM_JSON = "application/problem+json"
# What a problem document repeats of a request is bounded, as private.raise_error bounds SQL's details:
# a 100,000-character field name or value must not come back whole. Our own texts fit well within.
MAX_ECHOED_CHARS = 240
MAX_ECHOED_ITEMS = 20


def capped(value: Any, depth: int = 0) -> Any:
    """`value` with each string cut to MAX_ECHOED_CHARS (ending in an ellipsis), each list to
    MAX_ECHOED_ITEMS entries, and nothing nested deeper than four levels."""
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHOED_CHARS else value[: MAX_ECHOED_CHARS - 1] + "…"
    if depth >= 4 and isinstance(value, list | dict):
        return "…"
    if isinstance(value, list):
        return [capped(item, depth + 1) for item in value[:MAX_ECHOED_ITEMS]]
    if isinstance(value, dict):
        return {capped(str(key)): capped(item, depth + 1) for key, item in list(value.items())[:MAX_ECHOED_ITEMS]}
    return value


class ProblemError(Exception):
    """An error a client sees as-is: code, status, a message for people and optional JSON details."""

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.headers = headers or {}


class UpstreamUnavailable(ProblemError):
    """An upstream service timed out or could not be reached (503)."""

    def __init__(self, code: str, message: str, *, status: int = 503) -> None:
        super().__init__(code, message, status)


def problem(
    request: Request[Any, Any, Any] | None,
    code: str,
    message: str,
    status: int,
    *,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"urn:fluentpro:error:{code}",
        "title": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error",
        "status": status,
        "detail": capped(message),
        "code": code,
    }
    if details is not None:
        body["details"] = capped(details)
    if request is not None:
        body["instance"] = request.url.path
        request_id = request.scope.get("state", {}).get("request_id")
        if request_id:
            body["request_id"] = request_id
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or {})


def on_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ProblemError)
    if exc.status >= 500:
        log.warning("upstream failure", extra={"code": exc.code, "error": exc.message})
    return problem(request, exc.code, exc.message, exc.status, details=exc.details, headers=exc.headers)


def on_ai(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """AI failures carry their own code and status (core/ai/errors.py), and a Retry-After when the caller
    should come back later."""
    assert isinstance(exc, AIError)
    headers = {"Retry-After": exc.retry_after_header} if exc.retry_after_header else None
    return on_problem(request, ProblemError(exc.code, exc.message, exc.status, headers=headers))


def on_validation(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ValidationException)
    errors = [
        {"field": str(item.get("key") or ""), "message": str(item.get("message") or "")}
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]
    return problem(request, "request.invalid_body", "The request body is not valid.", 400, details={"errors": errors})


def on_http(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, NotFoundException):
        return problem(request, "request.not_found", "No such route.", 404)
    if isinstance(exc, MethodNotAllowedException):
        return problem(request, "request.method_not_allowed", "Method not allowed here.", 405)
    status = exc.status_code
    code = "request.invalid_body" if status == 400 else "request.failed"
    return problem(request, code, str(exc.detail), status)


# Errors that say the database, not the request, is the trouble: a lost connection (class 08), the
# server shutting down (57P01 fast, 57P02 crash) or starting (57P03), or out of connection slots (53300).
# The client may retry the same request later; PostgREST's own table maps only 57P01 and 08 to 503.
_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "53300"})


def database_unavailable(sqlstate: str) -> bool:
    return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE


def on_postgres(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """SQL errors answer as PostgREST would for the same call (the sidecar acts as the user)."""
    assert isinstance(exc, asyncpg.PostgresError)
    sqlstate = exc.sqlstate or "XX000"
    if sqlstate == "PGRST":
        try:
            body = json.loads(str(getattr(exc, "message", "")))
            status = int(json.loads(str(getattr(exc, "detail", "") or "{}"))["status"])
            return problem(request, str(body["code"]), str(body["message"]), status, details=body.get("details"))
        except (ValueError, KeyError, TypeError):
            log.exception("unparsable PGRST error")
            return problem(request, "request.failed", "The database reported an unreadable error.", 500)
    if documented := documented_error(sqlstate):
        code, text = documented
        return problem(request, code, text, 400)
    message = str(getattr(exc, "message", None) or exc)
    status = status_for_sqlstate(sqlstate, role="authenticated", message=message)
    if database_unavailable(sqlstate):
        return problem(request, "request.database_unavailable", "The database is not available.", 503)
    if status >= 500:
        log.error("database error", extra={"sqlstate": sqlstate, "error": message})
    return problem(request, sqlstate, message, status)


def on_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Connection-level failures of our own infrastructure: the pool or Redis cannot be reached."""
    log.warning("dependency unavailable", extra={"error": repr(exc)})
    if isinstance(exc, httpx.HTTPError):
        return problem(request, "request.upstream_unavailable", "An upstream service is not available.", 503)
    return problem(request, "request.database_unavailable", "The database is not available.", 503)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", exc_info=exc)
    return problem(request, "request.failed", "Something went wrong on our side.", 500)


def exception_handlers() -> dict[type[Exception] | int, Any]:
    return {
        ProblemError: on_problem,
        AIError: on_ai,
        ValidationException: on_validation,
        HTTPException: on_http,
        asyncpg.PostgresError: on_postgres,
        asyncpg.InterfaceError: on_unavailable,
        OSError: on_unavailable,
        TimeoutError: on_unavailable,
        httpx.HTTPError: on_unavailable,
        Exception: on_unexpected,
    }


__all__ = ["PROBLEM_JSON", "ProblemError", "UpstreamUnavailable", "exception_handlers", "problem"]
