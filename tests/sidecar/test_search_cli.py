"""`fluentpro search reindex`: creates the index and uploads every published role, with progress."""

from __future__ import annotations

import os
import subprocess
import sys

from core.db.migrator import PROJECT_ROOT
from tests.fakes.azure_search import API_KEY, running_fake_azure_search
from tests.support.database import TestDatabase


def test_reindex_uploads_the_whole_catalogue(db: TestDatabase) -> None:
    with running_fake_azure_search() as azure:
        env = {
            **os.environ,
            "FLUENTPRO_ENV": "test",
            "DATABASE_URL": db.url,
            "AZURE_SEARCH_ENDPOINT": azure.url,
            "AZURE_SEARCH_API_KEY": API_KEY,
            "OPENAI_API_KEY": "",
        }
        result = subprocess.run(
            [sys.executable, "-m", "fluentpro.cli", "search", "reindex"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        documents = azure.documents.get("job-roles", {})
    assert result.returncode == 0, result.stderr
    assert "1016/1016" in result.stdout
    assert "1016 job roles indexed" in result.stdout
    assert len(documents) == 1016


def test_reindex_without_azure_says_what_is_missing() -> None:
    env = {**os.environ, "AZURE_SEARCH_ENDPOINT": "", "AZURE_SEARCH_API_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-m", "fluentpro.cli", "search", "reindex"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "AZURE_SEARCH_ENDPOINT" in result.stderr
