"""core.search.semantic: the title index's view of each viewer, and the fusion of its scores with the
lexical ranker's."""

from __future__ import annotations

import numpy as np
import pytest

from core.search.semantic import WEIGHTS, TitleIndex, fuse


def unit(rows: np.ndarray) -> np.ndarray:
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


def assert_same(got: dict[str, tuple[float, float, str]], expected: dict[str, tuple[float, float, str]]) -> None:
    assert got.keys() == expected.keys()
    for key, (best, vote, title) in expected.items():
        assert got[key][2] == title
        assert got[key][:2] == pytest.approx((best, vote), rel=1e-5, abs=1e-9)


@pytest.fixture
def vectors() -> np.ndarray:
    return unit(np.random.default_rng(7).standard_normal((60, 16)))


KEYS = [f"role-{i % 12:02d}" for i in range(60)]  # 12 public roles of 5 titles each
TITLES = [f"title {i}" for i in range(60)]


def test_a_private_role_is_invisible_to_others_and_moves_none_of_their_scores(vectors: np.ndarray) -> None:
    private = unit(vectors[:3] + 0.01)  # three titles each almost equal to a public one
    index = TitleIndex(
        [*KEYS, "pending", "pending", "pending"],
        [*TITLES, "p1", "p2", "p3"],
        np.concatenate([vectors, private]),
        [*[None] * 60, "alice", "alice", "alice"],
    )
    public_only = TitleIndex(KEYS, TITLES, vectors)
    query = private[0]
    seen_by_bob = index.similarities(query, "bob")
    assert "pending" not in seen_by_bob and "pending" not in index.similarities(query)  # signed out: public only
    assert_same(seen_by_bob, public_only.similarities(query))
    seen_by_alice = index.similarities(query, "alice")
    assert max(seen_by_alice, key=lambda k: seen_by_alice[k][0]) == "pending"  # its author reaches it


def test_the_rows_given_in_any_order_give_the_same_index(vectors: np.ndarray) -> None:
    shuffled = np.random.default_rng(1).permutation(60)
    index = TitleIndex([KEYS[i] for i in shuffled], [TITLES[i] for i in shuffled], vectors[shuffled])
    assert_same(index.similarities(vectors[5]), TitleIndex(KEYS, TITLES, vectors).similarities(vectors[5]))


def test_an_empty_index_names_nothing() -> None:
    assert TitleIndex([], [], np.zeros((0, 16), dtype=np.float32)).similarities(np.ones(16, dtype=np.float32)) == {}


def test_fusion_weighs_both_views_and_keeps_the_lexical_matched_title() -> None:
    semantic = {"a": (0.6, 0.5, "A by meaning"), "b": (0.3, 0.4, "B by meaning")}
    lexical = {"b": (10.0, "B by words"), "c": (5.0, "C by words")}
    matches = {m.key: m for m in fuse(semantic, lexical, limit=10)}
    assert set(matches) == {"a", "b", "c"}
    assert matches["a"].score == pytest.approx(WEIGHTS["best"] * 0.6 + WEIGHTS["vote"] * 0.5)
    assert matches["b"].score == pytest.approx(WEIGHTS["best"] * 0.3 + WEIGHTS["vote"] * 0.4 + WEIGHTS["lexical"])
    assert matches["c"].score == pytest.approx(WEIGHTS["lexical"] * 0.5)  # half the query's best lexical score
    assert (matches["a"].matched_title, matches["b"].matched_title) == ("A by meaning", "B by words")
    assert [m.key for m in fuse(semantic, lexical, limit=1)] == ["a"]
