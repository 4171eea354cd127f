"""The problem responses each route documents, so the OpenAPI document says what clients really get.

Every error body is the RFC 9457 problem document of `sidecar.errors.problem`; `problem_responses`
lists, per route, the statuses it can answer with besides success.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from sidecar.errors import PROBLEM_JSON


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document; `code` is stable (docs/error_codes.md)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    request_id: str | None = None
    details: Any = None


# What any route may answer: a malformed request, and a database or upstream outage.
COMMON = (400, 503)
# What a route behind our bearer guard adds: no or a bad token, a suspended user.
SIGNED_IN = (401, 403)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=HTTPStatus(status).phrase,
            generate_examples=False,
        )
        for status in sorted({*COMMON, *statuses})
    }
