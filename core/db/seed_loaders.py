"""Seed loaders for data that is not SQL (CSV files loaded with COPY), run after `seeds/*.sql`.

Each loader is tracked in `supabase_migrations.seed_files` under its name, with a digest of its
input files, and runs again only when they change (or on `fluentpro db seed`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import asyncpg

from core.catalogue.seed import CatalogueLoader


class SeedLoader(Protocol):
    name: str
    inputs: Sequence[str]  # paths relative to the project root

    async def load(self, conn: asyncpg.Connection, root: Path, log: Callable[[str], None]) -> None: ...

    def digest(self, root: Path) -> str: ...


def digest_files(root: Path, inputs: Sequence[str]) -> str:
    sha = hashlib.sha256()
    for relative in inputs:
        sha.update(relative.encode())
        sha.update((root / relative).read_bytes())
    return sha.hexdigest()


LOADERS: list[SeedLoader] = [CatalogueLoader()]
