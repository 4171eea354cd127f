"""Semantic job-role ranking: every searchable title's vector in one matrix, a typed title's vector
against all of them, and the fusion of what that says with the lexical ranker's scores.

Two views of the similarities, each a distribution over roles (it sums to 1):
- `best`: a soft-max over roles of each role's most similar title (a role is as close as its closest
  name);
- `vote`: the nearest `NEAREST` titles each vote for their role, weighted by exp(SCALE·cos) (a role with
  many close names is surer than one lucky neighbour).
The lexical score, divided by the best lexical score of the query, adds what words say that vectors
miss (an exact or rare term). The weights are those first measured on the development split of
bench/role_matching (not retuned since); the test split it reports was never used to choose them.

Brute force over the matrix rather than an approximate index: 40 000 titles x 384 floats is one
matrix-vector product of about 2 ms on one core, exact, and rebuilt in a moment when titles change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

NEAREST = 100
SCALE = 20.0
WEIGHTS = {"best": 0.5, "vote": 0.5, "lexical": 0.2}
CANDIDATES = 20  # per side: the lexical ranker's top and the vectors' top are fused


@dataclass(frozen=True, slots=True)
class Match:
    key: str  # the role (a job_role_id in the app, an O*NET code in the benchmark)
    score: float
    matched_title: str | None


class TitleIndex:
    """Unit vectors of titles, grouped by role; immutable once built (a refresh builds a new one)."""

    def __init__(self, keys: Sequence[str], titles: Sequence[str], vectors: np.ndarray) -> None:
        if not len(keys) == len(titles) == vectors.shape[0]:
            raise ValueError("one key and one title per vector")
        order = np.argsort(np.asarray(keys, dtype=object), kind="stable")
        self.vectors = np.ascontiguousarray(vectors[order], dtype=np.float32)
        self.titles = [titles[i] for i in order]
        sorted_keys = [keys[i] for i in order]
        # Rows of a role are contiguous: `starts` are the first row of each, for reduceat.
        self.keys, starts = np.unique(np.asarray(sorted_keys, dtype=object), return_index=True)
        self.starts = starts.astype(np.intp)
        self.role_of_row = np.repeat(np.arange(len(self.keys)), np.diff(np.append(self.starts, len(sorted_keys))))

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def similarities(self, query: np.ndarray) -> dict[str, tuple[float, float, str]]:
        """Role key -> (best share, vote share, its most similar title), for the roles either view names."""
        if len(self) == 0:
            return {}
        cosines = self.vectors @ query.astype(np.float32)
        best_rows = _argmax_per_group(cosines, self.starts, self.role_of_row)
        best_cos = cosines[best_rows]
        best = _softmax(SCALE * best_cos)
        nearest = np.argpartition(-cosines, min(NEAREST, len(cosines) - 1))[:NEAREST]
        weights = np.exp(SCALE * (cosines[nearest] - cosines[nearest].max()))
        votes = np.bincount(self.role_of_row[nearest], weights=weights, minlength=len(self.keys))
        vote = votes / votes.sum()
        named = np.union1d(np.argsort(-best)[: CANDIDATES * 2], np.flatnonzero(vote))
        return {str(self.keys[r]): (float(best[r]), float(vote[r]), self.titles[best_rows[r]]) for r in named}


def fuse(
    semantic: Mapping[str, tuple[float, float, str]],
    lexical: Mapping[str, tuple[float, str | None]],
    limit: int,
) -> list[Match]:
    """The best `limit` roles of both views: lexical is key -> (score, matched title), best first."""
    top_lexical = max((score for score, _ in lexical.values()), default=0.0)
    ranked_semantic = sorted(semantic, key=lambda k: semantic[k][0] + semantic[k][1], reverse=True)
    keys = dict.fromkeys([*list(lexical)[:CANDIDATES], *ranked_semantic[:CANDIDATES]])
    matches = []
    for key in keys:
        best, vote, semantic_title = semantic.get(key, (0.0, 0.0, None))
        lexical_score, lexical_title = lexical.get(key, (0.0, None))
        share = lexical_score / top_lexical if top_lexical > 0 else 0.0
        score = WEIGHTS["best"] * best + WEIGHTS["vote"] * vote + WEIGHTS["lexical"] * share
        matches.append(Match(key, score, lexical_title or semantic_title))
    matches.sort(key=lambda m: (-m.score, m.key))
    return matches[:limit]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return np.asarray(shifted / shifted.sum())


def _argmax_per_group(values: np.ndarray, starts: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each group of consecutive rows (beginning at `starts`; `group` is each row's), its largest's row."""
    maxima = np.maximum.reduceat(values, starts)
    hits = np.flatnonzero(values == maxima[group])
    first = np.full(len(starts), -1, dtype=np.intp)
    # The first hit of each group (ties: the earlier title), written in reverse so the first one wins.
    first[group[hits[::-1]]] = hits[::-1]
    return first
