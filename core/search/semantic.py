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
NAMED = 100  # roles `similarities` names by their best title: enough for any search's candidates (<= 50)


@dataclass(frozen=True, slots=True)
class Match:
    key: str  # the role (a job_role_id in the app, an O*NET code in the benchmark)
    score: float
    matched_title: str | None


class TitleIndex:
    """Unit vectors of titles, grouped by role; immutable once built (a refresh builds a new one).

    A role may be private to one viewer (a custom role pending review, `authors` naming its author):
    for anyone else its titles do not exist, so they neither rank nor take a share of the others' scores.
    """

    def __init__(
        self,
        keys: Sequence[str],
        titles: Sequence[str],
        vectors: np.ndarray,
        authors: Sequence[str | None] | None = None,
    ) -> None:
        authors = authors if authors is not None else [None] * len(keys)
        if not len(keys) == len(titles) == len(authors) == vectors.shape[0]:
            raise ValueError("one key, title and author (or None) per vector")
        order = np.argsort(np.asarray(keys, dtype=object), kind="stable")
        in_order = bool(np.all(order == np.arange(len(order))))  # as the sidecar reads them: no copy needed
        self.vectors = np.ascontiguousarray(vectors if in_order else vectors[order], dtype=np.float32)
        self.titles = [titles[i] for i in order]
        sorted_keys = [keys[i] for i in order]
        # Rows of a role are contiguous: `starts` are the first row of each, for reduceat.
        self.keys, starts = np.unique(np.asarray(sorted_keys, dtype=object), return_index=True)
        self.starts = starts.astype(np.intp)
        self.role_of_row = np.repeat(np.arange(len(self.keys)), np.diff(np.append(self.starts, len(sorted_keys))))
        rows_by_author: dict[str, list[int]] = {}
        for row, i in enumerate(order):
            if (author := authors[i]) is not None:
                rows_by_author.setdefault(author, []).append(row)
        self.private_rows = np.array(sorted(r for rows in rows_by_author.values() for r in rows), dtype=np.intp)
        self.rows_by_author = {author: np.array(rows, dtype=np.intp) for author, rows in rows_by_author.items()}

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def similarities(self, query: np.ndarray, viewer: str | None = None) -> dict[str, tuple[float, float, str]]:
        """Role key -> (best share, vote share, its most similar title), for the roles either view names
        among those `viewer` may see (every public role and the viewer's own private ones)."""
        cosines = self.vectors @ query.astype(np.float32)
        if len(self.private_rows):
            own = self.rows_by_author.get(viewer or "", self.private_rows[:0])
            kept = cosines[own]
            cosines[self.private_rows] = -np.inf
            cosines[own] = kept
        if not np.isfinite(cosines).any():
            return {}
        best_rows = _argmax_per_group(cosines, self.starts, self.role_of_row)
        best_cos = cosines[best_rows]
        best = _softmax(SCALE * best_cos)
        nearest = np.argpartition(-cosines, min(NEAREST, len(cosines) - 1))[:NEAREST]
        weights = np.exp(SCALE * (cosines[nearest] - cosines[nearest].max()))
        votes = np.bincount(self.role_of_row[nearest], weights=weights, minlength=len(self.keys))
        vote = votes / votes.sum()
        named = np.union1d(np.argsort(-best)[:NAMED], np.flatnonzero(vote))
        named = named[(best[named] > 0) | (vote[named] > 0)]  # a role hidden from the viewer has neither
        return {str(self.keys[r]): (float(best[r]), float(vote[r]), self.titles[best_rows[r]]) for r in named}


def fuse(
    semantic: Mapping[str, tuple[float, float, str]],
    lexical: Mapping[str, tuple[float, str | None]],
    limit: int,
    candidates: int = CANDIDATES,
) -> list[Match]:
    """The best `limit` of each view's top `candidates` roles: lexical is key -> (score, matched title),
    best first."""
    top_lexical = max((score for score, _ in lexical.values()), default=0.0)
    ranked_semantic = sorted(semantic, key=lambda k: semantic[k][0] + semantic[k][1], reverse=True)
    keys = dict.fromkeys([*list(lexical)[:candidates], *ranked_semantic[:candidates]])
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
