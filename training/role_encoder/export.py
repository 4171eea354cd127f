"""Export a trained encoder for inference without torch: one ONNX graph from token ids to the
normalised sentence vector (mean pooling included), quantized to int8, beside its `tokenizer.json`,
and a model card that says what it is and how it was made."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentence_transformers import SentenceTransformer

from training.role_encoder.recipe import BASE_MODEL
from training.role_encoder.train import transformer

WITHHELD = {
    "none": "nothing (the model to ship: every seeded title)",
    "dev": "the dev split of bench/role_matching (to measure it)",
    "test": "the test split of bench/role_matching (the model that benchmark measures)",
}
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
ATTRIBUTION = (
    "This product contains information from the O*NET 30.0 Database, published by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA) and used under the CC BY 4.0 license. We "
    "changed some of that information: we cleaned it, selected part of it and put it in a new format. "
    "USDOL/ETA has not approved, endorsed or tested these changes. O*NET(R) is a trademark of USDOL/ETA."
)


class _Pooled(torch.nn.Module):
    """The transformer, then the mean of its token vectors over the attention mask, normalised."""

    def __init__(self, transformer: torch.nn.Module) -> None:
        super().__init__()
        self.transformer = transformer

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> torch.Tensor:
        tokens = self.transformer(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=-1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(model: SentenceTransformer, target: Path) -> Path:
    """Write target/encoder.onnx (int8) and target/tokenizer.json; returns the encoder's path."""
    target.mkdir(parents=True, exist_ok=True)
    pooled = _Pooled(transformer(model)).eval()
    sample = model.preprocess(["registered nurse"])
    full = target / "encoder.fp32.onnx"
    torch.onnx.export(
        pooled,
        tuple(sample[name] for name in INPUTS),
        str(full),
        input_names=list(INPUTS),
        output_names=["embedding"],
        dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in INPUTS}, "embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    encoder = target / "encoder.onnx"
    quantize_dynamic(str(full), str(encoder), weight_type=QuantType.QInt8, per_channel=True)
    full.unlink()
    model.tokenizer.save_pretrained(str(target / "hf_tokenizer"))
    shutil.move(str(target / "hf_tokenizer" / "tokenizer.json"), str(target / "tokenizer.json"))
    shutil.rmtree(target / "hf_tokenizer")
    return encoder


def write_manifest(target: Path, max_length: int, dimensions: int) -> dict[str, str]:
    """target/manifest.json, what the runtime (core/search/encoder.py) checks before it trusts the files:
    their sha256, the token limit the model was trained with and the vector size. Returns the digests."""
    files = {name: sha256(target / name) for name in ("encoder.onnx", "tokenizer.json")}
    manifest = {"files": files, "max_length": max_length, "dimensions": dimensions}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return files


def write_card(target: Path, report: dict[str, object]) -> Path:
    """target/MODEL_CARD.md (base model and licence, data and attribution, recipe, figures, checksums) and
    target/manifest.json."""
    recipe = report["recipe"]
    assert isinstance(recipe, dict)
    files = write_manifest(target, int(recipe["max_length"]), int(str(report["dimensions"])))
    lines = [
        "# Job-title encoder",
        "",
        f"- **Base model:** `{BASE_MODEL}` (Apache-2.0), fine-tuned; the architecture and tokenizer are its own.",
        "- **Data:** the occupation titles and public alternate titles the seed holds (seeds/occupations).",
        f"- **Withheld from training:** {WITHHELD.get(str(report['withheld']), report['withheld'])}.",
        f"- **Recipe:** `{json.dumps(report['recipe'])}`",
        f"- **Training time:** {report['training_seconds']} s on the CPU.",
        f"- **Figures (nearest-titles vote):** `{json.dumps({k: report.get(k) for k in ('frozen', 'fine_tuned')})}`",
        "- **Files (sha256):**",
        *[f"  - `{name}`: `{digest}`" for name, digest in files.items()],
        "",
        "## Attribution",
        "",
        ATTRIBUTION,
        "",
    ]
    card = target / "MODEL_CARD.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card
