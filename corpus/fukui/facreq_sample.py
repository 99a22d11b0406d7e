#!/usr/bin/env python3
"""Rebuild facreq_sample.csv: 260 real answers to 施設に求めるもの (question == "facreq").

Source: all_answers.csv of the 福井県観光アンケート FTAS open data.
出典：福井県観光連盟『福井県観光データ分析システム FTAS』オープンデータ（CC BY 4.0）, via code4fukui/fukui-kanko-survey

Deterministic: rows with question == "facreq" are taken in file order,
random.Random(20261129).sample(rows, 260) is drawn, and the result is sorted by id.
No de-duplication and no filtering of non-answers (特になし etc. stay).

Usage (from corpus/fukui):
    python3 facreq_sample.py [path/to/all_answers.csv] [-o facreq_sample.csv]
Default source: <repo>/../shared/data/fukui_kanko_survey/all_answers.csv.
"""
import argparse
import csv
import os
import random

SEED = 20261129
SIZE = 260
QUESTION = "facreq"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CANDIDATES = [
    os.path.join(REPO, "..", "shared", "data", "fukui_kanko_survey", "all_answers.csv"),
]


def default_source():
    for c in CANDIDATES:
        if os.path.exists(c):
            return os.path.abspath(c)
    return os.path.abspath(CANDIDATES[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", nargs="?", default=default_source(), help="all_answers.csv")
    ap.add_argument("-o", "--out", default=os.path.join(HERE, "facreq_sample.csv"))
    args = ap.parse_args()

    with open(args.source, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = [r for r in reader if r["question"] == QUESTION]

    rng = random.Random(SEED)
    sample = sorted(rng.sample(rows, SIZE), key=lambda r: r["id"])

    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(sample)
    print(f"{len(rows)} {QUESTION} rows in source; wrote {len(sample)} to {args.out}")


if __name__ == "__main__":
    main()
