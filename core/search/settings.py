"""Job-role search settings, read once from the environment: Azure AI Search (AZURE_SEARCH_*; unset
endpoint: no Azure) and the embedded semantic search's encoder (JOB_ROLE_ENCODER)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.settings_env import env_bounded_int, env_str

DEFAULT_INDEX = "job-roles"
SHIPPED_ENCODER = Path(__file__).resolve().parents[2] / "models" / "role_encoder"


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


@dataclass(frozen=True, slots=True)
class SemanticSearchSettings:
    """The job-title encoder the sidecar ranks with (core/search/semantic.py). None: lexical ranking only.

    JOB_ROLE_ENCODER names a model folder; unset, the shipped model (models/role_encoder); `off` turns
    the semantic ranking off. A folder that cannot be read is not a start-up error: search answers
    lexically and says so in the log and on /metrics."""

    encoder_dir: Path | None = None

    @classmethod
    def from_env(cls) -> SemanticSearchSettings:
        value = env_str("JOB_ROLE_ENCODER")
        if value is None:
            return cls(SHIPPED_ENCODER)
        return cls(None if value.lower() == "off" else Path(value))
