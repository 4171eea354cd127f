"""Hard negatives: for each anchor, a title of another occupation that the current model puts close to
it (a sibling occupation, an "All Other" residual), so the loss works on the confusions that cost
rank rather than on random pairs an easy batch already separates."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
from sentence_transformers import SentenceTransformer

from training.role_encoder.data import Catalogue
from training.role_encoder.evaluate import encode

CHUNK = 1024  # anchors scored at once: CHUNK x titles similarities in memory


def mine(
    model: SentenceTransformer, catalogue: Catalogue, rows: list[tuple[str, str, str]], rng: random.Random, pool: int
) -> list[tuple[str, str]]:
    """(code, title) of one of the `pool` nearest titles of another occupation, for each (code, anchor, _)."""
    pairs = catalogue.pairs
    codes = np.array([code for code, _ in pairs])
    by_text: dict[str, list[int]] = defaultdict(list)
    for index, (_, title) in enumerate(pairs):
        by_text[title.lower()].append(index)
    vectors = encode(model, [title for _, title in pairs])
    mined: list[tuple[str, str]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        similarity = encode(model, [anchor for _, anchor, _ in chunk]) @ vectors.T
        for row, (code, anchor, _) in zip(similarity, chunk, strict=True):
            # The same text listed under another occupation is an ambiguity of the data, not a negative.
            row[codes == code] = -np.inf
            row[by_text.get(anchor.lower(), [])] = -np.inf
            nearest = np.argpartition(-row, pool)[:pool]
            chosen = int(rng.choice(list(nearest)))
            mined.append((str(codes[chosen]), pairs[chosen][1]))
    model.train()  # encoding switched the model to evaluation mode
    return mined
