"""End to end: the CLI on the bundled corpus against the contract (../shared/CONTRACT.md)."""

from __future__ import annotations

import contextlib
import csv
import json
import re
from pathlib import Path

import pytest
from conftest import CORPUS, output_texts, run_cli, run_cli_subprocess

CONTRACT_COLUMNS = ["id", "question", "theme_id", "theme_label", "excluded_reason", "score", "text", "theme_key",
                    "reason"]
# Personal information written into the bundled corpus (fictional); none may reach an output.
PERSONAL = ["田中", "山本", "佐藤一郎", "渡辺由美", "渡辺", "鈴木", "高橋", "加藤", "松本", "中村", "伊藤", "木村",
            "森田", "小松", "小林", "井上", "hanako.suzuki", "ito.kazuo", "kodomo-club", "midori-no-kai",
            "example.jp", "example.com", "387-1234", "３８７－１２３４", "1234-5678", "3345-8812", "3812-4456",
            "8765-4321", "４５６７－８９０１", "4-15-14"]


def read_assignments(out: Path) -> list[dict]:
    raw = (out / "assignments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def coding() -> dict[tuple[str, str], dict]:
    with (CORPUS / "survey_coding.csv").open(encoding="utf-8", newline="") as f:
        return {(r["id"], r["question"]): r for r in csv.DictReader(f)}


def test_every_contract_file_is_written(corpus_run):
    for name in ("assignments.csv", "themes.json", "quotes.xlsx", "report.html", "run_config.json"):
        assert (corpus_run / name).is_file(), name
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    for q in doc["questions"]:
        assert (corpus_run / q["wordcloud"]).is_file()
        for t in q["themes"]:
            assert (corpus_run / t["wordcloud"]).is_file()
            assert t["wordcloud"].startswith("wordclouds/")
    assert not list(corpus_run.parent.glob(".out.tmp-*")), "no temporary folder left behind"


def test_assignments_hold_every_input_answer_once(corpus_run):
    rows = read_assignments(corpus_run)
    with (corpus_run / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        assert next(csv.reader(f))[:9] == CONTRACT_COLUMNS
    keys = [(r["id"], r["question"]) for r in rows]
    assert len(keys) == len(set(keys)) == 750
    assert set(keys) == set(coding())
    for r in rows:
        excluded = r["excluded_reason"]
        assert excluded in ("", "empty", "non_answer", "no_issue")
        assert (int(r["theme_id"]) == -1) == bool(excluded)
        assert bool(r["theme_label"]) != bool(excluded)
        assert bool(r["theme_key"]) != bool(excluded) and bool(r["reason"]) != bool(excluded)
        if not excluded:
            assert 0.0 <= float(r["score"]) <= 1.0
            # Automatic themes t01, t02, … by size; answers that fit none in その他 (key other).
            assert re.fullmatch(r"t\d\d", r["theme_key"]) and int(r["theme_key"][1:]) == int(r["theme_id"]) + 1 \
                or r["theme_key"] == "other" and r["theme_label"] == "その他"
            assert re.search(r"代表例|例 K\d+ (に近い|と同じ回答)|中心に最も近い|どのテーマにもよく当てはまらない",
                             r["reason"]), r["reason"]
            ids = r["theme_ids"].split(";")
            assert ids[0] == r["theme_id"] and len(set(ids)) == len(ids)
        else:
            assert r["theme_ids"] == ""
    assert any(";" in r["theme_ids"] for r in rows), "multi-point answers list several themes"


def test_non_answers_match_the_coding(corpus_run):
    gold = coding()
    rows = read_assignments(corpus_run)
    wrong = [(r["text"], r["excluded_reason"], gold[(r["id"], r["question"])]["excluded"])
             for r in rows if r["excluded_reason"] != gold[(r["id"], r["question"])]["excluded"]]
    assert wrong == []


def test_themes_json_follows_the_contract(corpus_run):
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    rows = read_assignments(corpus_run)
    assert [q["question"] for q in doc["questions"]] == ["協働したくない理由", "協働を進めるために必要な環境", "協働してよかったこと"]
    for q in doc["questions"]:
        kept = q["n_answers"] - q["n_excluded"]
        assert q["n_answers"] == 250
        sizes = [t["size"] for t in q["themes"] if not t.get("other")]
        assert sizes == sorted(sizes, reverse=True) and sum(t["size"] for t in q["themes"]) == kept
        other = [i for i, t in enumerate(q["themes"]) if t.get("other")]  # その他, when any, comes last
        assert other in ([], [len(q["themes"]) - 1])
        assert all((t["key"], t["label"]) == ("other", "その他") for t in q["themes"] if t.get("other"))
        assert 2 <= len(q["themes"]) <= 12
        labels = [t["label"] for t in q["themes"]]
        assert len(set(labels)) == len(labels), "labels unique within a question"
        members = {(r["id"], r["theme_id"]): r["text"] for r in rows if r["question"] == q["question"]}
        all_text = "".join(members.values())
        assert [t["key"] for t in q["themes"]] == [f"t{i + 1:02d}" for i in range(len(q["themes"]))]
        for t in q["themes"]:
            assert set(t) >= {"theme_id", "key", "label", "keywords", "size", "share", "quotes", "wordcloud"}
            assert t["share"] == round(t["size"] / kept, 3)
            assert t["keywords"] and t["label"] not in ("", "する", "思う", "こと")
            assert 3 <= len(t["quotes"]) <= 8
            for quote in t["quotes"]:
                # A quote is an answer of its own theme, quoted as written (masked), or marked
                # with … an excerpt of it.
                answer = members[(quote["id"], str(t["theme_id"]))]
                if quote.get("excerpt"):
                    assert quote["text"].startswith("…") or quote["text"].endswith("…")
                    assert _bare(quote["text"].strip("…")) in _bare(answer)
                else:
                    assert answer == quote["text"]
            assert 1 <= len(t["summary"]) <= 2 and all(_bare(s) in _bare(all_text) for s in t["summary"])
        assert q["overview"].startswith("「" + q["themes"][0]["label"] + "」")


def _bare(text: str) -> str:
    """Text without white space and list markers, to compare an excerpt with its answer."""
    return re.sub(r"[\s・①-⑳]", "", text)


def test_no_personal_information_in_any_output(corpus_run):
    texts = output_texts(corpus_run)
    assert {"assignments.csv", "themes.json", "report.html", "quotes.xlsx", "kwic.json", "run_state.json",
            "run_config.json", "wordclouds/q01/all.svg", "networks/q01_edges.csv"} <= set(texts)
    assert any(name.startswith("crosstabs/") for name in texts)
    leaks = [(p, name) for name, text in texts.items() for p in PERSONAL if p in text]
    assert leaks == []
    text = "\n".join(texts.values())
    assert "〔氏名〕" in text and "〔電話番号〕" in text and "〔メール〕" in text and "〔住所〕" in text
    # Decoys survive.
    assert "職員さん" in text and "担当の方" in text


def test_report_is_self_contained_japanese(corpus_run):
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    for q in doc["questions"]:
        for t in q["themes"]:
            assert t["label"] in html
    assert html.count("data:image/png;base64,") >= 3 + sum(len(q["themes"]) for q in doc["questions"])
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing loaded from the network"
    assert "@media print" in html


@pytest.mark.cli
def test_same_seed_gives_identical_files(corpus_run, tmp_path):
    """The real entry point, on the .xlsx export of the same survey: the same analysis, byte for
    byte (assignments.csv and themes.json, bar the input's name) — so a rerun is identical too."""
    out = tmp_path / "again"
    code, _, err = run_cli_subprocess(["themes", str(CORPUS / "survey.xlsx"), "--config", str(CORPUS / "survey.toml"),
                                       "--out", str(out)])
    assert code == 0, err
    assert err == "", "stderr carries errors only when it is not a terminal"
    assert (out / "assignments.csv").read_bytes() == (corpus_run / "assignments.csv").read_bytes()
    first = (corpus_run / "themes.json").read_bytes()
    second = (out / "themes.json").read_bytes()
    assert second.replace(b'"input": "survey.xlsx"', b'"input": "survey.csv"', 1) == first
    for name in ("quotes.xlsx", "codebook.xlsx", "codebook.toml"):  # staff's sheets too, whatever the day
        assert (out / name).read_bytes() == (corpus_run / name).read_bytes(), name


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


BAD = [
    (lambda t: [str(t / "missing.csv")], "見つかりません"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode()), "--text-col", "回答"], "列「回答」"),
    (lambda t: [_write(t, "a.csv", b"")], "空"),
    (lambda t: [_write(t, "a.csv", b"id,text\r\n")], "見出し行だけ"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode("cp932") + b"2,\x82\xff\n")], "3 行目"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode()), "--colour", "red"], "不明なオプション"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode()), "--k", "zero"], "テーマ数"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode()), "--encoding", "latin1"], "--encoding"),
    (lambda t: [_write(t, "a.pdf", b"%PDF")], "対応していない形式"),
    (lambda t: [_write(t, "a.csv", "id,text\n1,書類\n".encode()), "--config", str(t / "none.toml")], "設定ファイル"),
]


@pytest.mark.parametrize("make_args,message", BAD)
def test_bad_input_exits_2_with_a_japanese_message(tmp_path, make_args, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier result", encoding="utf-8")
    args = make_args(tmp_path)
    code, stdout, stderr = run_cli(["themes", *args[:1], "--out", str(out), *args[1:]])
    assert code == 2, stderr
    assert message in stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("エラー: ") and len(stderr.strip().splitlines()) <= 2
    assert [p.name for p in out.iterdir()] == ["earlier.txt"], "nothing half-written, nothing lost"
    assert not list(tmp_path.glob(".out.tmp-*"))


@pytest.mark.cli
def test_unknown_command_and_missing_out():
    code, _, stderr = run_cli_subprocess(["cluster", "x.csv"])
    assert code == 2 and "不明なコマンド" in stderr and "Traceback" not in stderr
    code, _, stderr = run_cli(["themes", "x.csv"])
    assert code == 2 and "--out" in stderr


def test_help_is_japanese():
    code, stdout, _ = run_cli(["themes", "--help"])
    assert code == 0 and "出力フォルダ" in stdout and "--text-col" in stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_progress_bars_count_every_stage(tmp_path, monkeypatch, workers):
    """Without --quiet on a terminal, every stage that can take seconds at national scale has a
    bar — reading the table, taking the answers out, preparing them, no_issue, themes, writing —
    and each bar reaches its total: every row, picture and file is counted once."""
    from pipeline import progress as progress_module

    bars: dict[str, list[int]] = {}

    class Recorder:
        def __init__(self, label: str, total: int):
            self.n = 0
            bars[label] = [total, 0]
            self.label = label

        def update(self, n: int = 1) -> None:
            self.n += n
            bars[self.label][1] += n

    @contextlib.contextmanager
    def bar(self, label, total, unit):
        yield Recorder(label, total)

    monkeypatch.setattr(progress_module.Progress, "__init__", lambda self, quiet=False: setattr(self, "enabled", not quiet))
    monkeypatch.setattr(progress_module.Progress, "bar", bar)
    code, _, err = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                            "--out", str(tmp_path / "out"), "--workers", workers])
    assert code == 0, err
    assert set(bars) == {"表の読み込み", "回答の取り出し", "形態素解析・マスキング", "「特になし」等の判定", "テーマの抽出", "書き出し"}
    text_length = len((CORPUS / "survey.csv").read_bytes().decode("cp932").replace("\r\n", "\n"))
    assert bars["表の読み込み"][0] in (text_length, len((CORPUS / "survey.csv").read_bytes().decode("cp932")))
    for label, (total, counted) in bars.items():
        assert counted == total, label
    pictures = len([p for p in (tmp_path / "out").rglob("*.png") if ".cache" not in p.parts])
    assert bars["書き出し"][0] == pictures + 12  # every picture drawn, and the writers' steps
