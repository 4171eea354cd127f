"""Job-role search settings, read once from the environment: Azure AI Search (AZURE_SEARCH_*; unset
endpoint: Postgres search) and the semantic ranking's encoder (JOB_ROLE_ENCODER)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.settings_env import env_bounded_int, env_str

DEFAULT_INDEX = "job-roles"
# The committed job-title encoder (`make train-matcher` writes it; core/search/encoder.py reads it).
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
    """The job-title encoder of the sidecar's semantic ranking (JOB_ROLE_ENCODER); None: lexical only.

    A hand-built Settings (tests) has it off; from the environment it is the shipped model unless
    JOB_ROLE_ENCODER names another model folder or says `off`.
    """

    encoder: Path | None = None

    @classmethod
    def from_env(cls) -> SemanticSearchSettings:
        value = env_str("JOB_ROLE_ENCODER")
        if value is None:
            return cls(encoder=SHIPPED_ENCODER)
        return cls(encoder=None if value.lower() == "off" else Path(value))
