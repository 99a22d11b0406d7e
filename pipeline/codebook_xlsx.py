"""The codebook as an Excel workbook, `codebook.xlsx`, for staff who do not edit text files.

Every run writes it beside codebook.toml with the same themes in the same order: one row per
theme on the sheet 「コードブック」 under Japanese column headers, list fields joined with 「、」,
and a sheet 「使い方」 on how to edit it. `read` takes it back for `--codebook FILE.xlsx`: the
rows become `codebook.Entry`s and go through the same `codebook.check` as a codebook.toml, so
every problem is reported the same way, with the sheet row instead of the TOML line.

Every cell is written through `sheets.cell` (text that a spreadsheet would run as a formula
gets an apostrophe) and read back through `sheets.uncell`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import codebook
from pipeline.codebook import FIELDS, Codebook, CodebookError, CodebookTheme, Entry, Form
from pipeline.errors import UserError
from pipeline.records import QuestionResult
from pipeline.sheets import cell, save_workbook, uncell

SHEET = "コードブック"
GUIDE_SHEET = "使い方"
HEADERS = {"question": "設問", "key": "キー", "label": "ラベル", "description": "説明", "keywords": "キーワード",
           "exclude": "除外キーワード", "examples": "例の回答ID", "rule": "ルール", "merge_into": "統合先"}
LIST_FIELDS = ("keywords", "exclude", "examples")
JOIN = "、"
# A list cell is split on these: 、 , ， ; ； and every line break (Alt+Enter in a cell).
_SPLIT = re.compile("[、,，;；\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_WIDTHS = {"question": 20, "key": 14, "label": 30, "description": 44, "keywords": 30, "exclude": 18,
           "examples": 22, "rule": 26, "merge_into": 14}

FORM = Form(
    names=HEADERS, quoted=True,
    samples={"key": "「キー」の列に paperwork", "label": "「ラベル」の列に 書類・事務手続きの負担",
             "rule": "「ルール」の列に 書類 | 報告書 | (事務 & 負担)"},
    place="{source} の {line} 行目", nameless="この行のテーマ", no_question="「設問」の欄を空にしてください")

GUIDE = [
    "コードブック（テーマの定義）— jiyu-themes が書き出したファイルです。codebook.toml と同じ内容です。",
    "出力フォルダの外にコピーしてから編集してください（出力フォルダは次の実行で置き換わります）。",
    "",
    "「コードブック」のシートの一行が一つのテーマです。1 行目の見出しは変えないでください。",
    "編集して保存し、次のように実行すると、回答をこのテーマで分類し直します:",
    "    python -m pipeline themes INPUT --codebook codebook.xlsx --out DIR",
    "（INPUT は回答のファイル、DIR は出力フォルダ。来年度の回答にも同じファイルを使えば、同じテーマで比べられます。）",
    "",
    "列の意味:",
    "  設問　assignments.csv の question 列と同じ名前。空欄なら、すべての設問に当てはまります。",
    "  キー　テーマの見出し（必須）。設問の中で重ならない名前で、どの出力にも残ります。英数字がおすすめです。",
    "  ラベル　テーマの名前（必須）。",
    "  説明　テーマの説明。",
    "  キーワード　回答にこの語があれば、このテーマの手がかりになります。",
    "  除外キーワード　このテーマの手がかりにしない語です。",
    "  例の回答ID　必ずこのテーマに入れる回答の id（assignments.csv の id 列）。一つの回答は一つのテーマにだけ書きます。",
    "  ルール　KH Coder のコーディングルールの条件（例: 書類 | 報告書 | (事務 & 負担)）。",
    "  統合先　このテーマの回答をまとめる先のテーマのキー。",
    "キーワード・除外キーワード・例の回答ID は、「、」で区切って一つのセルに複数書けます（, や ; やセル内の改行でも区切れます）。",
    "",
    "編集のしかた:",
    "  名前を変える　ラベルを書き換えます（キーはそのままにします）。",
    "  まとめる　まとめられる側の行の「統合先」に、まとめ先のテーマのキーを書きます。",
    "  分ける　行をコピーして下に貼り付け、新しいキーとラベルを付けて、キーワードと例の回答ID をそれぞれに合うように"
    "書き分けます（同じ回答ID を両方の行に残さないでください）。",
    "  テーマを足す　行を書き足します（キーとラベルは必須）。",
    "  テーマを消す　行を削除します（その回答は近いテーマか「その他」に入ります）。",
    "",
    "空の行と、見出しのない列は読みません（見出しのない列はメモに使えます）。",
    "書き方に問題があると、行番号と直し方を表示して止まります（何も書き出しません）。",
]


# ---------------------------------------------------------------------------------------- writing

def write(result: Iterable[QuestionResult], path: Path) -> None:
    """Write the run's codebook.xlsx: the themes of its codebook.toml (`codebook.from_result`)."""
    write_themes(codebook.from_result(result), path)


def write_themes(themes: Sequence[CodebookTheme], path: Path) -> None:
    """A codebook.xlsx holding `themes`, in order; `read` gives them back unchanged as long as
    no keyword, exclude word or example id holds a separator (、 , ， ; ； or a line break)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([HEADERS[f] for f in FIELDS])
    for t in themes:
        values = {f: getattr(t, f) for f in FIELDS}
        values.update({f: JOIN.join(values[f]) for f in LIST_FIELDS})
        sheet.append([cell(values[f]) if values[f] else None for f in FIELDS])
    for heading in sheet[1]:
        heading.font = Font(bold=True)
        heading.fill = PatternFill("solid", fgColor="DDEBF7")
        heading.alignment = Alignment(vertical="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, max_col=len(FIELDS)):
        for c in row:
            c.alignment = wrap
    for n, f in enumerate(FIELDS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS[f]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(FIELDS))}{max(sheet.max_row, 2)}"

    guide = book.create_sheet(GUIDE_SHEET)
    for line in GUIDE:
        guide.append([cell(line) if line else None])
    guide["A1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 110
    for row in guide.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    save_workbook(book, path)


# ---------------------------------------------------------------------------------------- reading

def read(path: Path, kept_ids: Mapping[str, set[str]] | None = None,
         check_rule: Callable[[str], str | None] | None = None) -> Codebook:
    """Read and validate a codebook.xlsx: the sheet 「コードブック」 (else the first sheet), its
    first non-blank row the headers (the Japanese names of `HEADERS` or the field names), one
    theme per non-blank row below. Problems are those of a codebook.toml (`codebook.check`),
    named by sheet row. `kept_ids` and `check_rule` as for `codebook.read`."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"コードブック {path} が見つかりません。", "--codebook に正しいファイルのパスを指定してください。")
    sheet, rows = _rows(path)
    source = path.name
    start = next((n for n, row in enumerate(rows) if any(v.strip() for v in row)), None)
    if start is None:
        raise CodebookError([f"{source}: シート「{sheet}」が空です。1 行目に見出し（{_names()}）を、"
                             "2 行目から一行に一つずつテーマを書いてください。"], codebook.HINT)
    columns, problems = _columns(rows[start], start + 1, source, sheet)
    entries = []
    for n, row in enumerate(rows[start + 1:], start + 2):
        values: dict[str, Any] = {}
        for i, f in columns.items():
            text = row[i] if i < len(row) else ""
            if not text.strip():
                continue
            if f in LIST_FIELDS:
                values[f] = tuple(item.strip() for item in _SPLIT.split(text) if item.strip())
            else:
                values[f] = text
        if values:  # a wholly blank row is no theme
            entries.append(Entry(values, line=n))
    if not entries and not problems:
        problems.append((start + 1, f"テーマが一つもありません。見出しの下の行に、一行に一つずつテーマを書いてください"
                         f"（{FORM.name('key')}と{FORM.name('label')}は必須です）。"))
    return codebook.check(entries, source, FORM, kept_ids, check_rule, problems)


def _rows(path: Path) -> tuple[str, list[list[str]]]:
    """The name of the codebook sheet and its rows from row 1 as text (blank cells ""), or a
    UserError for a file openpyxl cannot read."""
    from pipeline.load import open_workbook

    hint = "codebook.xlsx（実行するたびに出力フォルダに書き出されます）を Excel で編集し、.xlsx 形式で保存してください。"
    book = open_workbook(path, hint)
    try:
        sheets = book.worksheets
        if not sheets:
            raise UserError(f"Excel ファイル {path.name} に表のシートがありません。", hint)
        ws = book[SHEET] if SHEET in book.sheetnames else sheets[0]
        ws.reset_dimensions()  # the size a file states may be wrong: read every row there is
        rows = [[_text(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        return ws.title, rows
    except UserError:
        raise
    except Exception as e:  # a broken sheet shows only while its rows are read
        raise UserError(f"Excel ファイル {path.name} を読めません（{type(e).__name__}）。", hint) from None
    finally:
        book.close()


def _text(value: object) -> str:
    from pipeline.load import cell_text

    return uncell(value) if isinstance(value, str) else cell_text(value)


def _fold(header: str) -> str:
    return unicodedata.normalize("NFKC", header).strip().casefold()


_BY_HEADER = {_fold(name): f for f in FIELDS for name in (HEADERS[f], f)}


def _names() -> str:
    return "、".join(HEADERS[f] for f in FIELDS)


def _columns(header: list[str], line: int, source: str, sheet: str) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """Column index → field, from the header row, and the header's problems (unknown and
    repeated names); a CodebookError when the row has no codebook header at all or lacks the
    キー or ラベル column (every row would be wrong)."""
    from openpyxl.utils import get_column_letter

    columns: dict[int, str] = {}
    problems: list[tuple[int, str]] = []
    for i, name in enumerate(header):
        if not name.strip():
            continue  # a column without a header is for notes
        f = _BY_HEADER.get(_fold(name))
        if f is None:
            problems.append((line, f"{get_column_letter(i + 1)} 列の見出し「{codebook._show(name)}」は使えない列の名前です"
                             f"{codebook._suggest(name, HEADERS.values())}。見出しは {_names()} のいずれかにしてください"
                             "（英語の項目名 question, key, label … も使えます）。見出しを空にした列は読みません。"))
        elif f in columns.values():
            first = next(get_column_letter(j + 1) for j, g in columns.items() if g == f)
            problems.append((line, f"{get_column_letter(i + 1)} 列の見出し「{codebook._show(name)}」は {first} 列と同じ"
                             f"「{HEADERS[f]}」の列です。一つの列にまとめてください。"))
        else:
            columns[i] = f
    if not columns:
        raise CodebookError([FORM.where(source, line) + f"シート「{codebook._show(sheet)}」にコードブックの見出しがありません"
                             f"（{_names()}）。実行のたびに書き出される codebook.xlsx を編集して使うか、"
                             "1 行目にこれらの見出しを書いてください。"], codebook.HINT)
    missing = [f for f in ("key", "label") if f not in columns.values()]
    if missing:
        problems.append((line, "見出しに" + "と".join(FORM.name(f) for f in missing) + "の列がありません。"
                         "キーとラベルの列は必須です（見出しの名前を確かめてください）。"))
        raise CodebookError([FORM.where(source, n) + message for n, message in problems], codebook.HINT)
    return columns, problems
