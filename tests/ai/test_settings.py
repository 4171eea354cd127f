"""OPENAI_* settings from the environment, and what production refuses."""

from __future__ import annotations

import pytest

from core.ai.settings import OpenAISettings
from core.settings import Environment, SettingsError
from core.settings_checks import openai_problems


def test_unset_key_means_not_configured_and_defaults_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_CHAT_MODEL", "OPENAI_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    settings = OpenAISettings.from_env()
    assert not settings.configured
    assert (settings.chat_model, settings.embedding_model) == ("gpt-4o-mini", "text-embedding-3-small")
    assert openai_problems(settings, Environment.PRODUCTION) == []


def test_values_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("OPENAI_MAX_ATTEMPTS", "4")
    settings = OpenAISettings.from_env()
    assert (settings.timeout_seconds, settings.max_attempts) == (2.5, 4)
    assert openai_problems(settings, Environment.TEST) == []  # loopback http: the local fake
    assert openai_problems(settings, Environment.PRODUCTION) == [
        "OPENAI_BASE_URL must be an https URL ('http://127.0.0.1:8080/v1')"
    ]
    monkeypatch.setenv("OPENAI_BASE_URL", "http://llm.internal/v1")
    assert openai_problems(OpenAISettings.from_env(), Environment.TEST) != []
    monkeypatch.setenv("OPENAI_MAX_ATTEMPTS", "0")
    with pytest.raises(SettingsError, match="OPENAI_MAX_ATTEMPTS"):
        OpenAISettings.from_env()
    monkeypatch.setenv("OPENAI_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SettingsError, match="OPENAI_TIMEOUT_SECONDS"):
        OpenAISettings.from_env()
