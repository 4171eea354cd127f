"""`make bench`: run every benchmark under bench/ and print one table of all their figures.

Each benchmark is a package `bench/<name>/` runnable as `python -m bench.<name>`; it reports through
`bench.report.emit`, which appends its figures to the file named by BENCH_JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import Figure, table

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    benches = names or sorted(p.name for p in HERE.iterdir() if (p / "__main__.py").is_file())
    failed: list[str] = []
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as sink:
        env = {**os.environ, "BENCH_JSON": sink.name}
        for name in benches:
            print(f"\n=== bench.{name}", flush=True)
            result = subprocess.run([sys.executable, "-m", f"bench.{name}"], env=env, cwd=HERE.parent, check=False)
            if result.returncode != 0:
                failed.append(name)
        figures = [
            Figure(**{k: v for k, v in json.loads(line).items() if k != "ratio"}) for line in sink if line.strip()
        ]
    os.unlink(sink.name)
    print("\n=== all benchmarks (baseline measured in the same run)\n" + table(figures))
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
