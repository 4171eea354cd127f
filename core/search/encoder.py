"""The job-title encoder at run time: the int8 ONNX graph `make train-matcher` exports (token ids to the
normalised title vector), read with onnxruntime and Hugging Face `tokenizers`, no torch.

A model folder holds encoder.onnx, tokenizer.json and manifest.json (their sha256, the token limit and
the vector size). Loading checks every digest before it trusts a byte, so a truncated or swapped file is
refused with `EncoderUnavailable` instead of answering with wrong vectors. The model's version is the
encoder's digest, so vectors made by two models are never mistaken for each other.

One intra-op thread and no inter-op pool: the sidecar encodes one short title per search in a worker
thread, beside the event loop and numpy; a wider pool would only fight them for the two cores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from core.search.settings import SHIPPED_ENCODER

FILES = ("encoder.onnx", "tokenizer.json")
# One title per run. The int8 graph quantizes its activations with a scale taken over the whole
# input, padding included, so a title's vector would depend on the titles batched with it (by up to
# 0.01 per component); one at a time, the catalogue's stored vectors are exactly what the same title
# typed as a query gives. Batching would not be faster here anyway: about 1 ms a title either way.
BATCH = 1


class EncoderUnavailable(Exception):
    """The model folder is missing, incomplete, altered or unreadable (the message says which)."""


@dataclass(frozen=True, slots=True)
class TitleEncoder:
    version: str  # the first 16 hex digits of encoder.onnx's sha256
    dimensions: int
    session: onnxruntime.InferenceSession
    tokenizer: Tokenizer

    @classmethod
    def load(cls, folder: Path = SHIPPED_ENCODER, *, threads: int = 1) -> TitleEncoder:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            digests = {name: str(manifest["files"][name]) for name in FILES}
            contents = {name: (folder / name).read_bytes() for name in FILES}
            max_length, dimensions = int(manifest["max_length"]), int(manifest["dimensions"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EncoderUnavailable(f"no readable job-title encoder in {folder}: {exc!r}") from exc
        for name, content in contents.items():
            if hashlib.sha256(content).hexdigest() != digests[name]:
                raise EncoderUnavailable(f"{folder / name} does not match its sha256 in manifest.json")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        try:
            session = onnxruntime.InferenceSession(
                contents["encoder.onnx"], options, providers=["CPUExecutionProvider"]
            )
            tokenizer = Tokenizer.from_str(contents["tokenizer.json"].decode("utf-8"))
        except Exception as exc:  # onnxruntime and tokenizers raise their own types for a bad file
            raise EncoderUnavailable(f"the job-title encoder in {folder} cannot be read: {exc!r}") from exc
        tokenizer.enable_truncation(max_length)
        tokenizer.enable_padding()
        return cls(digests["encoder.onnx"][:16], dimensions, session, tokenizer)

    def encode(self, titles: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per title (float32, `dimensions` wide)."""
        if not titles:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.concatenate([self._run(titles[start : start + BATCH]) for start in range(0, len(titles), BATCH)])

    def _run(self, titles: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(titles))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        [vectors] = self.session.run(["embedding"], feeds)
        return np.asarray(vectors, dtype=np.float32)
