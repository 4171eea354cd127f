"""The training titles: every title the seed holds (occupation titles and public alternate titles), minus
the benchmark's measured split when a model is trained to be measured, so it never sees what it is
measured on (bench/role_matching/split.py draws the split)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.role_matching.split import SPLITS, bucket
from core.catalogue.seed import ALTERNATE_TITLES, OCCUPATIONS, read_csv


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Titles grouped by occupation code; `names[code]` is the occupation's own title."""

    names: dict[str, str]
    titles: dict[str, list[str]]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """(code, title) of every title, the occupation's own name included, in a stable order."""
        return [(code, title) for code in sorted(self.titles) for title in self.titles[code]]


def load(root: Path, withhold: str | None) -> Catalogue:
    """The catalogue under `root`, without the alternate titles of split `withhold` ("dev", "test")."""
    held = SPLITS[withhold] if withhold else range(0)
    names = {r["code"]: r["title"] for r in read_csv(root / OCCUPATIONS)}
    titles: dict[str, list[str]] = defaultdict(list)
    for code, name in names.items():
        titles[code].append(name)
    for row in read_csv(root / ALTERNATE_TITLES):
        title = row["alternate_title"]
        if bucket(title) not in held and row["code"] in names and title not in titles[row["code"]]:
            titles[row["code"]].append(title)
    return Catalogue(names, dict(titles))


def queries(root: Path, split: str) -> dict[str, set[str]]:
    """Title -> every code it is listed under, for the alternate titles of `split`."""
    gold: dict[str, set[str]] = defaultdict(set)
    for row in read_csv(root / ALTERNATE_TITLES):
        if bucket(row["alternate_title"]) in SPLITS[split]:
            gold[row["alternate_title"]].add(row["code"])
    return dict(gold)
