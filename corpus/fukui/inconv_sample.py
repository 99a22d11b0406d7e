#!/usr/bin/env python3
"""Rebuild corpus/fukui/inconv_sample.csv from the FTAS all_answers.csv.

Deterministic: random.Random(20261129).sample(rows, 260) over the rows whose
question == "inconv" (不便さの内容), in file order, then sorted by id.
No de-duplication, no normalisation: rows are copied exactly.

Usage:
  python corpus/fukui/inconv_sample.py [--src PATH] [--out PATH]
Default --src is ../shared/data/fukui_kanko_survey/all_answers.csv relative
to the repository root (the folder that holds corpus/).
"""
import argparse
import csv
import random
from pathlib import Path

SEED = 20261129
SIZE = 260
QUESTION = "inconv"
FIELDS = ["id", "question", "area", "age_band", "text"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_SRC = ROOT / ".." / "shared" / "data" / "fukui_kanko_survey" / "all_answers.csv"
DEFAULT_OUT = HERE / "inconv_sample.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    with open(args.src, encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["question"] == QUESTION]
    rng = random.Random(SEED)
    sample = sorted(rng.sample(rows, SIZE), key=lambda r: r["id"])

    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in sample:
            w.writerow({k: r[k] for k in FIELDS})
    print(f"{len(rows)} {QUESTION} rows -> {len(sample)} sampled -> {args.out}")


if __name__ == "__main__":
    main()
