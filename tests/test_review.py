"""The picking round trip: staff pick quotes and rename labels in quotes.xlsx, `report --review`
rebuilds without clustering again, and a new `themes` run carries the choices over."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from conftest import CORPUS, run_cli

NEW_LABEL = "職員との関係づくり（確認済み）"


def themes(out: Path) -> dict:
    return json.loads((out / "themes.json").read_text(encoding="utf-8"))


def edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def rows_of(sheet, theme_id: int) -> list:
    return [row for row in sheet.iter_rows(min_row=3) if row[0].value == theme_id]


@pytest.fixture(scope="module")
def reviewed(corpus_run, tmp_path_factory) -> dict:
    """A copy of the corpus run with one quote picked (rank 3 of theme 0) and theme 1 renamed."""
    out = tmp_path_factory.mktemp("review") / "out"
    shutil.copytree(corpus_run, out)
    before = themes(out)["questions"][0]
    picked = {}

    def choose(book):
        sheet = book.worksheets[0]
        row = rows_of(sheet, 0)[2]
        row[7].value = "○"
        row[9].value = "報告書のp.3に使う"
        picked["id"] = str(row[4].value)
        rows_of(sheet, 1)[0][8].value = NEW_LABEL

    edit(out / "quotes.xlsx", choose)
    code, stdout, stderr = run_cli(["report", "--review", str(out / "quotes.xlsx"), "--out", str(out)])
    assert code == 0, stderr
    return {"out": out, "before": before, "picked": picked["id"], "stdout": stdout}


def test_report_rebuilds_with_picks_and_labels(reviewed):
    q = themes(reviewed["out"])["questions"][0]
    before = reviewed["before"]
    first = q["themes"][0]["quotes"][0]
    assert first["id"] == reviewed["picked"] and first["picked"] and first["note"] == "報告書のp.3に使う"
    assert 3 <= len(q["themes"][0]["quotes"]) <= 8
    assert q["themes"][1]["label"] == NEW_LABEL and q["themes"][1]["auto_label"] == before["themes"][1]["label"]
    # Nothing was clustered again: same themes, same sizes.
    assert [t["size"] for t in q["themes"]] == [t["size"] for t in before["themes"]]
    html = (reviewed["out"] / "report.html").read_text(encoding="utf-8")
    assert NEW_LABEL in html and "採用" in html
    with (reviewed["out"] / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        labels = {r["theme_label"] for r in csv.DictReader(f) if r["question"] == q["question"]}
    assert NEW_LABEL in labels


def test_choices_survive_a_new_run(reviewed):
    out = reviewed["out"]
    code, stdout, stderr = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                                    "--out", str(out)])
    assert code == 0, stderr
    q = themes(out)["questions"][0]
    assert q["themes"][1]["label"] == NEW_LABEL
    picked = [x for t in q["themes"] for x in t["quotes"] if x.get("picked")]
    assert [x["id"] for x in picked] == [reviewed["picked"]]
    # quotes.xlsx shows the choices again, so the next round starts where staff left off.
    sheet = openpyxl.load_workbook(out / "quotes.xlsx").worksheets[0]
    marked = [str(r[4].value) for r in sheet.iter_rows(min_row=3) if r[7].value]
    assert marked == [reviewed["picked"]]
    assert any(r[8].value == NEW_LABEL for r in sheet.iter_rows(min_row=3))


def test_what_no_longer_fits_is_listed(reviewed, tmp_path):
    """The picked answer is gone from a new export: the pick is listed, not silently lost."""
    out = tmp_path / "out"
    shutil.copytree(reviewed["out"], out)
    with (CORPUS / "survey.csv").open(encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    question = reviewed["before"]["question"]
    col = rows[0].index(question)
    for row in rows[1:]:
        if row[0] == reviewed["picked"]:
            row[col] = ""
    changed = tmp_path / "survey_v2.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    code, stdout, stderr = run_cli(["themes", str(changed), "--config", str(CORPUS / "survey.toml"), "--out", str(out)])
    assert code == 0, stderr
    q = themes(out)["questions"][0]
    assert any(reviewed["picked"] in line and "引き継げません" in line for line in q["review_log"])
    assert reviewed["picked"] in stdout
    assert "引き継ぎ" in (out / "report.html").read_text(encoding="utf-8")


def _broken(kind: str):
    def change(book):
        sheet = book.worksheets[0]
        if kind == "sheet":
            sheet["B1"] = "存在しない設問"
        elif kind == "id":
            row = rows_of(sheet, 0)[0]
            row[7].value = "○"
            row[4].value = "K9999"
        elif kind == "header":
            sheet["H2"] = "選ぶ"
        elif kind == "two-labels":
            rows = rows_of(sheet, 0)
            rows[0][8].value = "ラベルA"
            rows[1][8].value = "ラベルB"
        elif kind == "duplicate-label":
            rows_of(sheet, 0)[0][8].value = "同じ名前"
            rows_of(sheet, 1)[0][8].value = "同じ名前"
        elif kind == "wrong-theme":
            row = rows_of(sheet, 0)[0]
            row[7].value = "○"
            row[0].value = 1
    return change


@pytest.mark.parametrize("kind,message", [
    ("sheet", "シートがありません"),
    ("id", "K9999"),
    ("header", "見出し"),
    ("two-labels", "2 通り"),
    ("duplicate-label", "複数のテーマ"),
    ("wrong-theme", "テーマ1の回答ではありません"),
])
def test_bad_review_files_exit_2_and_change_nothing(corpus_run, tmp_path, kind, message):
    out = tmp_path / "out"
    shutil.copytree(corpus_run, out)
    review = tmp_path / "quotes.xlsx"
    shutil.copyfile(out / "quotes.xlsx", review)
    edit(review, _broken(kind))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, _, stderr = run_cli(["report", "--review", str(review), "--out", str(out)])
    assert code == 2, stderr
    assert message in stderr and "Traceback" not in stderr and "何も上書きしていません" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_review_file_that_is_not_excel(corpus_run, tmp_path):
    bad = tmp_path / "quotes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    code, _, stderr = run_cli(["report", "--review", str(bad), "--out", str(corpus_run)])
    assert code == 2 and "開けません" in stderr


def test_report_needs_an_earlier_run(tmp_path):
    code, _, stderr = run_cli(["report", "--review", str(tmp_path / "q.xlsx"), "--out", str(tmp_path)])
    assert code == 2 and "前回の分析結果" in stderr
