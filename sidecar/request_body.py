"""The JSON decoding every route's body goes through, made to refuse what it cannot read with a 400.

Litestar decodes a JSON body once per request (`Request.json`, which typed `data` parameters use too)
with msgspec. msgspec refuses truncated text, NaN and infinities, numbers beyond a double or a
4,300-digit integer, invalid UTF-8 and lone surrogates, but reports them as an exception that Litestar
turns into a 400 for typed bodies only and a 500 where a handler reads the body itself; and it refuses
deep nesting (100,000 brackets) by running out of recursion depth, a RecursionError that nothing turns
into a client error. Both become `request.invalid_body` here, with one log line and no traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from sidecar.errors import ProblemError

log = logging.getLogger("sidecar.request_body")


def unreadable_body(reason: str) -> ProblemError:
    log.info("unreadable request body", extra={"reason": reason})
    return ProblemError(
        "request.invalid_body",
        "The body is not valid JSON.",
        400,
        details={"errors": [{"field": "", "message": reason}]},
    )


class JsonBodyRequest(Request[Any, Any, Any]):
    """The app's request class (`request_class=` of the Litestar app)."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except SerializationException as exc:
            # msgspec's message names the problem and its byte offset, never the body's content.
            raise unreadable_body(str(exc.detail)[:200]) from None
        except RecursionError:
            raise unreadable_body("The JSON is nested too deeply.") from None
