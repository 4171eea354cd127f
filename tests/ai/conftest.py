"""Fixtures of the AI tests: a running fake OpenAI server and settings pointing at it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from sidecar.ai.settings import OpenAISettings
from tests.fakes.openai_server import API_KEY, FakeOpenAI, running_fake_openai


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with running_fake_openai() as fake:
        yield fake


def settings_for(fake: FakeOpenAI, **overrides: Any) -> OpenAISettings:
    """Settings aimed at the fake, with quick backoff (waits are real, so keep them short)."""
    base = OpenAISettings(
        api_key=API_KEY,
        base_url=fake.url,
        chat_model="fake-chat",
        embedding_model="fake-embedding",
        timeout_seconds=5.0,
        max_attempts=3,
        backoff_base_seconds=0.01,
        backoff_cap_seconds=0.05,
        breaker_failures=5,
        breaker_cooldown_seconds=30.0,
    )
    return dataclasses.replace(base, **overrides)
