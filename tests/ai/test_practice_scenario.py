"""POST /v1/ai/practice-scenario through create_app (the real guard, acting_as and error mapper), the real
`openai` SDK and the fake server: events in order, clean end, rate limit, circuit breaker, 503s."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.ai.settings import OpenAISettings
from sidecar.app import create_app
from sidecar.services import services_of
from tests.ai.conftest import settings_for
from tests.ai.plans import module
from tests.fakes.openai_server import FakeOpenAI, Fault
from tests.sidecar.conftest import sidecar_settings
from tests.support.database import TestDatabase
from tests.support.users import create_user

PATH = "/v1/ai/practice-scenario"
CHAT = "/v1/chat/completions"
COOLDOWN = 1.0  # seconds the circuit stays open (the shortest a test can wait for)
SCENARIO = "You meet your manager on Monday. Your goal: agree the budget. Manager: Shall we start?"
ASK = {"partner": "senior_management", "situation": "meetings"}


class Sidecar:
    def __init__(self, client: AsyncTestClient[Any], db: TestDatabase) -> None:
        self.client = client
        self.db = db
        self.app = client.app

    def token(self, profile_id: uuid.UUID, name: str) -> str:
        keys = services_of(self.app.state).token_keys
        minted = keys.mint(profile_id=profile_id, auth0_subject=f"auth0|{name}", roles=["learner"])
        return str(minted.token)

    async def ask(self, profile_id: uuid.UUID | None, body: Any = None, name: str = "alice") -> Any:
        headers = {"Authorization": f"Bearer {self.token(profile_id, name)}"} if profile_id else {}
        return await self.client.post(PATH, json=ASK if body is None else body, headers=headers)


StartSidecar = Callable[[OpenAISettings], Awaitable[Sidecar]]


@pytest.fixture
async def start_sidecar(db: TestDatabase) -> AsyncIterator[StartSidecar]:
    """Start a sidecar whose settings point its AI at `openai` (it reads nothing from the environment)."""
    async with AsyncExitStack() as stack:

        async def start(openai: OpenAISettings) -> Sidecar:
            settings = dataclasses.replace(sidecar_settings(db.url, "http://127.0.0.1:9"), openai=openai)
            client = await stack.enter_async_context(AsyncTestClient(create_app(settings)))
            return Sidecar(client, db)

        yield start


async def give_plan(db: TestDatabase, profile_id: uuid.UUID) -> None:
    plan = {"title": "Plan", "summary": "Practice for work.", "modules": [module("senior_management", "meetings")]}
    async with db.owner() as conn:
        await conn.execute(
            "insert into app.learning_plans (profile_id, status, plan, inputs, schema_version, model, generated_at) "
            "values ($1, 'ready', $2::jsonb, '{}'::jsonb, 1, 'fake-chat', now())",
            profile_id,
            json.dumps(plan),
        )


def sse(text: str) -> list[dict[str, Any]]:
    """Parse an event stream body into [{event, id, data}] in order."""
    events = []
    for block in text.replace("\r\n", "\n").strip().split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ")
            fields[name] = value
        events.append({"event": fields.get("event"), "id": int(fields["id"]), "data": json.loads(fields["data"])})
    return events


@pytest.fixture
async def alice(db: TestDatabase) -> uuid.UUID:
    profile_id = await create_user(db, "alice")
    await give_plan(db, profile_id)
    return profile_id


async def quota_used(db: TestDatabase, profile_id: uuid.UUID) -> int:
    async with db.owner() as conn:
        return int(await conn.fetchval("select count(*) from private.ai_requests where profile_id = $1", profile_id))


async def test_the_stream_delivers_its_events_in_order_and_ends_cleanly(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID
) -> None:
    fake_openai.chat_responder = lambda _body: SCENARIO
    sidecar = await start_sidecar(settings_for(fake_openai))
    response = await sidecar.ask(alice)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    assert [e["event"] for e in events] == ["scenario"] + ["delta"] * len(SCENARIO.split(" ")) + ["done"]
    assert [e["id"] for e in events] == list(range(len(events)))
    assert "".join(e["data"]["text"] for e in events if e["event"] == "delta") == SCENARIO
    assert events[0]["data"] == {
        "partner": "senior_management",
        "situation": "meetings",
        "title": "Meetings with senior management",
    }
    assert events[-1]["data"]["deltas"] == len(SCENARIO.split(" "))

    sent = fake_openai.requests_to(CHAT)[0].body
    assert sent["stream"] is True
    assert "Could we go over" in sent["messages"][-1]["content"]  # the module's key phrases reached the prompt
    async with sidecar.db.owner() as conn:
        usage = await conn.fetch("select feature, total_tokens from app.ai_usage where profile_id = $1", alice)
    assert [u["feature"] for u in usage] == ["practice_scenario"] and usage[0]["total_tokens"] > 0


async def test_the_per_user_rate_limit_answers_429_with_retry_after(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID, db: TestDatabase
) -> None:
    async with db.owner() as conn:
        await conn.execute("update private.ai_rate_limits set max_requests = 2 where feature = 'practice_scenario'")
    bob = await create_user(db, "bob")
    await give_plan(db, bob)
    sidecar = await start_sidecar(settings_for(fake_openai))
    assert [(await sidecar.ask(alice)).status_code for _ in range(2)] == [200, 200]
    limited = await sidecar.ask(alice)
    assert limited.status_code == 429
    assert limited.json()["code"] == "ai.rate_limited"
    retry_after = int(limited.headers["retry-after"])
    assert 0 < retry_after <= 3600
    assert limited.json()["details"] == {"retry_after_seconds": retry_after}
    assert len(fake_openai.requests_to(CHAT)) == 2  # the limited request cost nothing upstream
    assert (await sidecar.ask(bob, name="bob")).status_code == 200  # per user: bob has his own quota


async def test_repeated_failures_open_the_circuit_then_503_at_once_then_recovery(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID, db: TestDatabase
) -> None:
    sidecar = await start_sidecar(
        settings_for(fake_openai, max_attempts=1, breaker_failures=2, breaker_cooldown_seconds=COOLDOWN)
    )
    fake_openai.fail(Fault(status=500), times=2)
    for _ in range(2):
        failed = await sidecar.ask(alice)
        assert (failed.status_code, failed.json()["code"]) == (502, "ai.upstream_error")
    refused = await sidecar.ask(alice)
    assert (refused.status_code, refused.json()["code"]) == (503, "ai.circuit_open")
    assert refused.headers["retry-after"] == str(math.ceil(COOLDOWN))
    assert len(fake_openai.requests_to(CHAT)) == 2  # answered without calling upstream
    assert await quota_used(db, alice) == 2  # and without spending the learner's quota

    await asyncio.sleep(COOLDOWN + 0.1)  # the breaker's clock is monotonic: past the cooldown, one trial call
    fake_openai.chat_responder = lambda _body: SCENARIO
    recovered = await sidecar.ask(alice)
    assert recovered.status_code == 200
    assert sse(recovered.text)[-1]["event"] == "done"


async def test_a_hung_upstream_is_a_bounded_503(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID
) -> None:
    fake_openai.fail(Fault(hang=True), times=5)
    sidecar = await start_sidecar(settings_for(fake_openai, timeout_seconds=0.3, max_attempts=2))
    response = await sidecar.ask(alice)
    assert (response.status_code, response.json()["code"]) == (503, "ai.upstream_timeout")
    assert "retry-after" in response.headers
    assert len(fake_openai.requests_to(CHAT)) == 2


async def test_without_openai_configured_the_endpoint_answers_503(
    start_sidecar: StartSidecar, alice: uuid.UUID
) -> None:
    sidecar = await start_sidecar(OpenAISettings(api_key=None))
    response = await sidecar.ask(alice)
    assert (response.status_code, response.json()["code"]) == (503, "ai.not_configured")
    assert response.headers["retry-after"] == "60"


BadCase = tuple[Callable[[uuid.UUID, uuid.UUID], Any], Any, int, str]


async def test_bad_requests_get_clear_codes(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID, db: TestDatabase
) -> None:
    sidecar = await start_sidecar(settings_for(fake_openai))
    carol = await create_user(db, "carol")  # no plan
    cases = [
        (None, ASK, 401, "auth.missing_token"),
        (alice, {"partner": "Senior Management", "situation": "meetings"}, 400, "request.invalid_body"),
        (alice, {"partner": "senior_management"}, 400, "request.invalid_body"),
        (alice, {"partner": "clients", "situation": "meetings"}, 422, "ai.not_in_plan"),
        (carol, ASK, 409, "ai.plan_not_ready"),
    ]
    for who, body, status, code in cases:
        response = await sidecar.ask(who, body, name="carol" if who == carol else "alice")
        assert (response.status_code, response.json()["code"]) == (status, code), body
    assert fake_openai.requests == []
    assert await quota_used(db, alice) == 0


async def test_a_stream_broken_midway_ends_with_an_error_event(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID
) -> None:
    fake_openai.chat_responder = lambda _body: SCENARIO
    fake_openai.fail(Fault(cut_after=2))  # two words, then the connection drops
    sidecar = await start_sidecar(settings_for(fake_openai))
    response = await sidecar.ask(alice)
    assert response.status_code == 200  # headers were sent before the break
    events = sse(response.text)
    assert [e["event"] for e in events] == ["scenario", "delta", "delta", "error"]
    assert events[-1]["data"]["code"] == "ai.upstream_error"
    assert [e["id"] for e in events] == [0, 1, 2, 3]


async def test_the_app_keeps_the_settings_it_started_with_whatever_the_environment_says_later(
    start_sidecar: StartSidecar, fake_openai: FakeOpenAI, alice: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_openai.chat_responder = lambda _body: SCENARIO
    sidecar = await start_sidecar(settings_for(fake_openai))
    monkeypatch.setenv("OPENAI_API_KEY", "")  # a request that read the environment would find AI off
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    response = await sidecar.ask(alice)
    assert response.status_code == 200
    assert sse(response.text)[-1]["event"] == "done"
    assert fake_openai.requests_to(CHAT)[0].body["model"] == "fake-chat"
