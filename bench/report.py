"""One shape for every benchmark's figures, so `make bench` can print them as one table.

A benchmark builds `Figure`s and calls `emit(title, figures)`: it prints its own table, and when
BENCH_JSON names a file (as `python -m bench` sets it), appends its figures there as JSON lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured figure. `ratio` is value/baseline when a same-run baseline exists."""

    bench: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / float(self.baseline)


def table(figures: list[Figure]) -> str:
    header = ("bench", "figure", "value", "baseline", "ratio", "goal", "met")
    rows = [header]
    for f in figures:
        rows.append(
            (
                f.bench,
                f.name,
                f"{f.value:.3g} {f.unit}".strip(),
                "" if f.baseline is None else f"{f.baseline:.3g} {f.unit}".strip(),
                "" if f.ratio is None else f"{f.ratio:.2f}",
                f.goal,
                {True: "yes", False: "NO", None: ""}[f.met],
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def emit(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}\n{table(figures)}")
    target = os.environ.get("BENCH_JSON")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            for f in figures:
                out.write(json.dumps({**asdict(f), "ratio": f.ratio}) + "\n")
