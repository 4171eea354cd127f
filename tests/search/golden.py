"""`python -m tests.search.golden`: rewrite golden_vectors.json with the committed encoder's vectors.

Run it on purpose, after replacing models/role_encoder with a retrained model (docs/role_matching.md):
the golden test then pins the new model's version and vectors.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.search.encoder import TitleEncoder

GOLDEN = Path(__file__).with_name("golden_vectors.json")
TITLES = ["Registered Nurse", "software engineer", "Chief Financial Officer", "forklift driver", "Kindergarten Teacher"]


def write_golden(path: Path = GOLDEN) -> None:
    encoder = TitleEncoder.load()
    vectors = encoder.encode(TITLES)
    titles = ",\n".join(
        f"{json.dumps(title)}: {json.dumps([round(float(x), 6) for x in vector])}"
        for title, vector in zip(TITLES, vectors, strict=True)
    )
    path.write_text(f'{{\n"model_version": "{encoder.version}",\n"titles": {{\n{titles}\n}}\n}}\n', encoding="utf-8")


if __name__ == "__main__":
    write_golden()
