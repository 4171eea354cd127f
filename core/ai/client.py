"""The one OpenAI client setup: the official SDK (its own retries off) pointed at any
OpenAI-compatible base URL, wrapped in our retry policy and circuit breaker.

Three calls: `chat_json` (structured output, validated before it is returned; broken output is
asked again, then `AIInvalidOutput`), `chat_stream` (text deltas; retried only until the first one
arrives) and `embed` (batched). Every call reports token usage to its caller, who records it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx2
import openai
from openai.types.chat import ChatCompletionMessageParam

from core.ai.breaker import CircuitBreaker
from core.ai.errors import AIError, AIInvalidOutput, AINotConfigured, AIUpstreamError
from core.ai.retry import RetryPolicy, log, translate
from core.ai.settings import OpenAISettings

T = TypeVar("T")
EMBEDDING_BATCH = 96  # inputs per embeddings request (OpenAI accepts up to 2048; smaller batches retry cheaper)


class OutputRejected(ValueError):
    """Raised by a validator: the model's output breaks the schema or our rules (the reason says which)."""


@dataclass(frozen=True, slots=True)
class Usage:
    model: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


UsageSink = Callable[[Usage], None]


def _usage(model: str, raw: Any) -> Usage | None:
    if raw is None:
        return None
    return Usage(model, int(getattr(raw, "prompt_tokens", 0) or 0), int(getattr(raw, "completion_tokens", 0) or 0))


class AIClient:
    def __init__(self, settings: OpenAISettings, breaker: CircuitBreaker | None = None) -> None:
        self.settings = settings
        self.breaker = breaker or CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_seconds)
        self.retry = RetryPolicy(settings, self.breaker)
        self._sdk: openai.AsyncOpenAI | None = None
        if settings.configured:
            self._sdk = openai.AsyncOpenAI(
                api_key=settings.api_key,
                base_url=settings.base_url,
                timeout=httpx2.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds),
                max_retries=0,  # ours: bounded, Retry-After aware, and seen by the breaker
            )

    @property
    def configured(self) -> bool:
        return self._sdk is not None

    def sdk(self) -> openai.AsyncOpenAI:
        if self._sdk is None:
            # Jobs wait this long before looking again (a deploy sets the key; an hourly look is cheap).
            raise AINotConfigured("the AI service is not configured (OPENAI_API_KEY is unset)", retry_after=3600.0)
        return self._sdk

    async def aclose(self) -> None:
        if self._sdk is not None:
            await self._sdk.close()

    async def chat_json(
        self,
        *,
        messages: list[dict[str, str]],
        schema_name: str,
        schema: dict[str, Any],
        validate: Callable[[Any], T],
        on_usage: UsageSink | None = None,
        max_tokens: int = 4000,
    ) -> T:
        """Structured output: the reply must be JSON that `validate` accepts (it raises `OutputRejected`).
        Rejected output is asked for again, up to the attempt limit; then `AIInvalidOutput`."""
        sdk = self.sdk()
        model = self.settings.chat_model
        last_reason = "no attempt"
        for attempt in range(1, self.settings.max_attempts + 1):
            completion = await self.retry.run(
                lambda: sdk.chat.completions.create(
                    model=model,
                    messages=cast(list[ChatCompletionMessageParam], messages),
                    response_format={
                        "type": "json_schema",
                        "json_schema": {"name": schema_name, "schema": schema, "strict": True},
                    },
                    max_completion_tokens=max_tokens,
                    temperature=0.4,
                ),
                what=f"chat {schema_name}",
            )
            usage = _usage(model, completion.usage)
            if usage is not None and on_usage is not None:
                on_usage(usage)
            choice = completion.choices[0] if completion.choices else None
            content = choice.message.content if choice is not None else None
            try:
                if choice is None or choice.finish_reason != "stop" or not content:
                    raise OutputRejected(f"incomplete reply (finish_reason={getattr(choice, 'finish_reason', None)})")
                try:
                    parsed = json.loads(content)
                except ValueError as exc:
                    raise OutputRejected("the reply is not JSON") from exc
                return validate(parsed)
            except OutputRejected as exc:
                last_reason = str(exc)
                log.warning("chat %s: attempt %d gave invalid output: %s", schema_name, attempt, last_reason)
        raise AIInvalidOutput(f"the AI service's {schema_name} broke the schema: {last_reason}")

    async def chat_stream(
        self, *, messages: list[dict[str, str]], on_usage: UsageSink | None = None, max_tokens: int = 1200
    ) -> AsyncGenerator[str, None]:
        """Text deltas of one chat completion. Opening the stream is retried; a failure after the first
        delta is not (the caller has sent part of it) and surfaces as `AIUpstreamError`."""
        sdk = self.sdk()
        model = self.settings.chat_model
        stream = await self.retry.run(
            lambda: sdk.chat.completions.create(
                model=model,
                messages=cast(list[ChatCompletionMessageParam], messages),
                stream=True,
                stream_options={"include_usage": True},
                max_completion_tokens=max_tokens,
                temperature=0.7,
            ),
            what="chat stream",
        )
        finished = False
        try:
            async for chunk in stream:
                usage = _usage(model, chunk.usage)
                if usage is not None and on_usage is not None:
                    on_usage(usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        yield choice.delta.content
                    finished = finished or choice.finish_reason is not None
            if not finished:  # the stream ended without its last event: the text may be cut short
                raise AIUpstreamError("the AI stream ended before the reply was complete")
        except AIError:
            raise
        except Exception as exc:
            self.breaker.record_failure()
            error = translate(exc)
            raise AIUpstreamError(f"the AI stream broke off: {error.message}") from exc
        finally:
            await stream.close()

    async def embed(self, texts: Sequence[str], *, on_usage: UsageSink | None = None) -> list[list[float]]:
        """One vector per text, in order; requests of at most EMBEDDING_BATCH inputs, each retried."""
        sdk = self.sdk()
        model = self.settings.embedding_model
        vectors: list[list[float]] = []
        for start in range(0, len(texts), EMBEDDING_BATCH):
            batch = list(texts[start : start + EMBEDDING_BATCH])
            reply = await self.retry.run(_embed_call(sdk, model, batch), what="embeddings")
            if len(reply.data) != len(batch):
                raise AIInvalidOutput(f"asked for {len(batch)} embeddings, got {len(reply.data)}")
            if on_usage is not None and reply.usage is not None:
                on_usage(Usage(model, int(reply.usage.prompt_tokens or 0), 0))
            vectors.extend(list(item.embedding) for item in sorted(reply.data, key=lambda item: item.index))
        return vectors


def _embed_call(sdk: openai.AsyncOpenAI, model: str, batch: list[str]) -> Callable[[], Awaitable[Any]]:
    async def call() -> Any:
        return await sdk.embeddings.create(model=model, input=batch, encoding_format="float")

    return call
