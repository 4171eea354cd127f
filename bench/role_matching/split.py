"""The deterministic held-out split of the public O*NET alternate titles.

A title (its text, lower-cased) falls in a bucket 0-99 by its SHA-256. Buckets 0-9 are the test
split (reported), 10-19 the development split (tuning). The split being measured is left out of the
seed, so every query is a title the catalogue has never seen; the rest of the catalogue is seeded, as
it would be in production. Splitting by text keeps a title listed under several occupations wholly on
one side.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

SPLITS = {"test": range(0, 10), "dev": range(10, 20)}


def bucket(title: str) -> int:
    return int(hashlib.sha256(title.lower().encode()).hexdigest()[:8], 16) % 100


def write_split(alternate_titles: Path, split: str, target: Path) -> int:
    """Write the (code, title) pairs of one split to a CSV; returns the number of rows."""
    with alternate_titles.open(encoding="utf-8", newline="") as handle:
        rows = [(r["code"], r["alternate_title"]) for r in csv.DictReader(handle)]
    chosen = [(code, title) for code, title in rows if bucket(title) in SPLITS[split]]
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "title"])
        writer.writerows(chosen)
    return len(chosen)


def read_queries(path: Path) -> dict[str, set[str]]:
    """Title -> every code listed for it (a hit is any of them)."""
    gold: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            gold[row["title"]].add(row["code"])
    return dict(gold)
