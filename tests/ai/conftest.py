"""Fixtures of the AI tests: a running fake OpenAI server and settings pointing at it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.ai.settings import OpenAISettings
from tests.ai import inline
from tests.fakes.openai_server import API_KEY, FakeOpenAI, running_fake_openai
from tests.jobs.stack import JobStack, claim_redis_db, release_redis_db
from tests.support.database import TestDatabase


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


@pytest.fixture
def redis_number() -> Iterator[int]:
    number = claim_redis_db()
    try:
        yield number
    finally:
        release_redis_db(number)


AI_JOB_MODULES = "jobs.tasks.learning_plans.generate,jobs.tasks.job_roles.enrich,jobs.tasks.job_roles.embed"


def ai_env(fake: FakeOpenAI | None) -> dict[str, str]:
    """Worker settings for the AI jobs: the fake OpenAI (or none: not configured), quick retries."""
    env = {
        "JOBS_MODULES": AI_JOB_MODULES,
        "OPENAI_API_KEY": "",
        "OPENAI_MAX_ATTEMPTS": "3",
        "OPENAI_BACKOFF_BASE_SECONDS": "0.01",
        "OPENAI_BACKOFF_CAP_SECONDS": "0.05",
    }
    if fake is not None:
        env |= {
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": fake.url,
            "OPENAI_CHAT_MODEL": "fake-chat",
            "OPENAI_EMBEDDING_MODEL": "fake-embedding",
        }
    return env


@pytest.fixture
async def ai_stack(db: TestDatabase, redis_number: int, tmp_path: Path) -> AsyncIterator[JobStack]:
    """Relay and worker processes for the test database; the test sets `overrides` (ai_env) and starts them."""
    stack = JobStack(database_url=db.url, redis_db=redis_number, log_dir=tmp_path)
    try:
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI) -> FakeOpenAI:
    """The services a worker started with ai_env(fake) would have, for jobs run in this process
    (tests/ai/inline.py): the same quick retries, the default circuit breaker."""
    openai = settings_for(fake_openai, breaker_failures=OpenAISettings().breaker_failures)
    monkeypatch.setattr(inline, "services", dataclasses.replace(inline.services, openai=openai))
    return fake_openai
