"""The fault matrix: every broken or odd input ends with correct outputs, or with exit status 2
and a clear Japanese message — never a traceback, never partial outputs, never a lost answer."""

from __future__ import annotations

import codecs
import csv
import errno
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli

TEXTS = ["書類が多くて大変", "報告書の作成が負担", "会場の確保が難しい", "会場がない", "補助金を増やしてほしい",
         "資金が足りない", "特になし", "", "書類の提出が面倒", "会議室を借りたい"]


def table(texts=TEXTS, extra=()) -> str:
    rows = ["id,text"] + [f"r{i},\"{t}\"" for i, t in enumerate(texts)] + list(extra)
    return "\n".join(rows) + "\n"


def run(tmp_path: Path, name: str, data: bytes, *options: str) -> tuple[int, str, Path]:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out"
    code, _, stderr = run_cli(["themes", str(src), "--out", str(out), *options])
    assert "Traceback" not in stderr
    return code, stderr, out


def assert_complete(out: Path, ids: list[str]) -> list[dict]:
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ids, "every answer once, in input order"
    for name in ("themes.json", "quotes.xlsx", "report.html"):
        assert (out / name).is_file()
    return rows


def assert_refused(code: int, stderr: str, out: Path, message: str) -> None:
    assert code == 2, stderr
    assert stderr.startswith("エラー: ") and message in stderr
    assert not out.exists(), "nothing half-written"
    assert not list(out.parent.glob(".out.tmp-*"))


IDS = [f"r{i}" for i in range(len(TEXTS))]


@pytest.mark.parametrize("name,data", [
    ("utf8.csv", table().encode("utf-8")),
    ("bom.csv", codecs.BOM_UTF8 + table().encode("utf-8")),
    ("sjis.csv", table().replace("\n", "\r\n").encode("cp932")),
    ("excel-unicode.txt", codecs.BOM_UTF16_LE + table().replace(",", "\t").replace('"', "").encode("utf-16-le")),
])
def test_encodings(tmp_path, name, data):
    code, stderr, out = run(tmp_path, name, data)
    assert code == 0, stderr
    rows = assert_complete(out, IDS)
    assert rows[0]["text"] == "書類が多くて大変"


def test_cp932_with_one_bad_byte(tmp_path):
    data = table().encode("cp932").replace("会場がない".encode("cp932"), b"\x82\xff\x82\xaa")
    code, stderr, out = run(tmp_path, "bad.csv", data)
    assert_refused(code, stderr, out, "5 行目")
    assert "0xFF" in stderr or "0x82" in stderr


@pytest.mark.parametrize("data,message", [
    (b"", "空"),
    (b"id,text\r\n", "見出し行だけ"),
    (b"id,answer\nr1,abc\n", "列「text」"),
    (b"id,text,text\nr1,a,b\n", "重複"),
    ("id,text\nr1,書類\nr1,会場\n".encode(), "ID「r1」"),
])
def test_structural_problems(tmp_path, data, message):
    code, stderr, out = run(tmp_path, "t.csv", data)
    assert_refused(code, stderr, out, message)


def test_giant_cell_and_control_characters(tmp_path):
    giant = "書類が多くて大変です。" * 9_091  # 100,001 characters in one cell
    texts = TEXTS + [giant, "会場が\x00な\x07い\x1b", "=HYPERLINK(\"http://example.com\",\"x\")", "+81 と書いた", "@会場"]
    code, stderr, out = run(tmp_path, "t.csv", table(texts).encode("utf-8"))
    assert code == 0, stderr
    rows = assert_complete(out, [f"r{i}" for i in range(len(texts))])
    by_id = {r["id"]: r for r in rows}
    assert len(by_id["r10"]["text"]) == len(giant)
    assert by_id["r11"]["text"] == "会場がない"  # control characters never reach a spreadsheet
    # Formulas are neutralised in .csv and .xlsx.
    assert by_id["r12"]["text"].startswith("'=") and by_id["r13"]["text"].startswith("'+")
    book = openpyxl.load_workbook(out / "quotes.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=3, values_only=True):
            assert not str(row[5]).startswith(("=", "+", "-", "@"))


def test_xlsx_with_several_sheets_merged_cells_and_formulas(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.append(["id", "text", "group"])
    for i, t in enumerate(TEXTS):
        first.append([f"r{i}", t, "町会"])
    first.merge_cells("C2:C5")  # a merged attribute cell: only the first keeps its value
    first.append(["r10", "=B2", "NPO"])  # a formula without a cached value reads as blank
    book.create_sheet("メモ").append(["これは分析しないシート"])
    book.save(tmp_path / "s.xlsx")
    out = tmp_path / "out"
    code, _, stderr = run_cli(["themes", str(tmp_path / "s.xlsx"), "--out", str(out), "--attr-col", "group"])
    assert code == 0, stderr
    rows = assert_complete(out, IDS + ["r10"])
    assert rows[-1]["excluded_reason"] == "empty"
    code, _, stderr = run_cli(["themes", str(tmp_path / "s.xlsx"), "--out", str(out), "--sheet", "ない"])
    assert code == 2 and "シート「ない」" in stderr


def test_question_of_non_answers_only_and_question_with_one_answer(tmp_path):
    rows = ["id,q1,q2"] + [f"r{i},\"{t}\",{'特になし' if i else '書類が多い'}" for i, t in enumerate(TEXTS)]
    code, stderr, out = run(tmp_path, "wide.csv", ("\n".join(rows) + "\n").encode(), "--text-col", "q1",
                            "--text-col", "q2", "--k", "5")
    assert code == 0, stderr
    doc = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    q2 = doc["questions"][1]
    assert q2["n_answers"] == 10 and q2["n_excluded"] == 9 and len(q2["themes"]) == 1
    assert q2["themes"][0]["size"] == 1
    only_non = ["id,q"] + [f"r{i},特になし" for i in range(5)]
    code, stderr, out2 = run(tmp_path, "none.csv", ("\n".join(only_non) + "\n").encode(), "--text-col", "q")
    assert code == 0, stderr
    doc = json.loads((out2 / "themes.json").read_text(encoding="utf-8"))
    assert doc["questions"][0]["themes"] == [] and doc["questions"][0]["n_excluded"] == 5
    assert "分析できる回答がありませんでした" in (out2 / "report.html").read_text(encoding="utf-8")


def test_out_not_writable(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    src = tmp_path / "t.csv"
    src.write_text(table(), encoding="utf-8")
    code, _, stderr = run_cli(["themes", str(src), "--out", str(tmp_path / "a-file" / "out")])
    assert code == 2 and "書き込めません" in stderr and "Traceback" not in stderr


def test_disk_full_while_writing(tmp_path, monkeypatch, capsys):
    """ENOSPC in the middle of writing: exit 2, the earlier result untouched, no temporary folder."""
    from pipeline import cli, outputs

    src = tmp_path / "t.csv"
    src.write_text(table(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "themes.json").write_text("earlier", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_quotes_xlsx", full)
    assert cli.main(["themes", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "ディスクの空き容量が足りません" in err and "前回の結果はそのまま" in err
    assert [p.name for p in out.iterdir()] == ["themes.json"]
    assert (out / "themes.json").read_text(encoding="utf-8") == "earlier"
    assert not list(tmp_path.glob(".out.tmp-*"))


@pytest.mark.parametrize("name,data,options,message", [
    pytest.param("euc.csv", table().encode("euc_jp"), ("--encoding", "cp932"), "--encoding euc-jp", id="euc-jp-as-cp932"),
    pytest.param("utf8.csv", table().encode("utf-8"), ("--encoding", "utf-16"), "--encoding utf-8", id="utf-8-as-utf-16"),
    pytest.param("latin.csv", table().encode("utf-8").decode("cp1252", errors="replace").encode("utf-8"), (),
                 "Latin-1", id="utf-8-once-read-as-cp1252"),
])
def test_garbled_text_is_refused_never_analysed(tmp_path, name, data, options, message):
    code, stderr, out = run(tmp_path, name, data, *options)
    assert_refused(code, stderr, out, message)
    assert name in stderr and len(stderr.strip().splitlines()) <= 2


def test_euc_jp_export_without_ids_and_with_blank_rows(tmp_path):
    """An older system's export: EUC-JP, no id column, a respondent who left everything blank,
    blank lines at the end. Every data row is an answer, its id its row number."""
    lines = ["団体種別,text"] + [f"町会,\"{t}\"" for t in TEXTS[:5]] + [","] + [f"NPO,\"{t}\"" for t in TEXTS[5:]]
    data = ("\r\n".join(lines) + "\r\n\r\n,\r\n").encode("euc_jp")
    code, stderr, out = run(tmp_path, "euc.csv", data, "--encoding", "euc-jp", "--attr-col", "団体種別")
    assert code == 0, stderr
    rows = assert_complete(out, [str(i) for i in range(1, len(TEXTS) + 2)])
    assert rows[5]["excluded_reason"] == "empty" and rows[5]["text"] == ""
    assert rows[0]["text"] == "書類が多くて大変" and rows[6]["text"] == "資金が足りない"
