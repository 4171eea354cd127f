"""What an error repeats of a request is bounded: a 100,000-character slug or field name gets its
stable code back in a small body, not itself."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from sidecar.errors import MAX_ECHOED_CHARS, capped
from tests.support.database import TestDatabase
from tests.support.users import create_user

Client = AsyncTestClient[Any]
HUGE = "x" * 100_000


async def test_a_huge_unknown_industry_is_echoed_cut_short(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    response = await db.as_user(alice).rpc("set_industry", {"industry": HUGE})
    assert (response.status, response.code) == (422, "onboarding.unknown_industry")
    assert response.body["details"] == {"unknown": ["x" * 63 + "…"]}
    assert len(json.dumps(response.body)) < 1_000


async def test_many_huge_unknown_partners_are_echoed_cut_short(db: TestDatabase) -> None:
    alice = await create_user(db, "alice")
    partners = [f"{i}{HUGE[:5_000]}" for i in range(200)]
    response = await db.as_user(alice).rpc("set_communication_partners", {"partners": partners})
    assert (response.status, response.code) == (422, "onboarding.unknown_partners")
    unknown = response.body["details"]["unknown"]
    assert len(unknown) == 20 and all(len(slug) == 64 and slug.endswith("…") for slug in unknown)
    assert len(json.dumps(response.body)) < 3_000


async def test_the_sidecar_does_not_echo_a_huge_field_name(sidecar: Client) -> None:
    response = await sidecar.post("/v1/auth/login", json={"email": "a@example.com", "password": "p", HUGE: 1})
    assert (response.status_code, response.json()["code"]) == (400, "request.invalid_body")
    assert len(response.content) < 2_000


def test_problem_details_are_capped_at_every_level() -> None:
    details = {"unknown": [HUGE] * 100, HUGE: {"a": [[[[["deep"]]]]]}}
    out = capped(details)
    assert len(json.dumps(out)) < 10_000
    assert out["unknown"] == ["x" * (MAX_ECHOED_CHARS - 1) + "…"] * 20
    assert capped({"errors": [{"field": "email", "message": "The email address is not valid."}]}) == {
        "errors": [{"field": "email", "message": "The email address is not valid."}]
    }
