"""Build the bundled sample survey from the hand-written answers in this folder.

    .venv/bin/python corpus/src/build_sample.py

Writes corpus/survey.csv (CP932, CRLF, as Excel on Windows saves a CSV), corpus/survey.xlsx
and corpus/survey_coding.csv (the reference theme coding of every cell, for `make eval`).
The answers and their codes are in answers_<question>.jsonl, the codebook in codebook.toml;
this script only lays them out as a city office's export would: one row per group, blanks,
non-answers, a few repeated answers, and respondent attributes. Fixed seed: same files each run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent
N_GROUPS = 250
SEED = 20091001

# Column header of each question in the export, and the question's key in the codebook.
QUESTIONS = {
    "q_reason_no": "協働したくない理由",
    "q_environment": "協働を進めるために必要な環境",
    "q_good": "協働してよかったこと",
}
# How many groups leave the cell blank or write a non-answer.
NON_ANSWERS = {
    "q_reason_no": ["特になし", "特に無し。", "なし", "ない", "無回答", "同上", "上記のとおり", "わからない",
                    "分かりません", "－", "特にありません。", "特に無いです", "問題なし", "・", "現在のところ特になし",
                    "とくになし", "ー", "特にない", "わかりません。", "×"],
    "q_environment": ["特になし", "なし", "特にありません", "わからない", "同上", "上記に同じ", "無回答", "－",
                      "ないです", "特に無し", "…", "よくわからない", "特になし。", "特に思いつきません", "ナシ",
                      "現時点では特になし", "-", "不明", "特にないです", "わかりません", "特にない。", "特に無いです。",
                      "？", "ありません", "なし。"],
    "q_good": ["特になし", "なし", "わからない", "特にない", "同上", "無回答", "－", "特にありません。",
               "まだ協働したことがない", "特に無し", "ー", "わかりません", "ない", "上記のとおり", "・"],
}
# Answers among NON_ANSWERS that only say there is nothing to report (excluded_reason no_issue).
NO_ISSUE = {"問題なし"}
# Groups that repeat another group's short answer word for word (duplicates are kept and counted).
REPEATS = {"q_reason_no": 6, "q_environment": 8, "q_good": 5}

GROUP_TYPES = ["NPO法人", "任意団体", "町会・自治会", "ボランティア団体", "社会福祉法人", "その他"]
GROUP_WEIGHTS = [30, 32, 14, 14, 4, 6]
FIELDS = ["福祉", "子育て・教育", "環境", "まちづくり", "文化・芸術", "スポーツ", "国際交流", "防災・防犯", "その他"]


def read_answers(question: str) -> list[dict]:
    path = HERE / f"answers_{question}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def group_type(rng: random.Random, codes_q1: list[str] | None) -> str:
    weights = list(GROUP_WEIGHTS)
    # Mild, realistic association: 町会・自治会 say more often that they are stretched thin,
    # NPO法人 more often that paperwork is the burden.
    if codes_q1 and codes_q1[0] == "R2":
        weights[2] *= 4
    if codes_q1 and codes_q1[0] == "R1":
        weights[0] *= 3
    return rng.choices(GROUP_TYPES, weights=weights)[0]


def build() -> None:
    rng = random.Random(SEED)
    codebook = tomllib.loads((HERE / "codebook.toml").read_text(encoding="utf-8"))["questions"]
    cells: dict[str, list[tuple[str, list[str], str]]] = {}
    for q in QUESTIONS:
        answers = [(a["text"], a["codes"], "") for a in read_answers(q)]
        for code_list in (a[1] for a in answers):
            unknown = set(code_list) - set(codebook[q]["codes"])
            assert not unknown, (q, unknown)
        short = [a for a in answers if len(a[0]) <= 12]
        answers += [rng.choice(short) for _ in range(REPEATS[q])]
        # Symbols only (the long-vowel mark ー counts as one) are "empty"; 問題なし to a question on
        # reasons and problems is "no_issue"; other words are "non_answer".
        answers += [(t, [], "empty" if not any(ch.isalnum() and ch not in "ーｰ" for ch in t)
                     else "no_issue" if t in NO_ISSUE else "non_answer")
                    for t in NON_ANSWERS[q]]
        assert len(answers) <= N_GROUPS
        answers += [("", [], "empty")] * (N_GROUPS - len(answers))
        rng.shuffle(answers)
        cells[q] = answers

    header = ["団体ID", "団体種別", "活動分野", *QUESTIONS.values()]
    rows, coding = [], []
    for g in range(N_GROUPS):
        gid = f"K{g + 1:04d}"
        q1_codes = cells["q_reason_no"][g][1]
        row = [gid, group_type(rng, q1_codes), rng.choice(FIELDS)]
        for q, column in QUESTIONS.items():
            text, codes, excluded = cells[q][g]
            row.append(text)
            coding.append([gid, column, codes[0] if codes else "", ";".join(codes),
                           codebook[q]["codes"][codes[0]] if codes else "", excluded])
        rows.append(row)

    # CSV as Excel on Windows saves it: CP932, CRLF between records, LF inside quoted cells.
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (CORPUS / "survey.csv").write_bytes(buf.getvalue().encode("cp932"))

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "回答"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    fixed = dt.datetime(2009, 11, 16)
    book.properties.created = book.properties.modified = fixed
    book.save(CORPUS / "survey.xlsx")

    with (CORPUS / "survey_coding.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "question", "code", "codes", "code_label", "excluded"])
        out.writerows(coding)
    titles = {column: codebook[q]["title"] for q, column in QUESTIONS.items()}
    print(f"{N_GROUPS} groups, {len(coding)} cells; questions: {titles}")


if __name__ == "__main__":
    build()
