"""The baseline: plain TF-IDF nearest neighbour over the seeded titles (word unigrams, cosine)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class TfidfNearestNeighbour:
    def __init__(self, titles: list[tuple[str, str]]) -> None:
        """titles: (code, title) pairs, the occupations' own titles and the seeded alternate titles."""
        self.codes = [code for code, _ in titles]
        docs = [Counter(words(title)) for _, title in titles]
        df = Counter(term for doc in docs for term in doc)
        self.idf = {term: math.log(len(docs) / n) + 1.0 for term, n in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            vector = {t: c * self.idf[t] for t, c in doc.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            for t, v in vector.items():
                self.postings[t].append((i, v / norm))

    def search(self, title: str, k: int = 5) -> list[str]:
        query = {t: c * self.idf[t] for t, c in Counter(words(title)).items() if t in self.idf}
        norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
        scores: dict[int, float] = defaultdict(float)
        for t, q in query.items():
            for i, v in self.postings[t]:
                scores[i] += q / norm * v
        found: list[str] = []
        for i in sorted(scores, key=scores.__getitem__, reverse=True):
            if self.codes[i] not in found:
                found.append(self.codes[i])
                if len(found) == k:
                    break
        return found
