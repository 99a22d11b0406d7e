"""`make eval`: theme quality against labelled data.

    python tools/evaluate.py [--data ../shared/data] [--seeds 5]

- the bundled survey (`corpus/`), `--k auto`, against our own coding (corpus/survey_coding.csv):
  NMI, ARI and V-measure per question, themes found vs coded, stability across seeds (ARI of
  each seed's themes against seed 0's), and non-answer precision and recall;
- MewsC-16-ja (JMTEB's clustering set) with `--k 12` and livedoor news titles with `--k 9`
  (series tags 【…】 stripped: they give the category away), from `--data`.
Answers are scored by their dominant theme against their dominant code; answers the coding
excludes are left out of the theme scores (they are scored by the non-answer figures).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import re
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, v_measure_score

from pipeline.config import Config, build, read_toml
from pipeline.load import load
from pipeline.records import Answer
from pipeline.run import analyse

ROOT = Path(__file__).resolve().parent.parent
SERIES_TAG = re.compile(r"【[^】]*】")


def scores(truth: list[str], found: list[int]) -> dict[str, float]:
    return {"NMI": normalized_mutual_info_score(truth, found), "ARI": adjusted_rand_score(truth, found),
            "V": v_measure_score(truth, found)}


def evaluate_corpus(seeds: int) -> list[dict]:
    config = build(read_toml(ROOT / "corpus" / "survey.toml"))
    answers = load(ROOT / "corpus" / "survey.csv", config)
    with (ROOT / "corpus" / "survey_coding.csv").open(encoding="utf-8", newline="") as f:
        coding = {(r["id"], r["question"]): r for r in csv.DictReader(f)}
    runs = [analyse(answers, dataclasses.replace(config, seed=s)) for s in range(seeds)]
    rows = []
    tp = fp = fn = 0
    for qi, result in enumerate(runs[0]):
        truth, found = [], []
        for a in result.assignments:
            code = coding[(a.answer.id, result.question)]
            excluded_truth = bool(code["excluded"])
            tp += bool(a.excluded_reason) and excluded_truth
            fp += bool(a.excluded_reason) and not excluded_truth
            fn += (not a.excluded_reason) and excluded_truth
            if a.theme_id >= 0 and code["code"]:
                truth.append(code["code"])
                found.append(a.theme_id)
        stability = [adjusted_rand_score([a.theme_id for a in result.assignments],
                                         [a.theme_id for a in run[qi].assignments]) for run in runs[1:]]
        rows.append({"data": f"corpus: {result.question}", "n": len(truth), **scores(truth, found),
                     "k found": result.k_chosen, "k coded": len(set(truth)),
                     "stability (min ARI)": min(stability) if stability else float("nan")})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    rows.append({"data": "corpus: non-answers", "n": tp + fn, "precision": precision, "recall": recall})
    return rows


def read_labelled(path: Path, strip_tags: bool = False) -> tuple[list[Answer], list[str]]:
    answers, labels = [], []
    with path.open(encoding="utf-8") as f:
        next(f)
        for n, line in enumerate(f, start=1):
            rid, label, text = line.rstrip("\n").split("\t", 2)
            if strip_tags:
                text = SERIES_TAG.sub(" ", text).strip()
            answers.append(Answer(id=rid, question="text", row=n, raw=text))
            labels.append(label)
    return answers, labels


def evaluate_labelled(name: str, path: Path, k: int, strip_tags: bool = False) -> dict:
    answers, labels = read_labelled(path, strip_tags)
    result = analyse(answers, Config(k=k, seed=0))[0]
    truth, found = [], []
    for a, label in zip(result.assignments, labels):
        if a.theme_id >= 0:
            truth.append(label)
            found.append(a.theme_id)
    return {"data": f"{name} (--k {k})", "n": len(truth), **scores(truth, found), "k found": result.k_chosen,
            "k coded": len(set(labels)), "excluded": len(labels) - len(truth)}


COLUMNS = ["data", "n", "NMI", "ARI", "V", "k found", "k coded", "stability (min ARI)", "precision", "recall",
           "excluded", "seconds"]


def table(rows: list[dict]) -> str:
    cols = [c for c in COLUMNS if any(c in r for r in rows)]

    def cell(column: str, value) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.1f}" if column == "seconds" else f"{value:.3f}"
        return str(value)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(cell(c, r[c]) if c in r else "" for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/evaluate.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    data = Path(args.data)
    rows = []
    start = time.perf_counter()
    t = time.perf_counter()
    corpus = evaluate_corpus(args.seeds)
    corpus[0]["seconds"] = time.perf_counter() - t
    rows += corpus
    for name, sub, k, strip in (("MewsC-16-ja", "mewsc16_ja", 12, False), ("livedoor titles", "livedoor_titles", 9, True)):
        path = data / sub / "data.tsv"
        if not path.is_file():
            print(f"skipped {name}: {path} not found", file=sys.stderr)
            continue
        t = time.perf_counter()
        row = evaluate_labelled(name, path, k, strip)
        row["seconds"] = time.perf_counter() - t
        rows.append(row)
    print(table(rows))
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
