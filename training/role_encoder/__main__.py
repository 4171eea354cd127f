"""`python -m training.role_encoder --withhold dev --out DIR`: fine-tune on the catalogue without the
withheld split, report the frozen and the fine-tuned encoder's nearest-titles vote on it, and save the
model. `--withhold none` trains on every seeded title (the model to ship measures nothing)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import torch

from training.role_encoder import data, evaluate, export, train
from training.role_encoder.recipe import Recipe

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m training.role_encoder")
    parser.add_argument("--withhold", choices=["dev", "test", "none"], default="dev")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the folder that holds seeds/")
    parser.add_argument("--base", default=Recipe().base, help='"package" (offline copy), a hub name or a folder')
    epochs = len(Recipe().epochs)
    parser.add_argument("--epochs", type=int, choices=range(1, epochs + 1), default=epochs, help="the recipe's first N")
    parser.add_argument(
        "--hard-pool",
        type=int,
        choices=range(0, 101),
        default=Recipe().hard_pool,
        metavar="0-100",
        help="each anchor also gets one of its N nearest other-occupation titles (0: none)",
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    recipe = dataclasses.replace(
        Recipe(), base=args.base, epochs=Recipe().epochs[: args.epochs], hard_pool=args.hard_pool
    )
    withhold = None if args.withhold == "none" else args.withhold
    catalogue = data.load(args.root, withhold)
    report: dict[str, object] = {"recipe": dataclasses.asdict(recipe), "withheld": args.withhold}
    gold = data.queries(args.root, withhold) if withhold else {}
    if gold:
        before = evaluate.accuracy(evaluate.rank(train.base_model(recipe), catalogue, list(gold)), list(gold.values()))
        report["frozen"] = {"top1": before[0], "top5": before[1]}
        print(f"frozen encoder on {withhold}: top-1 {before[0]:.1%}, top-5 {before[1]:.1%}")
    started = time.monotonic()
    model = train.train(catalogue, recipe)
    report["training_seconds"] = round(time.monotonic() - started)
    if gold:
        after = evaluate.accuracy(evaluate.rank(model, catalogue, list(gold)), list(gold.values()))
        report["fine_tuned"] = {"top1": after[0], "top5": after[1]}
        print(f"fine-tuned encoder on {withhold}: top-1 {after[0]:.1%}, top-5 {after[1]:.1%}")
    report["dimensions"] = model.get_sentence_embedding_dimension()
    args.out.mkdir(parents=True, exist_ok=True)
    train.save(model, args.out / "model")
    (args.out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    export.export(model, args.out / "onnx")
    card = export.write_card(args.out / "onnx", report)
    print(f"saved {args.out / 'model'}, the int8 ONNX encoder in {args.out / 'onnx'} and {card}")


if __name__ == "__main__":
    main()
