"""Token checks with Realtime's outcomes: the claims, or the code and text Realtime reports.

Realtime verifies the signature, then requires `role` and `exp` and an unexpired `exp`. The
signature check is the caller's `verify_token` (the same one the Data API uses); it raises
InvalidToken for any failure, expiry included, so the expiry text ("Token has expired N seconds
ago") is chosen by reading the failed token's own `exp`. That reading only picks the words of a
refusal: nothing unverified is ever trusted to grant access.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Any

from localapi.auth import InvalidToken

VerifyToken = Callable[[str], dict[str, Any]]


class Refusal(Exception):
    """Why a token (or a join) was refused, in Realtime's words: `code` and `message` make a join
    error's reason ("<code>: <message>"); the message alone is a closed channel's system message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


def check_token(verify_token: VerifyToken, token: str, *, now: float | None = None) -> dict[str, Any]:
    current = time.time() if now is None else now
    try:
        claims = verify_token(token)
    except InvalidToken as exc:
        expired_for = _expired_for(token, current)
        if expired_for is not None:
            raise expired(expired_for) from exc
        raise Refusal("JwtSignatureError", "Failed to validate JWT signature") from exc
    if not isinstance(claims, dict):
        raise Refusal("InvalidJWTToken", "Token claims must be a map")
    exp = claims.get("exp")
    if not isinstance(claims.get("role"), str) or not isinstance(exp, int | float) or isinstance(exp, bool):
        raise Refusal("InvalidJWTToken", "Fields `role` and `exp` are required in JWT")
    if exp <= current:
        raise expired(int(current - exp))
    return claims


def expired(seconds: int) -> Refusal:
    return Refusal("InvalidJWTToken", f"Token has expired {seconds} seconds ago")


def _expired_for(token: str, now: float) -> int | None:
    """Seconds since the token's own (unverified) `exp`, when that is in the past."""
    try:
        segment = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp <= now:
        return int(now - exp)
    return None
