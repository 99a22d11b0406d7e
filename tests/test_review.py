"""The picking round trip: staff pick quotes and rename labels in quotes.xlsx, `report --review`
rebuilds without clustering again, and a new `themes` run carries the choices over.

Review logic is tested in-process on small hand-built records (quotes.xlsx written by
`write_quotes_xlsx`, edited with openpyxl, read back by `review.read`); only the tests marked
`cli` run the command line on the bundled corpus.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import CORPUS, run_cli

from pipeline import review
from pipeline.errors import UserError
from pipeline.records import Answer, Assignment, QuestionResult, Quote, Theme
from pipeline.sheets import QUOTE_HEADER, write_quotes_xlsx

Q = "活動で困っていること"
NEW_LABEL = "職員との関係づくり（確認済み）"
PICK, LABEL, NOTE, ID, THEME, RANK = (QUOTE_HEADER.index(h) for h in ("採用", "ラベル修正", "備考", "ID", "テーマID", "順位"))


# --- hand-built records -------------------------------------------------------------------

def result(groups: dict[int, list[str]], excluded: tuple[str, ...] = (), question: str = Q,
           labels: dict[int, str] | None = None, texts: dict[str, str] | None = None) -> QuestionResult:
    """A question's result: theme id → its members' answer ids (best first); their candidates
    are all members; `excluded` answers are non-answers."""
    texts = texts or {}
    total = sum(len(m) for m in groups.values())
    assignments, made = [], []
    for tid, members in groups.items():
        quotes = []
        for i, aid in enumerate(members):
            text = texts.get(aid, f"{aid} の回答")
            score = round(0.9 - 0.05 * i, 4)
            assignments.append(Assignment(answer=Answer(id=aid, question=question, row=len(assignments) + 1, raw=text),
                                          masked=text, theme_id=tid, excluded_reason="", score=score, theme_ids=(tid,)))
            quotes.append(Quote(id=aid, text=text, score=score))
        made.append(Theme(theme_id=tid, label=(labels or {}).get(tid, f"テーマ{tid}の自動ラベル"), keywords=(),
                          size=len(members), share=len(members) / total, quotes=tuple(quotes[:3]),
                          candidates=tuple(quotes)))
    for aid in excluded:
        assignments.append(Assignment(answer=Answer(id=aid, question=question, row=len(assignments) + 1, raw="特になし"),
                                      masked="特になし", theme_id=-1, excluded_reason="non_answer", score=0.0))
    return QuestionResult(question=question, title=question, n_answers=total + len(excluded),
                          n_excluded=len(excluded), k_chosen=len(groups), themes=tuple(made),
                          assignments=tuple(assignments))


def members(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


BASE = {0: members("a", 6), 1: members("b", 5), 2: members("c", 4)}


def pick(aid: str, theme_id: int, rank: int = 1, note: str = "") -> review.Pick:
    return review.Pick(theme_id, rank, aid, f"{aid} の回答", note, f"シート「{Q}」の 3 行目")


def choices(picks=(), labels=None, question: str = Q) -> review.Review:
    return review.Review(picks={question: list(picks)} if picks else {},
                         labels={(question, t): lab for t, lab in (labels or {}).items()})


def theme(r: QuestionResult, tid: int) -> Theme:
    return next(t for t in r.themes if t.theme_id == tid)


# --- quotes.xlsx written, edited as staff would, read back ----------------------------------

def workbook(tmp_path: Path, results: list[QuestionResult], change=None) -> Path:
    path = tmp_path / "quotes.xlsx"
    write_quotes_xlsx(results, path)
    if change is not None:
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
    return path


def rows_of(sheet, theme_id: int) -> list:
    return [row for row in sheet.iter_rows(min_row=3) if row[THEME].value == theme_id]


def test_picks_labels_and_notes_apply_to_the_same_run(tmp_path):
    before = result(BASE)

    def choose(book):
        sheet = book.worksheets[0]
        row = rows_of(sheet, 0)[2]
        row[PICK].value = "○"
        row[NOTE].value = "報告書のp.3に使う"
        rows_of(sheet, 1)[0][LABEL].value = NEW_LABEL

    path = workbook(tmp_path, [before], choose)
    got = review.read(path, [Q])
    (after,) = review.apply([before], got, path, limit=3)
    first = theme(after, 0).quotes[0]
    assert (first.id, first.picked, first.note) == ("a2", True, "報告書のp.3に使う")
    assert [q.id for q in theme(after, 0).quotes] == ["a2", "a0", "a1"]  # filled up to MIN_QUOTES
    assert theme(after, 1).label == NEW_LABEL and theme(after, 1).auto_label == "テーマ1の自動ラベル"
    assert [t.size for t in after.themes] == [t.size for t in before.themes]
    # Written again, quotes.xlsx shows the choices, so the next round starts where staff left off.
    again = review.read(workbook(tmp_path, [after]), [Q])
    assert [(p.theme_id, p.id, p.note) for p in again.picks[Q]] == [(0, "a2", "報告書のp.3に使う")]
    assert again.labels == {(Q, 1): NEW_LABEL}


# --- the 採用 column -------------------------------------------------------------------------

MARKS = [
    # yes marks, and their full-width and other NFKC forms
    ("○", True), ("〇", True), ("◯", True), ("●", True), ("◎", True), ("1", True), (1, True), (1.0, True),
    ("１", True), ("y", True), ("Y", True), ("ｙ", True), ("Ｙ", True), ("yes", True), ("YES", True),
    ("Yes", True), ("ｙｅｓ", True), ("ＹＥＳ", True), ("はい", True), ("採用", True), ("✓", True), ("✔", True),
    (" ○ ", True), ("\u3000○", True),
    # blank and obvious no marks: not picked, nothing to say
    ("", False), (None, False), ("x", False), ("X", False), ("ｘ", False), ("Ｘ", False), ("✕", False),
    ("×", False), ("✗", False), ("いいえ", False), ("不要", False), ("不採用", False), ("0", False), (0, False),
    ("-", False), ("－", False), ("ー", False), ("なし", False), ("no", False), ("NO", False), ("ｎｏ", False),
    # anything else: not picked, and listed on screen
    ("△", None), ("▲", None), ("?", None), ("保留", None), ("○○", None), ("ﾊｲ", None), ("TRUE", None),
    ("2", None), ("yes!", None),
]


@pytest.fixture(scope="module")
def marks_read(tmp_path_factory):
    """One workbook with every MARKS value in the 採用 cell of its own row, read once."""
    ids = [f"m{i:02d}" for i in range(len(MARKS))]
    r = result({0: ids})

    def mark(book):
        for row, (value, _) in zip(rows_of(book.worksheets[0], 0), MARKS):
            row[PICK].value = value

    path = workbook(tmp_path_factory.mktemp("marks"), [r], mark)
    return review.read(path, [Q])


CASES = pytest.mark.parametrize("i,value,expected", [(i, v, e) for i, (v, e) in enumerate(MARKS)],
                                ids=[f"{i}-{v!r}" for i, (v, _) in enumerate(MARKS)])


@CASES
def test_pick_marks(marks_read, i, value, expected):
    """Yes marks pick (True); blank and no marks do not (False), nor does anything else (None)."""
    assert (f"m{i:02d}" in {p.id for p in marks_read.picks.get(Q, [])}) == bool(expected)


@CASES
def test_unrecognised_pick_marks_are_listed(marks_read, i, value, expected):
    if isinstance(value, str):
        assert review.pick_mark(value) is expected
    row = 3 + i
    warned = [w for w in marks_read.warnings if f"の {row} 行目:" in w]
    if expected is None:
        assert warned == [f"シート「{Q}」の {row} 行目: 採用欄の「{value}」は採用の印として読めないため、採用していません。"]
    else:
        assert warned == []


def test_unrecognised_mark_is_listed_and_nothing_else_changes(tmp_path):
    def mark(book):
        rows = rows_of(book.worksheets[0], 0)
        rows[1][PICK].value = "△"
        rows[2][PICK].value = "○"
        rows[3][PICK].value = "ｘ"

    got = review.read(workbook(tmp_path, [result(BASE)], mark), [Q])
    assert [p.id for p in got.picks[Q]] == ["a2"]
    assert got.warnings == [f"シート「{Q}」の 4 行目: 採用欄の「△」は採用の印として読めないため、採用していません。"]


def test_only_unrecognised_marks_still_warn(tmp_path):
    """A file whose only entry is a mark we cannot read has no choices, but its warning is kept."""
    got = review.read(workbook(tmp_path, [result(BASE)], lambda b: setattr(rows_of(b.worksheets[0], 2)[0][PICK],
                                                                           "value", "△")), [Q])
    assert got.empty() and len(got.warnings) == 1


# --- text that reads back as written ------------------------------------------------------------

def test_labels_and_notes_that_start_like_formulas_read_back(tmp_path):
    """Earlier choices written into quotes.xlsx (escaped against formulas) read back unchanged."""
    r = result(BASE)
    renamed = dataclasses.replace(theme(r, 1), label="'=重要", auto_label="テーマ1の自動ラベル")
    noted = dataclasses.replace(theme(r, 0), candidates=(
        Quote(id="a0", text="a0 の回答", score=0.9, note="'メモ"),
        Quote(id="a1", text="=a1 の回答", score=0.8, picked=True, note="-1 件")))
    r = dataclasses.replace(r, themes=(noted, renamed, theme(r, 2)))
    got = review.read(workbook(tmp_path, [r]), [Q])
    assert got.labels == {(Q, 1): "'=重要"}
    assert got.notes == {(Q, "a0"): "'メモ", (Q, "a1"): "-1 件"}
    assert [(p.id, p.text) for p in got.picks[Q]] == [("a1", "=a1 の回答")]


@pytest.mark.parametrize("question", ["-その他", "=問1", "'引用'について", "@設問"])
def test_question_names_that_start_like_formulas(tmp_path, question):
    path = workbook(tmp_path, [result(BASE, question=question)],
                    lambda b: setattr(rows_of(b.worksheets[0], 0)[0][PICK], "value", "○"))
    assert [p.id for p in review.read(path, [question]).picks[question]] == ["a0"]


# --- review files with problems --------------------------------------------------------------

def _broken(kind: str):
    def change(book):
        sheet = book.worksheets[0]
        if kind == "sheet":
            sheet["B1"] = "存在しない設問"
        elif kind == "id":
            row = rows_of(sheet, 0)[0]
            row[PICK].value = "○"
            row[ID].value = "K9999"
        elif kind == "no-id":
            row = rows_of(sheet, 0)[0]
            row[PICK].value = "はい"
            row[ID].value = None
        elif kind == "header":
            sheet["H2"] = "選ぶ"
        elif kind == "theme-id":
            rows_of(sheet, 0)[0][THEME].value = "ゼロ"
        elif kind == "two-labels":
            rows = rows_of(sheet, 0)
            rows[0][LABEL].value = "ラベルA"
            rows[1][LABEL].value = "ラベルB"
        elif kind == "duplicate-label":
            rows_of(sheet, 0)[0][LABEL].value = "同じ名前"
            rows_of(sheet, 1)[0][LABEL].value = "同じ名前"
        elif kind == "wrong-theme":
            row = rows_of(sheet, 0)[0]
            row[PICK].value = "○"
            row[THEME].value = 1
        elif kind == "excluded":
            row = rows_of(sheet, 0)[0]
            row[PICK].value = "○"
            row[ID].value = "z0"
        elif kind == "no-such-theme":
            row = rows_of(sheet, 2)[0]
            row[THEME].value = 9
            row[LABEL].value = "新しい名前"
    return change


@pytest.mark.parametrize("kind,message", [
    ("sheet", "シートがありません"),
    ("id", "K9999"),
    ("no-id", "ID がありません"),
    ("header", "見出し"),
    ("theme-id", "数字ではありません"),
    ("two-labels", "2 通り"),
    ("duplicate-label", "複数のテーマ"),
    ("wrong-theme", "テーマ1の回答ではありません"),
    ("excluded", "除外された回答"),
    ("no-such-theme", "テーマ9はありません"),
])
def test_bad_review_files_are_refused_with_every_problem(tmp_path, kind, message):
    r = result(BASE, excluded=("z0",))
    path = workbook(tmp_path, [r], _broken(kind))
    with pytest.raises(UserError) as e:
        review.apply([r], review.read(path, [Q]), path, limit=3)
    assert message in e.value.message and "何も上書きしていません" in e.value.hint


def test_review_file_that_is_not_excel(tmp_path):
    bad = tmp_path / "quotes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UserError, match="開けません"):
        review.read(bad, [Q])
    with pytest.raises(UserError, match="見つかりません"):
        review.read(tmp_path / "none.xlsx", [Q])


# --- carried over to a new run -----------------------------------------------------------------

def test_choices_carry_over_to_an_identical_run():
    old = result(BASE)
    (new,) = review.carry_over([result(BASE)], choices([pick("a2", 0, 3, "p.3")], {1: NEW_LABEL}), [old], 3)
    assert new.review_log == ()
    assert theme(new, 1).label == NEW_LABEL
    assert [(q.id, q.picked, q.note) for q in theme(new, 0).quotes][:1] == [("a2", True, "p.3")]


def test_renamed_label_follows_its_members_to_a_renumbered_theme():
    """Old theme 2 (c0–c3) is theme 0 of the new run, with one answer more: its renamed label and
    its picked quote go to new theme 0; the new theme 2 (old theme 1's answers) keeps its own."""
    old = result(BASE)
    new = result({0: members("c", 4) + ["d0"], 1: members("a", 6), 2: members("b", 5)},
                 labels={0: "施設", 1: "書類", 2: "人手"})
    (got,) = review.carry_over([new], choices([pick("c1", 2, 2)], {2: "会場の確保（確認済み）"}), [old], 3)
    assert theme(got, 0).label == "会場の確保（確認済み）" and theme(got, 0).auto_label == "施設"
    assert theme(got, 2).label == "人手" and theme(got, 2).auto_label == ""
    assert [q.id for q in theme(got, 0).quotes if q.picked] == ["c1"]
    assert "ラベル「会場の確保（確認済み）」はテーマ2からテーマ0に引き継ぎました（回答の重なり 80%）。" in got.review_log
    assert "採用「c1」はテーマ番号が 2 から 0 に変わりました。" in got.review_log


def test_labels_of_swapped_themes_swap_too():
    old = result(BASE)
    new = result({0: members("b", 5), 1: members("a", 6), 2: members("c", 4)})
    (got,) = review.carry_over([new], choices(labels={0: "書類の負担", 1: "人手不足"}), [old], 3)
    assert [t.label for t in got.themes] == ["人手不足", "書類の負担", "テーマ2の自動ラベル"]
    assert len(got.review_log) == 2 and all("引き継ぎました" in line for line in got.review_log)


def test_label_without_a_matching_theme_is_listed():
    """Old theme 2's answers are spread over the new themes: no theme overlaps by half."""
    old = result(BASE)
    new = result({0: members("a", 6) + ["c0", "c1"], 1: members("b", 5) + ["c2", "c3"]})
    (got,) = review.carry_over([new], choices(labels={2: "会場"}), [old], 3)
    assert "会場" not in [t.label for t in got.themes]
    assert got.review_log == ("ラベル「会場」（前回のテーマ2）を引き継げませんでした: 回答の重なりが十分なテーマがありません（最大 22%）。",)


def test_two_labels_for_one_merged_theme():
    """Old themes 1 and 2 merged: the first label is taken, the second listed, none lost silently."""
    old = result({0: members("a", 6), 1: members("b", 3), 2: members("c", 3)})
    new = result({0: members("a", 6), 1: members("b", 3) + members("c", 3)})
    (got,) = review.carry_over([new], choices(labels={1: "人手", 2: "会場"}), [old], 3)
    assert theme(got, 1).label == "人手"
    assert got.review_log[-1] == ("ラベル「会場」（前回のテーマ2）を引き継げませんでした: 回答の重なりが最も大きいテーマ1"
                                  "（50%）には、すでにラベル「人手」を引き継いでいます。")


def test_carried_label_that_clashes_with_a_new_label_is_listed():
    old = result(BASE)
    new = result(BASE, labels={0: "人手不足"})
    (got,) = review.carry_over([new], choices(labels={1: "人手不足"}), [old], 3)
    assert any("ラベル「人手不足」が複数のテーマ" in line for line in got.review_log)


def test_labels_without_the_earlier_assignments_are_listed():
    (got,) = review.carry_over([result(BASE)], choices(labels={1: NEW_LABEL}), [], 3)
    assert NEW_LABEL not in [t.label for t in got.themes]
    assert got.review_log == ("前回の分類結果（assignments.csv）がないため、ラベル修正を引き継げませんでした。",)


def test_picks_that_no_longer_fit_are_listed():
    old = result(BASE, excluded=("z0",))
    new = result({0: ["a0", "a1", "a3", "a4"], 1: members("b", 5), 2: members("c", 4)}, excluded=("a5",),
                 texts={"a4": "書き直された回答"})
    picks = [pick("a2", 0), pick("a4", 0), pick("a5", 0), pick("a1", 0)]
    (got,) = review.carry_over([new], choices(picks), [old], 3)
    assert got.review_log == (
        "採用「a2」を引き継げませんでした: この回答は今回の入力にありません。",
        "採用「a4」を引き継げませんでした: 回答の文面が変わっています。",
        "採用「a5」を引き継げませんでした: 今回は除外された回答です（non_answer）。",
    )
    assert [q.id for q in theme(got, 0).quotes if q.picked] == ["a1"]


# --- the command line, end to end on the bundled corpus ---------------------------------------

def themes_json(out: Path) -> dict:
    return json.loads((out / "themes.json").read_text(encoding="utf-8"))


def edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


@pytest.mark.cli
def test_cli_report_then_a_new_run(corpus_run, tmp_path):
    """`report --review` rebuilds with a pick and a renamed label; a new `themes` run on an export
    where one picked answer is gone keeps the rest and says so on the screen."""
    out = tmp_path / "out"
    shutil.copytree(corpus_run, out)
    before = themes_json(out)["questions"][0]
    chosen = {}

    def choose(book):
        sheet = book.worksheets[0]
        kept, gone = rows_of(sheet, 0)[2], rows_of(sheet, 0)[3]
        for row in (kept, gone):
            row[PICK].value = "○"
        kept[NOTE].value = "報告書のp.3に使う"
        chosen.update(kept=str(kept[ID].value), gone=str(gone[ID].value))
        rows_of(sheet, 1)[0][LABEL].value = NEW_LABEL

    edit(out / "quotes.xlsx", choose)
    code, stdout, stderr = run_cli(["report", "--review", str(out / "quotes.xlsx"), "--out", str(out)])
    assert code == 0, stderr
    q = themes_json(out)["questions"][0]
    first = q["themes"][0]["quotes"][0]
    assert (first["id"], first["picked"], first["note"]) == (chosen["kept"], True, "報告書のp.3に使う")
    assert {x["id"] for x in q["themes"][0]["quotes"] if x.get("picked")} == set(chosen.values())
    assert q["themes"][1]["label"] == NEW_LABEL and q["themes"][1]["auto_label"] == before["themes"][1]["label"]
    assert [t["size"] for t in q["themes"]] == [t["size"] for t in before["themes"]]  # not clustered again
    assert NEW_LABEL in (out / "report.html").read_text(encoding="utf-8")
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        assert NEW_LABEL in {r["theme_label"] for r in csv.DictReader(f) if r["question"] == q["question"]}

    with (CORPUS / "survey.csv").open(encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index(q["question"])
    for row in rows[1:]:
        if row[0] == chosen["gone"]:
            row[col] = ""
    changed = tmp_path / "survey_v2.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    code, stdout, stderr = run_cli(["themes", str(changed), "--config", str(CORPUS / "survey.toml"),
                                    "--out", str(out), "--quiet"])
    assert code == 0, stderr
    q = themes_json(out)["questions"][0]
    assert NEW_LABEL in [t["label"] for t in q["themes"]]
    assert [x["id"] for t in q["themes"] for x in t["quotes"] if x.get("picked")] == [chosen["kept"]]
    assert any(chosen["gone"] in line and "引き継げません" in line for line in q["review_log"])
    assert chosen["gone"] in stdout and "引き継ぎ" in (out / "report.html").read_text(encoding="utf-8")
    sheet = openpyxl.load_workbook(out / "quotes.xlsx").worksheets[0]
    assert [str(r[ID].value) for r in sheet.iter_rows(min_row=3) if r[PICK].value] == [chosen["kept"]]
    assert any(r[LABEL].value == NEW_LABEL for r in sheet.iter_rows(min_row=3))


@pytest.mark.cli
def test_cli_bad_review_file_exits_2_and_changes_nothing(corpus_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(corpus_run, out)
    path = tmp_path / "quotes.xlsx"
    shutil.copyfile(out / "quotes.xlsx", path)
    edit(path, _broken("id"))
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, _, stderr = run_cli(["report", "--review", str(path), "--out", str(out)])
    assert code == 2, stderr
    assert "K9999" in stderr and "Traceback" not in stderr and "何も上書きしていません" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_report_needs_an_earlier_run(tmp_path, capsys):
    from pipeline.cli import main

    assert main(["report", "--review", str(tmp_path / "q.xlsx"), "--out", str(tmp_path)]) == 2
    assert "前回の分析結果" in capsys.readouterr().err
