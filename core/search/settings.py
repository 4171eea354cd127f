"""Azure AI Search settings (AZURE_SEARCH_*), read once from the environment; unset endpoint: Postgres search."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings_env import env_bounded_int, env_str

DEFAULT_INDEX = "job-roles"


@dataclass(frozen=True, slots=True)
class AzureSearchSettings:
    endpoint: str | None = None
    api_key: str | None = None
    index_name: str = DEFAULT_INDEX
    vector_dimensions: int = 1536  # text-embedding-3-small; must match OPENAI_EMBEDDING_MODEL
    timeout_seconds: float = 3.0  # per request: a slow Azure falls back to Postgres quickly

    @property
    def configured(self) -> bool:
        return bool(self.endpoint and self.api_key)

    @classmethod
    def from_env(cls) -> AzureSearchSettings:
        return cls(
            endpoint=env_str("AZURE_SEARCH_ENDPOINT"),
            api_key=env_str("AZURE_SEARCH_API_KEY"),
            index_name=env_str("AZURE_SEARCH_INDEX", DEFAULT_INDEX) or DEFAULT_INDEX,
            # The sizes Azure AI Search accepts for a vector field.
            vector_dimensions=env_bounded_int("AZURE_SEARCH_VECTOR_DIMENSIONS", 1536, 2, 4096),
            # Under 100 ms nothing comes back; past a minute the Postgres fallback comes too late to help.
            timeout_seconds=env_bounded_int("AZURE_SEARCH_TIMEOUT_MS", 3000, 100, 60_000) / 1000,
        )
