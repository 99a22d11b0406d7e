"""Loader: encodings, delimiters, wide and long tables, Excel, and the errors a user can fix."""

from __future__ import annotations

import codecs

import pytest

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.load import load

WIDE = "団体ID,団体種別,理由,環境\nK1,NPO法人,書類が多い,相談窓口がほしい\nK2,町会・自治会,\"・人手不足\n・高齢化\",特になし\n"
WIDE_CONFIG = Config(id_col="団体ID", text_cols=("理由", "環境"), attr_cols=("団体種別",))


@pytest.mark.parametrize("name,data", [
    ("utf8.csv", WIDE.encode("utf-8")),
    ("utf8bom.csv", codecs.BOM_UTF8 + WIDE.encode("utf-8")),
    ("cp932.csv", WIDE.replace("\n", "\r\n").encode("cp932")),
    ("utf16.csv", WIDE.encode("utf-16")),
    ("tab.tsv", WIDE.replace(",", "\t").encode("utf-8")),
])
def test_encodings_and_delimiters(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    answers = load(path, WIDE_CONFIG)
    assert [(a.id, a.question) for a in answers] == [("K1", "理由"), ("K1", "環境"), ("K2", "理由"), ("K2", "環境")]
    assert answers[0].raw == "書類が多い"
    assert answers[2].raw.replace("\r\n", "\n") == "・人手不足\n・高齢化"  # line break inside a cell
    assert answers[2].attrs == (("団体種別", "町会・自治会"),)


def test_long_table_and_row_number_ids(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("設問,回答\nQ1,書類が多い\nQ2,会場がほしい\nQ1,人手不足\n", encoding="utf-8")
    answers = load(path, Config(text_cols=("回答",), question_col="設問"))
    assert [(a.id, a.question, a.raw) for a in answers] == [
        ("1", "Q1", "書類が多い"), ("2", "Q2", "会場がほしい"), ("3", "Q1", "人手不足")]


def test_single_text_column_is_one_question(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("id,text\na,書類が多い\nb,予算がない\n", encoding="utf-8")
    answers = load(path, Config())
    assert {a.question for a in answers} == {"text"}
    assert [a.id for a in answers] == ["a", "b"]


def test_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["団体ID", "団体種別", "理由", "環境"])
    sheet.append(["K1", "NPO法人", "書類が多い", "相談窓口がほしい"])
    sheet.append([2, "町会・自治会", "・人手不足\n・高齢化", None])
    book.save(tmp_path / "s.xlsx")
    answers = load(tmp_path / "s.xlsx", WIDE_CONFIG)
    assert [(a.id, a.raw) for a in answers] == [("K1", "書類が多い"), ("K1", "相談窓口がほしい"),
                                                 ("2", "・人手不足\n・高齢化"), ("2", "")]


def test_bundled_csv_and_xlsx_agree():
    from pathlib import Path

    from pipeline.config import build, read_toml

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    config = build(read_toml(corpus / "survey.toml"))
    from_csv = load(corpus / "survey.csv", config)
    from_xlsx = load(corpus / "survey.xlsx", config)
    assert len(from_csv) == 750
    assert [(a.id, a.question, a.raw.replace("\r\n", "\n"), a.attrs) for a in from_csv] == \
           [(a.id, a.question, a.raw, a.attrs) for a in from_xlsx]


@pytest.mark.parametrize("content,config,message", [
    (b"", Config(), "空"),
    (b"id,text\n", Config(), "見出し行だけ"),
    (b"id,text\n1,abc\n", Config(text_cols=("answer",)), "列「answer」"),
    (b"id,text\n1,abc\n", Config(id_col="no"), "列「no」"),
    (b"id,text\n1,abc\n", Config(attr_cols=("age",)), "列「age」"),
    (b"id,text,text\n1,a,b\n", Config(), "重複"),
    (b"id,text\n1,a\n1,b\n", Config(), "ID「1」"),
    ("id,text\n1,書類\n2,会場\n".encode("cp932") + b"3,\x82\xff\x85\n", Config(), "4 行目"),
])
def test_bad_input_is_a_user_error(tmp_path, content, config, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UserError) as err:
        load(path, config)
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="見つかりません"):
        load(tmp_path / "nothing.csv", Config())


def test_forced_encoding_names_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("id,text\n1,書類\n".encode("cp932"))
    with pytest.raises(UserError, match="2 行目"):
        load(path, Config(encoding="utf-8"))
    assert load(path, Config(encoding="cp932"))[0].raw == "書類"


@pytest.fixture
def csv_default_limit():
    """The csv module's default cell limit for the test, whatever ran before; put back afterwards."""
    import csv

    earlier = csv.field_size_limit(131_072)
    yield 131_072
    csv.field_size_limit(earlier)


@pytest.mark.parametrize("cell_length", [10, 100_001, 300_000])  # the default limit is 131,072
def test_huge_cells_load_without_changing_the_process_wide_csv_limit(tmp_path, csv_default_limit, cell_length):
    import csv

    giant = ("書類が多くて大変です。" * (cell_length // 11 + 1))[:cell_length]
    path = tmp_path / "giant.csv"
    path.write_text(f"id,text\n1,\"{giant}\"\n2,会場がない\n", encoding="utf-8")
    answers = load(path, Config())
    assert [len(a.raw) for a in answers] == [cell_length, 5]
    assert csv.field_size_limit() == csv_default_limit


# Blank rows: every data row keeps its number (the id when there is no id column); only blank rows
# before the header and after the last data row are dropped. An entirely blank row is a respondent
# who answered nothing in a wide table without ids, and is skipped (without renumbering) in a table
# with an id column (an empty line of the export, not a respondent) or in a long table (no question).
WIDE_NO_ID = Config(text_cols=("理由", "環境"), attr_cols=("団体種別",))
LONG = Config(text_cols=("回答",), question_col="設問")


@pytest.mark.parametrize("content,config,expected", [
    pytest.param("団体種別,理由,環境\nNPO法人,書類が多い,相談窓口がほしい\n,,\n町会・自治会,人手不足,特になし\n,,\n\n",
                 WIDE_NO_ID,
                 [("1", "理由", "書類が多い", 1), ("1", "環境", "相談窓口がほしい", 1), ("2", "理由", "", 2),
                  ("2", "環境", "", 2), ("3", "理由", "人手不足", 3), ("3", "環境", "特になし", 3)],
                 id="wide-no-id-blank-cells"),
    pytest.param("団体種別,理由,環境\r\nNPO法人,書類が多い,\r\n\r\n\r\n町会・自治会,,会場がほしい\r\n",
                 WIDE_NO_ID,
                 [("1", "理由", "書類が多い", 1), ("1", "環境", "", 1), ("2", "理由", "", 2), ("2", "環境", "", 2),
                  ("3", "理由", "", 3), ("3", "環境", "", 3), ("4", "理由", "", 4), ("4", "環境", "会場がほしい", 4)],
                 id="wide-no-id-empty-lines"),
    pytest.param("理由\n書類が多い\n\u3000\n会場がほしい\n \n", Config(text_cols=("理由",)),
                 [("1", "理由", "書類が多い", 1), ("2", "理由", "", 2), ("3", "理由", "会場がほしい", 3)],
                 id="one-column-full-width-space"),
    pytest.param("\n\n団体ID,理由\nK1,書類が多い\n\n,\nK4,会場がほしい\nK5,\n", Config(id_col="団体ID", text_cols=("理由",)),
                 [("K1", "理由", "書類が多い", 1), ("K4", "理由", "会場がほしい", 4), ("K5", "理由", "", 5)],
                 id="id-column-blank-line-skipped"),
    pytest.param("設問,回答\nQ1,書類が多い\n,\nQ2,会場がほしい\n\nQ1,人手不足\n", LONG,
                 [("1", "Q1", "書類が多い", 1), ("3", "Q2", "会場がほしい", 3), ("5", "Q1", "人手不足", 5)],
                 id="long-no-id"),
    pytest.param("id,設問,回答\na,Q1,書類が多い\n,,\nb,Q2,\n", Config(text_cols=("回答",), question_col="設問"),
                 [("a", "Q1", "書類が多い", 1), ("b", "Q2", "", 3)],
                 id="long-with-id"),
])
def test_blank_rows_keep_their_row_numbers(tmp_path, content, config, expected):
    path = tmp_path / "blank.csv"
    path.write_text(content, encoding="utf-8")
    answers = load(path, config)
    assert [(a.id, a.question, a.raw.strip(), a.row) for a in answers] == expected


def test_blank_rows_in_xlsx(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["団体種別", "理由", "環境"])
    sheet.append(["NPO法人", "書類が多い", "相談窓口がほしい"])
    sheet.append([None, None, None])  # a respondent who left everything blank
    sheet.append(["町会・自治会", "人手不足", "特になし"])
    sheet.append([None, "", "   "])
    sheet["C8"].font = openpyxl.styles.Font(bold=True)  # a formatted empty cell below: trailing rows are no data
    book.save(tmp_path / "s.xlsx")
    answers = load(tmp_path / "s.xlsx", WIDE_NO_ID)
    assert [(a.id, a.raw) for a in answers if a.question == "理由"] == [("1", "書類が多い"), ("2", ""), ("3", "人手不足")]
    assert answers[2].attrs == (("団体種別", ""),)


@pytest.mark.parametrize("content,message", [
    pytest.param("id,text\n1,書類\n,会場\n", "3 行目に ID", id="no-id"),
    pytest.param("\nid,text\n1,書類\n\n,会場\n", "5 行目に ID", id="no-id-after-blank-lines"),
    pytest.param("id,text\n1,書類\n\n1,会場\n", "2 行目と 4 行目", id="duplicate-id"),
    pytest.param("設問,回答\nQ1,書類\n\n,会場\n", "4 行目に設問名", id="no-question"),
])
def test_messages_name_the_line_in_the_file(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    config = LONG if content.startswith("設問") else Config()
    with pytest.raises(UserError, match=message):
        load(path, config)
