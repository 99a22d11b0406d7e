"""Read a survey export (CSV, TSV or XLSX; long or wide) into `Answer` records."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.records import Answer

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def load(path: str | Path, config: Config) -> list[Answer]:
    """All answers of the table at `path`, in input order (row, then question)."""
    path = Path(path)
    header, rows, header_line = _read_table(path, config.encoding, config.sheet)
    return to_answers(path, header, rows, config, header_line)


def read_table(path: Path, encoding: str = "auto", sheet: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a table, every cell a string.

    Every data row is kept, blank ones too, so that rows keep their numbers; only blank rows
    before the header and after the last non-blank row (spreadsheet noise) are dropped.
    """
    header, rows, _ = _read_table(path, encoding, sheet)
    return header, rows


def _read_table(path: Path, encoding: str, sheet: str | None) -> tuple[list[str], list[list[str]], int]:
    """read_table, and the 1-based row (line) number of the header in the file."""
    if not path.exists():
        raise UserError(f"入力ファイルが見つかりません: {path}", "ファイル名とフォルダを確認してください。")
    if path.is_dir():
        raise UserError(f"入力がフォルダです: {path}", "CSV・TSV・Excel（.xlsx）のファイルを指定してください。")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"対応していない形式です: {path.name}", "CSV（.csv）、TSV（.tsv）、Excel（.xlsx）で保存してください。")
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    else:
        text = decode(path, path.read_bytes(), encoding)
        table = _read_delimited(path, text, "\t" if suffix == ".tsv" else _sniff_delimiter(text))
    # Blank rows before the header and after the last data row, and blank columns after the last
    # named one, are spreadsheet noise. Blank rows between data rows are data: a respondent who
    # left everything blank, or an empty line that to_answers skips without renumbering.
    filled = [i for i, row in enumerate(table) if not _blank(row)]
    if not filled:
        raise UserError(f"入力ファイルが空です: {path}", "回答が入ったファイルを指定してください。")
    header_line = filled[0] + 1
    table = table[filled[0]:filled[-1] + 1]
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1].strip() for r in table[1:]):
        header.pop()
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name in seen:
            raise UserError(f"列名「{name}」が {seen[name] + 1} 列目と {i + 1} 列目に重複しています（{path.name}）。",
                            "列名が重ならないように見出し行を直してください。")
        seen[name] = i
    rows = table[1:]
    if not rows:
        raise UserError(f"見出し行だけで回答の行がありません: {path}", "回答の入ったファイルを指定してください。")
    return header, rows, header_line


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def decode(path: Path, data: bytes, encoding: str = "auto") -> str:
    """Bytes to text. `auto` tries UTF-16 (by its BOM), UTF-8 (with or without BOM), then CP932."""
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise UserError(f"{path.name} を {encoding} として読めません（{line} 行目、バイト 0x{data[e.start]:02X}）。",
                            "--encoding auto を試すか、ファイルの文字コードを確認してください。") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e8:
        utf8_pos = e8.start
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as e932:
        # Report the position of whichever reading got further: that is the likelier encoding.
        pos = max(utf8_pos, e932.start)
        line = data.count(b"\n", 0, pos) + 1
        raise UserError(
            f"{path.name} の文字コードを判別できません: {line} 行目に UTF-8 でも Shift_JIS（CP932）でも読めないバイト 0x{data[pos]:02X} があります。",
            "Excel で「CSV UTF-8（コンマ区切り）」として保存し直すか、--encoding で文字コードを指定してください。",
        ) from None


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _read_delimited(path: Path, text: str, delimiter: str) -> list[list[str]]:
    if "\x00" in text:
        text = text.replace("\x00", "")
    # No cell is longer than the whole text. The csv module's limit on a cell (131,072 characters
    # by default) is process-wide: raise it for this read only when the text could exceed it,
    # and put it back.
    limit = csv.field_size_limit()
    if len(text) > limit:
        csv.field_size_limit(len(text))
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise UserError(f"{path.name} を CSV として読めません: {e}", "区切り文字と引用符（\"）の対応を確認してください。") from None
    finally:
        if len(text) > limit:
            csv.field_size_limit(limit)


def open_workbook(path: Path, hint: str = "ファイルが壊れていないか、.xlsx 形式で保存されているか確認してください。"):
    """An .xlsx file opened read-only with cached formula values, or a UserError."""
    import openpyxl  # imported here: only Excel files need it

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise UserError(f"Excel ファイル {path.name} を開けません（{type(e).__name__}）。", hint) from None


def _read_xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    book = open_workbook(path)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UserError(f"{path.name} にシート「{sheet}」がありません。",
                            f"あるシート: {'、'.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        return [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: 3.0 → "3", None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_answers(path: Path, header: list[str], rows: list[list[str]], config: Config,
               header_line: int = 1) -> list[Answer]:
    """One Answer per data row and question (wide) or per data row (long).

    Rows are numbered 1, 2, … over all data rows, blank ones included; without an id column the
    number is the id. An entirely blank row is
    - in a wide table without an id column: a respondent who answered nothing, one Answer with
      raw "" per question (set aside later as `empty`);
    - in a table with an id column: an empty line of the export, not a respondent (one who
      answered nothing still has an id), so skipped rather than refused for its missing id;
    - in a long table: skipped, as it has no question to belong to.
    Skipping never renumbers: the ids and line numbers of the other rows stay as in the file.
    """
    columns = {name: i for i, name in enumerate(header) if name}

    def column(name: str, option: str) -> int:
        if name not in columns:
            raise UserError(f"列「{name}」が {path.name} にありません。",
                            f"{option} で列名を指定してください。ある列: {'、'.join(n for n in header if n)}")
        return columns[name]

    text_idx = [(name, column(name, "--text-col")) for name in config.text_cols]
    if config.question_col is not None and len(text_idx) > 1:
        raise UserError("--question-col（縦持ちの表）と複数の --text-col（横持ちの表）は同時に指定できません。")
    question_idx = column(config.question_col, "--question-col") if config.question_col else None
    attr_idx = [(name, column(name, "--attr-col")) for name in config.attr_cols]
    id_idx = columns.get(config.id_col)
    if id_idx is None and config.id_col != "id":
        column(config.id_col, "--id-col")

    def cell(row: list[str], i: int) -> str:
        return row[i] if i < len(row) else ""

    answers: list[Answer] = []
    seen_ids: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows, start=1):
        line = header_line + n
        if (id_idx is not None or question_idx is not None) and _blank(row):
            continue
        rid = cell(row, id_idx).strip() if id_idx is not None else str(n)
        if not rid:
            raise UserError(f"{path.name} の {line} 行目に ID（列「{config.id_col}」）がありません。",
                            "すべての行に ID を入れるか、--id-col を外して行番号を ID にしてください。")
        attrs = tuple((name, cell(row, i).strip()) for name, i in attr_idx)
        for text_col, i in text_idx:
            question = cell(row, question_idx).strip() if question_idx is not None else text_col
            if question_idx is not None and not question:
                raise UserError(f"{path.name} の {line} 行目に設問名（列「{config.question_col}」）がありません。")
            key = (rid, question)
            if key in seen_ids:
                raise UserError(f"ID「{rid}」が {seen_ids[key]} 行目と {line} 行目に重複しています（設問「{question}」）。",
                                "ID は回答ごとに一意にしてください。")
            seen_ids[key] = line
            answers.append(Answer(id=rid, question=question, row=n, raw=cell(row, i), attrs=attrs))
    return answers
