"""Spreadsheet cells and the quotes.xlsx workbook: text written to .csv and .xlsx cells so that
a spreadsheet never runs it as a formula, read back unchanged; the review workbook staff fill in.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from pipeline.records import QuestionResult

QUOTE_HEADER = ["テーマID", "テーマ", "件数", "順位", "ID", "回答（抜粋候補）", "代表度", "採用", "ラベル修正", "備考"]
PICK_MARK = "○"  # what the 採用 drop-down offers; review.py reads other yes marks too


# Spreadsheets run a cell that starts with = + - @ (or a tab or CR before them) as a formula:
# such text is written with a leading apostrophe, as OWASP recommends for CSV injection. Text
# that already starts with an apostrophe gets one more, so that `uncell` can take exactly one
# off again: uncell(cell(s)) == s for every string s without the control characters `cell` drops
# (C0 controls other than tab, LF and CR, and DEL; Excel rejects them in .xlsx and shows them as
# boxes in .csv). Tab, LF and CR are kept (an .xlsx file, being XML, reads a CR back as LF).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
_ESCAPED = _FORMULA_START + (_ESCAPE,)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(value):
    """A value as written to a .csv or .xlsx cell: strings without control characters, and with
    an apostrophe before a formula start or an apostrophe; other values unchanged."""
    if isinstance(value, str):
        value = _CONTROL.sub("", value)
        if value.startswith(_ESCAPED):
            value = _ESCAPE + value
    return value


def uncell(value: str) -> str:
    """The text of a cell written by `cell`: exactly one escaping apostrophe taken off again."""
    return value[1:] if value.startswith(_ESCAPE) and value[1:].startswith(_ESCAPED) else value


def row_cells(values) -> list:
    return [cell(v) for v in values]


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: none of []:*?/\\, not starting or ending with an apostrophe,
    not History (reserved), at most 31 characters, unique."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:28].strip("'") or "設問"
    if name.casefold() == "history":
        name += "_"
    base, n = name, 2
    while name in used:
        name = f"{base[:26]}_{n}"
        n += 1
    used.add(name)
    return name


def write_quotes_xlsx(results: list[QuestionResult], path: Path) -> None:
    """One sheet per question (A1 設問, B1 its name); per theme its ranked candidates, with the
    staff columns 採用・ラベル修正・備考 (filled in with earlier choices that carried over)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    column = get_column_letter(QUOTE_HEADER.index("採用") + 1)

    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for r in results:
        sheet = book.create_sheet(_sheet_name(r.question, used))
        sheet.append(row_cells(["設問", r.question]))
        sheet.append(QUOTE_HEADER)
        for heading in sheet[2]:
            heading.font = Font(bold=True)
            heading.fill = PatternFill("solid", fgColor="DDEBF7")
        for t in r.themes:
            for rank, q in enumerate(t.candidates, start=1):
                sheet.append(row_cells([t.theme_id, t.auto_label or t.label, t.size, rank, q.id, q.text, q.score,
                                   PICK_MARK if q.picked else "", t.label if t.auto_label and rank == 1 else "", q.note]))
        for col, width in zip("ABCDEFGHIJ", (8, 24, 6, 6, 10, 70, 8, 6, 20, 20)):
            sheet.column_dimensions[col].width = width
        for row in sheet.iter_rows(min_row=3, min_col=6, max_col=6):
            for answer in row:
                answer.alignment = Alignment(wrap_text=True, vertical="top")
        if sheet.max_row >= 3:
            sheet.add_data_validation(_pick_drop_down(f"{column}3:{column}{sheet.max_row}"))
        sheet.freeze_panes = "A3"
    save_workbook(book, path)


# openpyxl stamps a workbook with the time it is saved (its modified property and every zip
# entry's date): a fixed time instead makes the same workbook the same bytes on every run.
_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def save_workbook(book, path: Path) -> None:
    """Save an openpyxl workbook deterministically: its created and modified times and the
    dates of the parts inside the file are fixed, so the same content gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()  # closes the zip
    with zipfile.ZipFile(buffer) as made, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for part in made.infolist():
            out.writestr(zipfile.ZipInfo(part.filename, date_time=_ZIP_TIME), made.read(part),
                         compress_type=zipfile.ZIP_DEFLATED)


def _pick_drop_down(cells: str):
    """The 採用 column's drop-down: ○ or blank; Excel refuses anything typed in besides."""
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=f'"{PICK_MARK}"', allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorStyle="stop", promptTitle="採用",
                        prompt=f"抜粋に使う回答は {PICK_MARK} を選んでください。使わない回答は空欄のままにします。",
                        errorTitle="採用欄の値",
                        error=f"採用欄は {PICK_MARK}（採用）か空欄（不採用）にしてください。一覧から選べます。")
    dv.add(cells)
    return dv
