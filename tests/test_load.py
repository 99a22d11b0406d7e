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
