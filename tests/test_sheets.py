"""Spreadsheet cells (formula escaping that reads back unchanged) and the quotes.xlsx workbook."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import QuestionResult, Quote, Theme
from pipeline.sheets import QUOTE_HEADER, cell, row_cells, uncell, write_quotes_xlsx

# What `cell` drops: C0 controls other than tab, LF and CR, and DEL. Everything else reads back.
DROPPED = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _texts(banned: str):
    """Arbitrary text without the `banned` characters, half the time behind a run of apostrophes
    and formula starts (which uniform random text would hardly ever begin with)."""
    heads = st.lists(st.sampled_from([c for c in ["'", *FORMULA_START, " "] if c not in banned]), max_size=4)
    text = st.text(st.characters(blacklist_characters=banned, blacklist_categories=("Cs",)))
    return st.one_of(text, st.builds(str.__add__, heads.map("".join), text))


KEPT_TEXT = _texts(DROPPED)


@pytest.mark.parametrize("text", [
    "'=SUM", "'=SUM(A1:A3)", "''", "'", "'''", "''=x", "=1+1", "+1", "-", "-1", "@a", "@SUM(A1)",
    "\t=x", "\r=x", "\t", "\r\n", "'\t", "'a", "a'", "ｘ", "＝1+1", "", " =1", "=", "'-", "a\nb",
])
def test_reading_back_what_was_written_gives_the_text(text):
    """Tab, LF and CR are C0 controls too, but `cell` keeps them, so these round-trip as well."""
    assert uncell(cell(text)) == text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@a", "\t=x", "\r=x", "'=SUM", "'"])
def test_nothing_written_starts_like_a_formula(text):
    written = cell(text)
    assert written.startswith("'") and not written.startswith(FORMULA_START)


@pytest.mark.parametrize("text,written", [
    ("\x00=1", "'=1"),  # the control character goes, and what is left is still escaped
    ("a\x1bb", "ab"),
    ("\x7f", ""),
    ("\x0b-\x0c", "'-"),
])
def test_control_characters_are_dropped(text, written):
    assert cell(text) == written
    assert uncell(cell(text)) == text.translate({ord(c): None for c in DROPPED})


def test_other_values_unchanged():
    assert row_cells([1, 2.5, None, True]) == [1, 2.5, None, True]


@settings(max_examples=500, deadline=None)
@given(KEPT_TEXT)
def test_round_trip_property(text):
    written = cell(text)
    assert uncell(written) == text
    assert not written.startswith(FORMULA_START)
    assert written == text or written == "'" + text


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_cell_is_always_safe(text):
    """Any text at all, control characters included: what is written never starts a formula
    and never holds a character Excel rejects."""
    written = cell(text)
    assert not written.startswith(FORMULA_START)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", written)


@settings(max_examples=150, deadline=None)
@given(st.lists(KEPT_TEXT, min_size=1, max_size=6))
def test_csv_round_trip_property(texts):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(row_cells(texts))
    buffer.seek(0)
    (row,) = list(csv.reader(buffer))
    assert [uncell(v) for v in row] == texts


# An .xlsx file is XML: it cannot hold U+FFFE/U+FFFF, and a CR reads back as LF.
XLSX_TEXT = _texts(DROPPED + "\r\ufffe\uffff")


@settings(max_examples=30, deadline=None)
@given(st.lists(XLSX_TEXT, min_size=1, max_size=6))
def test_xlsx_round_trip_property(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("xlsx") / "cells.xlsx"
    book = openpyxl.Workbook()
    book.active.append(row_cells(texts))
    book.save(path)
    back = openpyxl.load_workbook(path, read_only=True, data_only=True)
    (row,) = list(back.active.iter_rows(values_only=True))
    back.close()
    assert [uncell(v or "") for v in row] == texts


def _result(question: str, themes: int, per_theme: int) -> QuestionResult:
    made = []
    for t in range(themes):
        quotes = tuple(Quote(id=f"a{t}{i}", text=f"回答{t}-{i}", score=0.9 - i / 10) for i in range(per_theme))
        made.append(Theme(theme_id=t, label=f"テーマ{t}", keywords=(), size=per_theme, share=1 / themes,
                          quotes=quotes[:3], candidates=quotes))
    return QuestionResult(question=question, title=question, n_answers=themes * per_theme, n_excluded=0,
                          k_chosen=themes, themes=tuple(made), assignments=())


def test_pick_column_has_a_drop_down(tmp_path):
    path = tmp_path / "quotes.xlsx"
    write_quotes_xlsx([_result("問1", 3, 4), _result("問2", 2, 5), _result("問3", 0, 0)], path)
    book = openpyxl.load_workbook(path)
    column = "ABCDEFGHIJ"[QUOTE_HEADER.index("採用")]
    for sheet, rows in zip(book.worksheets, (12, 10, 0)):
        validations = sheet.data_validations.dataValidation
        if not rows:
            assert validations == []
            continue
        assert sheet.max_row == 2 + rows
        (dv,) = validations
        assert str(dv.sqref) == f"{column}3:{column}{2 + rows}"
        assert dv.type == "list" and dv.formula1 == '"○"' and dv.allow_blank
        assert dv.showErrorMessage and dv.showInputMessage and not dv.showDropDown  # True would hide the arrow
        assert "○" in dv.prompt and "○" in dv.error and "採用" in dv.promptTitle


@pytest.mark.parametrize("question", ["'引用'", "'", "History", "history"])
def test_sheet_names_excel_accepts(tmp_path, question):
    """Excel refuses a sheet name that starts or ends with an apostrophe, and the name History."""
    path = tmp_path / "quotes.xlsx"
    write_quotes_xlsx([_result(question, 1, 1)], path)
    (title,) = openpyxl.load_workbook(path).sheetnames
    assert title and not title.startswith("'") and not title.endswith("'") and title.casefold() != "history"
