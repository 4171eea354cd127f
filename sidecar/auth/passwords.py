"""The one sign-up policy, checked before Auth0 is called, reported field by field.

Password: 8 to 128 characters with an uppercase and a lowercase letter, a digit and a symbol (any
non-alphanumeric character: the original backend and its app disagreed on the symbol set). Email: one
@ and a dotted domain. Full name: 2 to 100 characters after trimming.
"""

from __future__ import annotations

import re

from sidecar.errors import ProblemError

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
RULES: list[tuple[str, str, re.Pattern[str]]] = [
    ("uppercase", "must contain an uppercase letter", re.compile(r"[A-Z]")),
    ("lowercase", "must contain a lowercase letter", re.compile(r"[a-z]")),
    ("digit", "must contain a digit", re.compile(r"[0-9]")),
    ("symbol", "must contain a symbol", re.compile(r"[^A-Za-z0-9\s]")),
]


def password_errors(password: str, *, email: str = "") -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def fail(rule: str, message: str) -> None:
        errors.append({"field": "password", "rule": rule, "message": f"The password {message}."})

    if len(password) < 8:
        fail("too_short", "must be at least 8 characters long")
    if len(password) > 128:
        fail("too_long", "must be at most 128 characters long")
    for rule, message, pattern in RULES:
        if not pattern.search(password):
            fail(rule, message)
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in password.lower():
        fail("contains_email", "must not contain your email address")
    return errors


def check_signup(email: str, password: str, full_name: str) -> tuple[str, str]:
    """Trimmed email and name, or 422 `auth.invalid_signup` listing every broken rule."""
    errors: list[dict[str, str]] = []
    email, full_name = email.strip(), " ".join(full_name.split())
    if len(email) > 254 or not EMAIL.match(email):
        errors.append({"field": "email", "rule": "format", "message": "The email address is not valid."})
    if not 2 <= len(full_name) <= 100:
        errors.append({"field": "full_name", "rule": "length", "message": "The full name must be 2 to 100 characters."})
    errors += password_errors(password, email=email)
    if errors:
        raise ProblemError(
            "auth.invalid_signup", "The sign-up details break some rules.", 422, details={"errors": errors}
        )
    return email, full_name
