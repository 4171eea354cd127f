"""A catalogue of three occupations, written where training and its tests read a catalogue from."""

from __future__ import annotations

import csv
from pathlib import Path

from training.role_encoder.data import ALTERNATE_TITLES, OCCUPATIONS

TITLES = {
    "29-1141.00": ("Registered Nurses", ["Staff Nurse", "Charge Nurse", "Nurse Clinician", "RN"]),
    "15-1252.00": ("Software Developers", ["Software Engineer", "Application Developer", "Programmer"]),
    "41-2031.00": ("Retail Salespersons", ["Sales Associate", "Shop Assistant", "Sales Clerk"]),
}


def write(root: Path) -> Path:
    (root / OCCUPATIONS).parent.mkdir(parents=True, exist_ok=True)
    with (root / OCCUPATIONS).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "title", "description"])
        writer.writerows((code, name, "") for code, (name, _) in TITLES.items())
    with (root / ALTERNATE_TITLES).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "alternate_title"])
        writer.writerows((code, title) for code, (_, titles) in TITLES.items() for title in titles)
    return root
