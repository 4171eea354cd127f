"""The resilient OpenAI client, through the real `openai` SDK against the local fake server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.ai.breaker import BreakerState, CircuitBreaker
from core.ai.client import AIClient, OutputRejected, Usage
from core.ai.errors import (
    AICircuitOpen,
    AIInvalidOutput,
    AINotConfigured,
    AIUpstreamError,
    AIUpstreamRateLimited,
    AIUpstreamTimeout,
)
from core.ai.settings import OpenAISettings
from tests.ai.conftest import settings_for
from tests.fakes.openai_server import FakeOpenAI, Fault, fake_embedding

CHAT = "/v1/chat/completions"
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"], "additionalProperties": False}


def want_n(value: Any) -> int:
    if not isinstance(value, dict) or set(value) != {"n"} or not isinstance(value["n"], int):
        raise OutputRejected("expected {n: integer}")
    return value["n"]


async def ask(client: AIClient, usage: list[Usage] | None = None) -> int:
    return await client.chat_json(
        messages=[{"role": "user", "content": "a number"}],
        schema_name="number",
        schema=SCHEMA,
        validate=want_n,
        on_usage=None if usage is None else usage.append,
    )


async def test_structured_output_is_validated_and_usage_reported(fake_openai: FakeOpenAI) -> None:
    fake_openai.chat_responder = lambda _body: json.dumps({"n": 7})
    usage: list[Usage] = []
    client = AIClient(settings_for(fake_openai))
    assert await ask(client, usage) == 7
    body = fake_openai.requests_to(CHAT)[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["response_format"]["json_schema"]["strict"] is True
    assert len(usage) == 1
    assert usage[0].model == "fake-chat"
    assert usage[0].total_tokens > 0


async def test_schema_breaking_output_is_asked_again_then_fails(fake_openai: FakeOpenAI) -> None:
    fake_openai.chat_responder = lambda _body: json.dumps({"n": 1})
    fake_openai.fail(Fault(content='{"n": "seven"}'))
    client = AIClient(settings_for(fake_openai, max_attempts=3))
    assert await ask(client) == 1  # the second answer is valid
    assert len(fake_openai.requests_to(CHAT)) == 2

    fake_openai.fail(Fault(content="not json at all"), times=3)
    with pytest.raises(AIInvalidOutput) as caught:
        await ask(client)
    assert caught.value.code == "ai.invalid_output"
    assert caught.value.status == 502
    assert len(fake_openai.requests_to(CHAT)) == 2 + 3


async def test_429_retry_after_is_honoured(fake_openai: FakeOpenAI) -> None:
    fake_openai.chat_responder = lambda _body: json.dumps({"n": 2})
    fake_openai.fail(Fault(status=429, retry_after="1"))
    client = AIClient(settings_for(fake_openai))
    assert await ask(client) == 2
    first, second = fake_openai.requests_to(CHAT)
    assert second.at - first.at >= 1.0  # waited at least as long as asked (a lower bound only)


async def test_retry_after_beyond_our_budget_fails_fast_with_it(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(Fault(status=429, retry_after="120"))
    client = AIClient(settings_for(fake_openai, max_retry_after_seconds=10))
    with pytest.raises(AIUpstreamRateLimited) as caught:
        await ask(client)
    assert caught.value.status == 503
    assert caught.value.retry_after_header == "120"
    assert len(fake_openai.requests_to(CHAT)) == 1


async def test_5xx_is_retried_a_bounded_number_of_times(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(Fault(status=500), times=10)
    client = AIClient(settings_for(fake_openai, max_attempts=3))
    with pytest.raises(AIUpstreamError) as caught:
        await ask(client)
    assert caught.value.code == "ai.upstream_error"
    assert len(fake_openai.requests_to(CHAT)) == 3


async def test_a_hung_upstream_costs_a_bounded_number_of_timed_out_attempts(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(Fault(hang=True), times=10)
    client = AIClient(settings_for(fake_openai, timeout_seconds=0.3, max_attempts=2))
    with pytest.raises(AIUpstreamTimeout) as caught:
        await ask(client)
    assert caught.value.code == "ai.upstream_timeout"
    assert caught.value.status == 503
    assert len(fake_openai.requests_to(CHAT)) == 2


async def test_repeated_failures_open_the_circuit_then_it_recovers(fake_openai: FakeOpenAI) -> None:
    now = [1000.0]
    settings = settings_for(fake_openai, max_attempts=1)
    client = AIClient(settings, CircuitBreaker(failures=2, cooldown=30, clock=lambda: now[0]))
    fake_openai.chat_responder = lambda _body: json.dumps({"n": 3})
    fake_openai.fail(Fault(status=503), times=2)
    for _ in range(2):
        with pytest.raises(AIUpstreamError):
            await ask(client)
    assert client.breaker.state is BreakerState.OPEN
    with pytest.raises(AICircuitOpen) as caught:
        await ask(client)
    assert caught.value.status == 503
    assert caught.value.retry_after_header == "30"
    assert len(fake_openai.requests_to(CHAT)) == 2  # refused without a request

    now[0] += 31  # cooldown over: one trial goes out, succeeds, the circuit closes
    assert client.breaker.state is BreakerState.HALF_OPEN
    assert await ask(client) == 3
    assert client.breaker.state is BreakerState.CLOSED


async def test_a_failed_half_open_trial_opens_the_circuit_again(fake_openai: FakeOpenAI) -> None:
    now = [0.0]
    client = AIClient(settings_for(fake_openai, max_attempts=1), CircuitBreaker(1, 10, clock=lambda: now[0]))
    fake_openai.fail(Fault(status=500), times=2)
    with pytest.raises(AIUpstreamError):
        await ask(client)
    now[0] += 11
    with pytest.raises(AIUpstreamError):
        await ask(client)
    assert client.breaker.state is BreakerState.OPEN


async def test_stream_yields_the_deltas_in_order_with_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.chat_responder = lambda _body: "one two three four"
    usage: list[Usage] = []
    client = AIClient(settings_for(fake_openai))
    parts = [p async for p in client.chat_stream(messages=[{"role": "user", "content": "go"}], on_usage=usage.append)]
    assert parts == ["one", " two", " three", " four"]
    assert usage and usage[-1].completion_tokens == 4


async def test_embeddings_are_batched_and_kept_in_order(fake_openai: FakeOpenAI) -> None:
    texts = [f"role {i}" for i in range(100)]
    client = AIClient(settings_for(fake_openai))
    vectors = await client.embed(texts)
    assert vectors == [fake_embedding(t) for t in texts]
    batches = fake_openai.requests_to("/v1/embeddings")
    assert [len(b.body["input"]) for b in batches] == [96, 4]
    assert batches[0].body["model"] == "fake-embedding"


async def test_embeddings_retry_a_failed_batch(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(Fault(status=502, path="/v1/embeddings"))
    client = AIClient(settings_for(fake_openai))
    assert await client.embed(["a"]) == [fake_embedding("a")]
    assert len(fake_openai.requests_to("/v1/embeddings")) == 2


async def test_not_configured_is_a_clear_503_and_sends_nothing() -> None:
    client = AIClient(OpenAISettings(api_key=None))
    assert not client.configured
    with pytest.raises(AINotConfigured) as caught:
        await ask(client)
    assert (caught.value.code, caught.value.status) == ("ai.not_configured", 503)


async def test_a_stream_cut_short_is_an_error_not_a_short_reply(fake_openai: FakeOpenAI) -> None:
    fake_openai.chat_responder = lambda _body: "one two three four"
    fake_openai.fail(Fault(cut_after=2))
    client = AIClient(settings_for(fake_openai))
    parts: list[str] = []

    async def read_all() -> None:
        async for part in client.chat_stream(messages=[{"role": "user", "content": "go"}]):
            parts.append(part)

    with pytest.raises(AIUpstreamError):
        await read_all()
    assert parts == ["one", " two"]
