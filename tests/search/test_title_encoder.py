"""The committed job-title encoder (models/role_encoder): the vectors it gives, and how it refuses a
model folder it cannot trust."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.search.encoder import EncoderUnavailable, TitleEncoder
from core.search.settings import SHIPPED_ENCODER

GOLDEN = Path(__file__).with_name("golden_vectors.json")


@pytest.fixture(scope="module")
def encoder() -> TitleEncoder:
    return TitleEncoder.load()


def test_the_committed_encoder_gives_its_golden_vectors(encoder: TitleEncoder) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # A retrained model is a new version: regenerate the golden file with it, on purpose.
    assert encoder.version == golden["model_version"]
    vectors = encoder.encode(list(golden["titles"]))
    expected = np.array(list(golden["titles"].values()), dtype=np.float32)
    assert vectors.shape == (len(expected), encoder.dimensions) == (len(expected), 384)
    # int8 kernels differ between CPUs: on an AVX2-only host (no VNNI) single components move by up to
    # 0.022 from the goldens, so compare directions: each title's cosine to its golden is >= 0.989 there.
    # A swapped model is the version check's to catch; this checks the graph still computes what it did.
    cosines = np.sum(vectors * expected, axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() > 0.98, cosines
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)


def test_meaning_brings_titles_together_without_shared_words(encoder: TitleEncoder) -> None:
    nurse, developer, ward_sister, coder = encoder.encode(
        ["Registered Nurse", "Software Developer", "ward sister", "computer programmer"]
    )
    assert nurse @ ward_sister > developer @ ward_sister
    assert developer @ coder > nurse @ coder


def test_a_title_gets_the_same_vector_whatever_it_is_encoded_with(encoder: TitleEncoder) -> None:
    titles = ["nurse", "chief financial officer", "forklift truck driver"]  # of different lengths
    together = encoder.encode(titles)
    alone = np.concatenate([encoder.encode([t]) for t in titles])
    np.testing.assert_allclose(together, alone, atol=1e-6)  # no title is padded by its neighbours
    assert encoder.encode([]).shape == (0, encoder.dimensions)


def copy_of_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(SHIPPED_ENCODER, folder)
    return folder


def test_a_missing_model_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="no readable job-title encoder"):
        TitleEncoder.load(tmp_path / "nowhere")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    folder = copy_of_model(tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(EncoderUnavailable, match="no readable job-title encoder"):
        TitleEncoder.load(folder)


def test_a_corrupt_model_is_refused_by_its_checksum(tmp_path: Path) -> None:
    folder = copy_of_model(tmp_path)
    encoder = folder / "encoder.onnx"
    encoder.write_bytes(encoder.read_bytes()[:1_000_000])  # truncated, as by a broken copy
    with pytest.raises(EncoderUnavailable, match="does not match its sha256"):
        TitleEncoder.load(folder)


def test_a_file_that_matches_its_checksum_but_is_no_model_is_refused(tmp_path: Path) -> None:
    folder = copy_of_model(tmp_path)
    (folder / "encoder.onnx").write_bytes(b"not a model")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["encoder.onnx"] = hashlib.sha256(b"not a model").hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(EncoderUnavailable, match="cannot be read"):
        TitleEncoder.load(folder)
