"""codebook.xlsx: the codebook a run writes as an Excel sheet reads back as its codebook.toml
does; staff's edits in Excel code the next run; every problem of the sheet is reported as
for codebook.toml, naming the sheet row."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import codebook, codebook_xlsx, rules
from pipeline.codebook import CodebookError, CodebookTheme
from pipeline.codebook_xlsx import HEADERS
from pipeline.errors import UserError
from tests.test_codebook import KEPT, rule_error
from tests.test_codebook_loop import _run

HEADER = ["設問", "キー", "ラベル", "説明", "キーワード", "除外キーワード", "例の回答ID", "ルール", "統合先"]


def sheet(tmp_path: Path, rows, header=HEADER, name: str = "codebook.xlsx", title: str = "コードブック") -> Path:
    """A workbook as staff would type it: `header` in row 1 (None: no header row), `rows` below."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = title
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(list(row))
    path = tmp_path / name
    book.save(path)
    return path


def problems(path: Path, kept=KEPT, check_rule=rule_error) -> list[str]:
    with pytest.raises(CodebookError) as info:
        codebook_xlsx.read(path, kept, check_rule)
    assert isinstance(info.value, UserError) and "何も書き出していません" in info.value.hint
    return info.value.problems


def row(question="q1", key="a", label="A", description=None, keywords=None, exclude=None, examples=None,
        rule=None, merge_into=None) -> list:
    return [question, key, label, description, keywords, exclude, examples, rule, merge_into]


# (name, rows, expected row, fragments of the one problem line)
ERRORS = [
    ("unknown question", [row(question="q3")], 2,
     ["テーマ「a」の設問「q3」は分析した設問にありません", "「q1」、「q2」", "「設問」の欄を空にしてください"]),
    ("unknown question, close to one", [row(question="Q1")], 2, ["「q1」のことでしょうか"]),
    ("missing key", [row(), row(key=None, label="B")], 3,
     ["この行のテーマに「キー」がありません", "「キー」の列に paperwork のように"]),
    ("blank key", [row(key="   ")], 2, ["この行のテーマに「キー」がありません"]),
    ("key with a line break", [row(key="a\nb")], 2, ["「キー」に改行があります"]),
    ("key other is taken", [row(key="other")], 2, ["キー「other」は", "別の「キー」にしてください"]),
    ("missing label", [row(label=None)], 2, ["テーマ「a」に「ラベル」がありません", "「ラベル」の列に"]),
    ("duplicate key", [row(), row(label="B")], 3,
     ["テーマ「a」の「キー」が 2 行目のテーマと重なっています", "同じ設問「q1」", "片方に「統合先」を書きます"]),
    ("question-less key clashes", [row(), row(question=None, label="B")], 3,
     ["2 行目のテーマと重なっています", "「設問」のないテーマはすべての設問に当てはまる"]),
    ("example not a kept answer", [row(examples="K1、K5")], 2,
     ["テーマ「a」の「例の回答ID」の「K5」は設問「q1」の回答にありません", "assignments.csv の id 列"]),
    ("example under two themes", [row(examples="K1"), None, row(key="b", label="B", examples="K2, K1")], 4,
     ["テーマ「b」の「例の回答ID」の「K1」は 2 行目のテーマ「a」にも書かれています"]),
    ("merge_into an unknown key", [row(merge_into="budgte"), row(key="budget", label="B")], 2,
     ["テーマ「a」の「統合先」の「budgte」は設問「q1」のテーマの「キー」にありません", "「budget」のことでしょうか",
      "使える「キー」: 「a」、「budget」"]),
    ("merge_into in a circle", [row(merge_into="b"), row(key="b", label="B", merge_into="a")], 2,
     ["「統合先」が循環しています（a → b → a）", "どれか一つの「統合先」を消して"]),
    ("rule that does not parse", [row(rule="書類 | (事務 & 負担")], 2,
     ["テーマ「a」の「ルール」を読めません: かっこ ( と ) の数が合いません。", "「ルール」の列に 書類 | 報告書"]),
    ("no theme", [], 1, ["テーマが一つもありません", "「キー」と「ラベル」は必須"]),
]


@pytest.mark.parametrize("rows, line, fragments", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_each_problem_is_one_line_naming_file_row_and_fix(tmp_path, rows, line, fragments):
    found = problems(sheet(tmp_path, [r or [] for r in rows]))
    assert len(found) == 1, found
    assert found[0].startswith(f"codebook.xlsx の {line} 行目: "), found[0]
    for fragment in fragments:
        assert fragment in found[0], (fragment, found[0])
    assert "\n" not in found[0]


def test_header_problems_are_named_by_column(tmp_path):
    unknown = sheet(tmp_path, [row(), [None] * 9 + ["x"]], header=HEADER[:4] + ["キーワーズ"] + HEADER[5:] + ["色"])
    found = problems(unknown)
    assert len(found) == 2 and all(p.startswith("codebook.xlsx の 1 行目: ") for p in found), found
    assert "E 列の見出し「キーワーズ」は使えない列の名前です" in found[0] and "「キーワード」のことでしょうか" in found[0]
    assert "J 列の見出し「色」" in found[1] and "設問、キー、ラベル" in found[1]
    twice = problems(sheet(tmp_path, [row() + ["A again"]], header=HEADER + ["label"]))
    assert twice == ["codebook.xlsx の 1 行目: J 列の見出し「label」は C 列と同じ「ラベル」の列です。一つの列にまとめてください。"]
    no_label = problems(sheet(tmp_path, [["q1", "a"]], header=["設問", "キー"]))
    assert len(no_label) == 1 and "見出しに「ラベル」の列がありません" in no_label[0]


@pytest.mark.parametrize("rows, header, fragment", [
    ([], None, "シート「コードブック」が空です"),
    ([["id", "text"], ["K1", "書類が多い"]], None, "シート「コードブック」にコードブックの見出しがありません"),
], ids=["empty sheet", "not a codebook"])
def test_a_sheet_without_the_header_is_refused(tmp_path, rows, header, fragment):
    (found,) = problems(sheet(tmp_path, rows, header=header))
    assert fragment in found and "設問、キー、ラベル、説明、キーワード、除外キーワード、例の回答ID、ルール、統合先" in found


def test_many_problems_at_once_are_listed_in_row_order(tmp_path):
    path = sheet(tmp_path, [
        row(label=None, examples="K1、K9", merge_into="zz"),   # 2: no label, K9 not kept, zz unknown
        row(question="q9", key="b", label="B"),                # 3: unknown question
        row(key="a", label="A2", examples="K1", rule="(("),    # 4: duplicate key, K1 twice, rule
        row(key=None, label="no key"),                         # 5: no key
    ])
    found = problems(path)
    assert [int(p.split(" ")[2]) for p in found] == [2, 2, 2, 3, 4, 4, 4, 5], found
    assert all(p.startswith("codebook.xlsx の ") for p in found)


def test_english_headers_blank_rows_notes_numbers_and_separators(tmp_path):
    """Field names work as headers; blank rows and a column without a header are skipped; a list
    cell splits on 、 , ， ; ； and line breaks; numbers typed in Excel read as text."""
    path = sheet(tmp_path, [
        [None, None, None, None, None, None, None, None, None, "メモ: 見出しのない列"],
        [None, "paper", "書類", None, "書類, 報告書；事務\n様式、 、提出書類，申請;", None, 1, None, None],
        ["   ", None, "", None, None, None, None, None, None, None],
        ["q1", 7, "数字のキー", "説明", None, "ホームページ", "K2", "書類 | 報告書", None],
    ], header=["question", "Key", "LABEL", "description", "keywords", "exclude", "examples", "rule", "merge_into"])
    book = codebook_xlsx.read(path, {"q1": {"1", "K2"}}, rules.problem)
    assert book.themes == (
        CodebookTheme("paper", "書類", None, keywords=("書類", "報告書", "事務", "様式", "提出書類", "申請"), examples=("1",)),
        CodebookTheme("7", "数字のキー", "q1", "説明", exclude=("ホームページ",), examples=("K2",), rule="書類 | 報告書"))
    assert [t.line for t in book.themes] == [3, 5] and book.source == "codebook.xlsx"


def test_the_codebook_sheet_is_found_by_name_else_the_first(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "メモ"
    book.active.append(["関係ない"])
    book.create_sheet("コードブック").append(HEADER[:3])
    book["コードブック"].append(row()[:3])
    book.save(tmp_path / "named.xlsx")
    assert [t.key for t in codebook_xlsx.read(tmp_path / "named.xlsx", KEPT).themes] == ["a"]
    first = sheet(tmp_path, [row()], title="Sheet1", name="first.xlsx")
    assert [t.key for t in codebook_xlsx.read(first, KEPT).themes] == ["a"]


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"], ids=["empty", "text", "broken zip"])
def test_a_corrupt_file_is_a_user_error(tmp_path, content):
    path = tmp_path / "codebook.xlsx"
    path.write_bytes(content)
    with pytest.raises(UserError, match="Excel ファイル codebook.xlsx を開けません") as info:
        codebook_xlsx.read(path, KEPT)
    assert "codebook.xlsx" in info.value.hint
    with pytest.raises(UserError, match="見つかりません"):
        codebook_xlsx.read(tmp_path / "none.xlsx")


# ---------------------------------------------------------------------------------------- writing

FORMULA_LIKE = ["=SUM(1)", "+81 3-1234-5678", "'引用符で始まる", "-1", "@here", "''二つ", "=", "'"]


def test_write_round_trips_every_field_and_formula_like_text(tmp_path):
    themes = (
        CodebookTheme("共通", "全設問", None, "説明 =A1", ("a", "=SUM(1)"), ("+81", "b"), ("K1",), "a | (b & c)", ""),
        *(CodebookTheme(f"k{i}", text, "q1", text, (text, "語"), (), (), "", "") for i, text in enumerate(FORMULA_LIKE)),
        CodebookTheme("=x", "-負", "q1", merge_into="共通"),
        CodebookTheme("y", "Y", "q1", examples=("K2", "K3"), rule="書類 & !報告書"),
    )
    path = tmp_path / "codebook.xlsx"
    codebook_xlsx.write_themes(themes, path)
    assert codebook_xlsx.read(path, KEPT, rule_error).themes == themes
    toml = tmp_path / "codebook.toml"
    toml.write_text(codebook.dumps(themes), encoding="utf-8")
    assert codebook.read(toml, KEPT).themes == themes
    raw = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@")))
               for r in raw.iter_rows(values_only=True) for v in r), "a cell a spreadsheet would run"


def test_the_workbook_is_pleasant_and_the_same_bytes_every_time(tmp_path):
    themes = (CodebookTheme("t01", "書類", "q1", "書類が多い。", ("書類", "報告書"), (), ("K1", "K2")),
              CodebookTheme("t02", "会場", None))
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    codebook_xlsx.write_themes(themes, first)
    codebook_xlsx.write_themes(themes, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    book = openpyxl.load_workbook(first)
    assert book.sheetnames == ["コードブック", "使い方"]
    ws = book["コードブック"]
    assert [c.value for c in ws[1]] == HEADER == list(HEADERS.values())
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    assert [c.value for c in ws[2]] == ["q1", "t01", "書類", "書類が多い。", "書類、報告書", None, "K1、K2", None, None]
    assert ws["A3"].value is None  # no question: every question
    assert ws["C2"].alignment.wrap_text and ws.column_dimensions["D"].width > ws.column_dimensions["B"].width
    guide = "\n".join(c.value or "" for c in book["使い方"]["A"])
    for fragment in ["--codebook codebook.xlsx", "ラベルを書き換え", "統合先", "行をコピー", "行を書き足します", "「、」で区切って"]:
        assert fragment in guide, fragment
    assert book.properties.modified == book.properties.created


# ---------------------------------------------------------------------------------------- a run and the next

@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("xlsx_loop")
    code, out = _run(tmp, "--k", "3")
    assert code == 0
    return tmp, out


def _assignments(out: Path) -> dict[str, dict]:
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def test_a_runs_xlsx_reads_back_as_its_toml_and_codes_the_same(first_run):
    tmp, out = first_run
    kept = {"text": set(_assignments(out))}
    from_toml = codebook.read(out / "codebook.toml", kept, rules.problem).themes
    from_xlsx = codebook_xlsx.read(out / "codebook.xlsx", kept, rules.problem).themes
    assert len(from_xlsx) == 3
    for a, b in zip(from_toml, from_xlsx, strict=True):
        assert a == b
    assert [t.line for t in from_xlsx] == [2, 3, 4]
    assert _run(tmp, "--codebook", str(out / "codebook.toml"), out="by_toml")[0] == 0
    assert _run(tmp, "--codebook", str(out / "codebook.xlsx"), out="by_xlsx")[0] == 0
    for name in ("assignments.csv", "themes.json", "codebook.toml", "codebook.xlsx"):
        assert (tmp / "by_toml" / name).read_bytes() == (tmp / "by_xlsx" / name).read_bytes(), name


def test_edits_in_excel_show_in_the_next_run(first_run):
    """Rename a label, merge a theme with 統合先, split one by a new row with its own keywords
    and example: the next run codes on the edited themes."""
    tmp, out = first_run
    book = openpyxl.load_workbook(out / "codebook.xlsx")
    ws = book["コードブック"]
    by_word = {}
    for r in ws.iter_rows(min_row=2):
        for word in ("書類", "補助金", "会場"):
            if word in (r[4].value or "").split("、"):
                by_word[word] = r
    assert set(by_word) == {"書類", "補助金", "会場"}, "the three themes of the fixture answers"
    by_word["書類"][2].value = "書類・事務の負担"                              # rename
    by_word["補助金"][8].value = by_word["書類"][1].value                      # merge 補助金 into 書類
    room = by_word["会場"]
    room[6].value = "、".join(i for i in room[6].value.split("、") if i != "a09")  # a09 moves to the new theme
    ws.append(["text", "booking", "会場の予約", None, "予約", None, "a09", None, None])  # split
    edited = tmp / "edited.xlsx"
    book.save(edited)

    code, again = _run(tmp, "--codebook", str(edited), out="edited")
    assert code == 0
    rows = _assignments(again)
    paper, money = by_word["書類"][1].value, by_word["補助金"][1].value
    assert rows["a00"]["theme_key"] == paper and rows["a00"]["theme_label"] == "書類・事務の負担"
    assert rows["a09"]["theme_key"] == "booking" and rows["a09"]["reason"] == "例 a09"
    merged = by_word["補助金"][6].value.split("、")
    assert merged and all(rows[i]["theme_key"] == paper and rows[i]["reason"] == f"例 {i}" for i in merged)
    themes = json.loads((again / "themes.json").read_text(encoding="utf-8"))["questions"][0]["themes"]
    assert money not in {t["key"] for t in themes} and "booking" in {t["key"] for t in themes}
    assert "書類・事務の負担" in {t["label"] for t in themes}
    written = codebook_xlsx.read(again / "codebook.xlsx").themes  # the new run's sheet holds the edits
    assert "booking" in {t.key for t in written} and "書類・事務の負担" in {t.label for t in written}


def test_a_bad_or_corrupt_xlsx_exits_2_and_writes_nothing(first_run, capsys):
    tmp, _ = first_run
    bad = sheet(tmp, [["text", "paper", "書類", None, None, None, "zz"], ["text", "paper", "重複"]], name="bad.xlsx")
    code, out = _run(tmp, "--codebook", str(bad), out="bad_out")
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "bad.xlsx の 2 行目: " in err and "「zz」" in err and "bad.xlsx の 3 行目: " in err and "重なって" in err
    broken = tmp / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    code, out = _run(tmp, "--codebook", str(broken), out="broken_out")
    assert code == 2 and not out.exists() and "broken.xlsx を開けません" in capsys.readouterr().err
