"""Top-1/top-5 of the nearest-titles vote: encode every catalogue title once, and for a query let its
`k` nearest titles vote for their occupations, each weighted by the soft-max of its similarity."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sentence_transformers import SentenceTransformer

from training.role_encoder.data import Catalogue


def encode(model: SentenceTransformer, texts: list[str]) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=256, normalize_embeddings=True, convert_to_numpy=True))


def rank(
    model: SentenceTransformer, catalogue: Catalogue, queries: list[str], k: int = 100, scale: float = 20.0
) -> list[list[str]]:
    pairs = catalogue.pairs
    codes = [code for code, _ in pairs]
    vectors = encode(model, [title for _, title in pairs])
    ranked = []
    for start in range(0, len(queries), 512):
        similarity = encode(model, queries[start : start + 512]) @ vectors.T
        nearest = np.argpartition(-similarity, min(k, similarity.shape[1] - 1), axis=1)[:, :k]
        for row, candidates in zip(similarity, nearest, strict=True):
            weights = np.exp(scale * (row[candidates] - row[candidates].max()))
            votes: dict[str, float] = defaultdict(float)
            for index, weight in zip(candidates, weights, strict=True):
                votes[codes[index]] += float(weight)
            ranked.append(sorted(votes, key=votes.__getitem__, reverse=True)[:5])
    return ranked


def accuracy(ranked: list[list[str]], gold: list[set[str]]) -> tuple[float, float]:
    top1 = sum(bool(r[:1] and r[0] in g) for r, g in zip(ranked, gold, strict=True)) / len(gold)
    top5 = sum(bool(set(r[:5]) & g) for r, g in zip(ranked, gold, strict=True)) / len(gold)
    return top1, top5
