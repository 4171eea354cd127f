"""What the encoder trains on: every seeded title but the measured split, so a benchmark never scores a
title the model has seen. Plain Python: these run everywhere, torch or not."""

from __future__ import annotations

from pathlib import Path

from bench.role_matching.split import SPLITS, bucket
from core.db.migrator import PROJECT_ROOT
from tests.training import tiny_catalogue
from training.role_encoder import data


def test_the_measured_split_is_withheld_from_training() -> None:
    catalogue = data.load(PROJECT_ROOT, "dev")
    gold = data.queries(PROJECT_ROOT, "dev")
    trained = {title for _, title in catalogue.pairs}
    assert len(gold) > 1000
    leaked = {title for title in gold if title in trained} - set(catalogue.names.values())
    assert not leaked, sorted(leaked)[:5]
    assert all(bucket(t) not in SPLITS["dev"] for t in trained - set(catalogue.names.values()))


def test_the_shipped_model_trains_on_every_seeded_title() -> None:
    everything = data.load(PROJECT_ROOT, None)
    without_dev = data.load(PROJECT_ROOT, "dev")
    assert len(everything.pairs) > len(without_dev.pairs)
    assert set(everything.names) == set(without_dev.names)


def test_each_occupation_keeps_its_own_title_first(tmp_path: Path) -> None:
    catalogue = data.load(tiny_catalogue.write(tmp_path), None)
    for code, (name, alternates) in tiny_catalogue.TITLES.items():
        assert catalogue.titles[code] == [name, *alternates]
