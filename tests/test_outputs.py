"""Outputs and the library API, in-process on small surveys: one switch for masking, what the run
actually used, gap-free replacement of --out, the machine state that `report --review` reads,
and no process-wide side effects."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import CORPUS, output_texts, run_cli

import pipeline
from pipeline import cli, outputs
from pipeline.config import Config

ROOT = Path(__file__).resolve().parent.parent
MASKS = ("〔氏名〕", "〔電話番号〕", "〔メール〕", "〔住所〕")

# A small survey with personal information in short answers, in a long multi-point answer (its
# quote is an excerpt) and next to theme keywords (KWIC lines).
PII_ANSWERS = [
    "書類が多くて大変です。担当の山田太郎さんに何度も電話しました。",
    "報告書の書類が負担。連絡は090-1234-5678まで。",
    "書類の提出が面倒で、事務作業が追いつかない",
    "書類の様式が複雑すぎる",
    "会場の確保が難しい。鈴木花子様に相談したが空きがなかった。",
    "会場がない。問い合わせは taro@example.jp へ",
    "会場を借りたいが予約が取れない",
    "会場の予約が取れず困っている",
    "・書類が多く、毎回の報告書作成に週末が消えてしまうほど負担が大きいと佐藤一郎さんにも伝えました。\n"
    "・会場の確保についても、公民館の抽選に何度も外れてしまい、佐藤一郎さんも活動日を決められないと困っています。\n"
    "・ご連絡は佐藤一郎（090-9876-5432）までお願いいたします。以上、よろしくお願いいたします。",
    "特になし",
    "",
]


@pytest.fixture(scope="module")
def pii_runs(tmp_path_factory):
    """The PII survey written masked and with --no-mask."""
    runs = {}
    for mask in (True, False):
        result = pipeline.analyse({"困っていること": PII_ANSWERS}, Config(k=2, mask=mask))
        runs[mask] = pipeline.write(result, tmp_path_factory.mktemp("pii") / "out")
    return runs


def test_no_mask_is_one_switch_for_every_output(pii_runs):
    texts = output_texts(pii_runs[False])
    masked_somewhere = {name: [m for m in MASKS if m in text] for name, text in texts.items()}
    assert {k: v for k, v in masked_somewhere.items() if v} == {}, "--no-mask: nothing masked anywhere"
    doc = json.loads((pii_runs[False] / "themes.json").read_text(encoding="utf-8"))
    quoted = "".join(q["text"] for t in doc["questions"][0]["themes"] for q in t["candidates"])
    summaries = "".join(s for t in doc["questions"][0]["themes"] for s in t["summary"])
    kwic = (pii_runs[False] / "kwic.json").read_text(encoding="utf-8")
    excerpts = [q["text"] for t in doc["questions"][0]["themes"] for q in t["candidates"] if q.get("excerpt")]
    assert excerpts and all("佐藤一郎" in e for e in excerpts), "excerpts of the long answer are unmasked"
    assert any(name in quoted + summaries + kwic for name in ("山田太郎", "鈴木花子"))
    assert "個人情報のマスキングをしていません" in texts["report.html"]


def test_masked_run_leaks_nothing_in_any_file(pii_runs):
    texts = output_texts(pii_runs[True])
    assert set(texts) >= {
        "assignments.csv", "themes.json", "kwic.json", "report.html", "run_state.json", "run_config.json",
        "quotes.xlsx", "wordclouds/q01/all.svg"}
    for secret in ("山田", "太郎", "鈴木花子", "佐藤一郎", "090-1234-5678", "090-9876-5432", "taro@example.jp"):
        leaks = [name for name, text in texts.items() if secret in text]
        assert leaks == [], f"{secret} in {leaks}"
    assert "〔氏名〕" in texts["assignments.csv"]


def test_what_the_run_used_is_recorded(monkeypatch, tmp_path):
    """Word vectors asked for but not installed: recorded as not used, said on screen and in the report."""
    from pipeline import wordvectors

    monkeypatch.setattr(wordvectors, "load", lambda *a, **k: None)
    result = pipeline.analyse(["書類が多い", "会場がない", "書類の提出が面倒", "会場を借りたい"], Config(k=2))
    assert result.word_vectors is False
    assert any(n.startswith("語ベクトルなし: 言い換えの近さは使っていません") for n in result.notices)
    out = pipeline.write(result, tmp_path / "out")
    run_config = json.loads((out / "run_config.json").read_text(encoding="utf-8"))
    assert run_config["word_vectors"] is False and run_config["word_vectors_requested"] is True
    assert json.loads((out / "themes.json").read_text(encoding="utf-8"))["word_vectors"] is False
    assert "語ベクトルなし" in (out / "report.html").read_text(encoding="utf-8")


def test_vectors_in_use_are_recorded_as_used(pii_runs):
    from pipeline import wordvectors

    used = wordvectors.load() is not None
    assert json.loads((pii_runs[True] / "run_config.json").read_text(encoding="utf-8"))["word_vectors"] is used
    assert json.loads((pii_runs[True] / "themes.json").read_text(encoding="utf-8"))["word_vectors"] is used


def test_replacing_out_never_leaves_a_gap(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("earlier", encoding="utf-8")
    seen = []
    real_replace = os.replace

    def watched(src, dst):
        real_replace(src, dst)
        seen.append(out.exists())

    monkeypatch.setattr(outputs.os, "replace", watched)
    new = outputs._new_folder(out)
    (new / "themes.json").write_text("new", encoding="utf-8")
    outputs._replace(new, out)
    assert all(seen), "there was a moment without the --out folder"
    assert [p.name for p in out.iterdir()] == ["themes.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "the earlier result is removed"


def test_leftovers_of_killed_runs_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (tmp_path / f".out.tmp-{dead_pid}-0123abcd").mkdir()
    (tmp_path / f".out.old-{dead_pid}-89abcdef").mkdir()
    (tmp_path / f".out.tmp-{os.getppid()}-00000000").mkdir()  # a live process's: left alone
    (tmp_path / f".other.tmp-{dead_pid}-0123abcd").mkdir()  # another --out's: left alone
    result = pipeline.analyse(["書類が多い", "会場がない", "書類が面倒", "会場を借りたい"], Config(k=2))
    pipeline.write(result, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f".out.tmp-{os.getppid()}-00000000", f".other.tmp-{dead_pid}-0123abcd", "out"])


def test_new_out_folder_has_ordinary_permissions(tmp_path):
    result = pipeline.analyse(["書類が多い", "会場がない", "書類が面倒", "会場を借りたい"], Config(k=2))
    out = pipeline.write(result, tmp_path / "out")
    umask = _umask()
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def _umask() -> int:
    """The process umask, read without changing it (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Umask:"):
            return int(line.split()[1], 8)
    pytest.skip("no /proc/self/status")


def test_tagger_settings_do_not_depend_on_a_shared_temp_folder(tmp_path, monkeypatch):
    """A file or folder another user left at a predictable path in the shared temp folder must not
    break the run, and nothing is left there."""
    from pipeline import tokenize

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    import unidic_lite

    digest = hashlib.sha1(tokenize._RC.format(dicdir=unidic_lite.DICDIR).encode("utf-8")).hexdigest()[:12]
    (tmp_path / f"jiyu-themes-{digest}.mecabrc").mkdir()  # where earlier versions wrote their settings
    before = sorted(p.name for p in tmp_path.iterdir())
    tokens = tokenize.Tokenizer().tokens("予算がない")
    assert [t.surface for t in tokens][:2] == ["予算", "が"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


TWO_THEMES = ["書類が多くて大変", "報告書の書類が負担", "書類の提出が面倒", "会場の確保が難しい", "会場がない",
              "会場を借りたい"]


def _small_run(tmp_path: Path, id_prefix: str) -> tuple[Path, Path]:
    """A two-theme survey written and analysed through the command line: (input, output folder)."""
    src = tmp_path / "s.csv"
    src.write_text("id,text\n" + "".join(f"{id_prefix}{i},{t}\n" for i, t in enumerate(TWO_THEMES)), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["themes", str(src), "--out", str(out), "--k", "2", "--quiet"]) == 0
    return src, out


def _edit_cell(book_path: Path, row: int, column: int, value: str):
    """Write one cell of the first sheet of quotes.xlsx, as staff would; the row's ID."""
    import openpyxl

    book = openpyxl.load_workbook(book_path)
    sheet = book.worksheets[0]
    sheet.cell(row=row, column=column, value=value)
    book.save(book_path)
    return sheet.cell(row=row, column=5).value


def _labels(out: Path) -> list[str]:
    return [t["label"] for t in json.loads((out / "themes.json").read_text(encoding="utf-8"))["questions"][0]["themes"]]


def test_report_review_reads_the_saved_state_not_the_csv(tmp_path):
    """Staff re-save assignments.csv in Excel (leading zeros go): report --review still works."""
    _, out = _small_run(tmp_path, "00")
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    with (out / "assignments.csv").open("w", encoding="cp932", newline="") as f:  # as Excel saves it
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "id": str(int(r["id"]))} for r in rows)
    picked = _edit_cell(out / "quotes.xlsx", 3, 8, "○")
    assert cli.main(["report", "--review", str(out / "quotes.xlsx"), "--out", str(out)]) == 0
    doc = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    first = doc["questions"][0]["themes"][0]["quotes"][0]
    assert first["id"] == picked and picked.startswith("00") and first["picked"] is True


def test_no_review_starts_afresh(tmp_path):
    src, out = _small_run(tmp_path, "r")
    _edit_cell(out / "quotes.xlsx", 3, 9, "職員が決めた名前")
    assert cli.main(["themes", str(src), "--out", str(out), "--k", "2", "--quiet"]) == 0
    assert "職員が決めた名前" in _labels(out), "carried over by default"
    _edit_cell(out / "quotes.xlsx", 3, 9, "別の名前")
    assert cli.main(["themes", str(src), "--out", str(out), "--k", "2", "--quiet", "--no-review"]) == 0
    assert "別の名前" not in _labels(out) and "職員が決めた名前" not in _labels(out)


class _Frame:
    """The part of a pandas DataFrame the API reads (pandas is not a dependency)."""

    def __init__(self, records: list[dict]):
        self.columns = list(records[0])
        self._records = records

    def to_dict(self, orient: str):
        assert orient == "records"
        return self._records


def test_library_api_takes_answers_in_memory(tmp_path):
    texts = [*TWO_THEMES, "特になし"]
    frame = _Frame([{"no": f"A{i}", "意見": t, "年代": "30代" if i % 2 else "60代", "点数": float(i)}
                    for i, t in enumerate(texts)] + [{"no": "A9", "意見": float("nan"), "年代": None, "点数": 1.0}])
    result = pipeline.analyse(frame, {"id_col": "no", "text_cols": ["意見"], "attr_cols": ["年代"], "k": 2})
    assert isinstance(result, pipeline.Result) and len(result) == 1
    q = result.question("意見")
    assert [a.answer.id for a in q.assignments] == [f"A{i}" for i in range(7)] + ["A9"]
    assert q.assignments[-1].excluded_reason == "empty"
    assert sum(t.size for t in q.themes) == 6 and q.overview.startswith(f"「{q.themes[0].label}」")
    assert [t.attribute for t in q.crosstabs] == ["年代"]
    wide = pipeline.analyse({"q1": texts, "q2": texts[:3]}, {"k": 2})
    assert [r.question for r in wide] == ["q1", "q2"] and wide[1].n_answers == len(texts)
    with pytest.raises(pipeline.UserError):
        pipeline.analyse(42)


SIDE_EFFECTS = """
import csv, gc, os, sys
import matplotlib
def umask():
    return [l for l in open('/proc/self/status') if l.startswith('Umask')]
def collector():
    return (gc.isenabled(), gc.get_freeze_count())
before = (csv.field_size_limit(), umask(), matplotlib.get_backend(), collector())
import pipeline
from pipeline.config import Config
result = pipeline.analyse({'q': ['書類が多い', '会場がない', '書類が面倒', '会場を借りたい'] * 3}, Config(k=2, workers=1))
pipeline.write(result, sys.argv[1])
pipeline.analyse(sys.argv[2], Config(workers=1))
pipeline.write(pipeline.analyse({'q': [f'書類が多い{i}' for i in range(3000)] + [f'会場がない{i}' for i in range(3000)]},
                                Config(k=2, workers=2)), sys.argv[1])  # workers and a parent analysing in turn
after = (csv.field_size_limit(), umask(), matplotlib.get_backend(), collector())
assert before == after, (before, after)
assert 'matplotlib.pyplot' not in sys.modules
print('clean')
"""


def test_no_process_wide_side_effects(tmp_path):
    src = tmp_path / "big.csv"
    src.write_text("id,text\n1," + "書類が多い。" * 30_000 + "\n2,会場がない\n", encoding="utf-8")
    env = {**os.environ, "MPLBACKEND": "pdf"}
    proc = subprocess.run([sys.executable, "-c", SIDE_EFFECTS, str(tmp_path / "out"), str(src)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)
    assert proc.returncode == 0 and "clean" in proc.stdout, proc.stderr


def test_unreadable_pick_marks_are_listed_on_screen(tmp_path, capsys):
    _, out = _small_run(tmp_path, "r")
    capsys.readouterr()
    _edit_cell(out / "quotes.xlsx", 3, 8, "△")
    assert cli.main(["report", "--review", str(out / "quotes.xlsx"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "注意: " in err and "採用欄の「△」は採用の印として読めない" in err
    doc = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    assert not any(q.get("picked") for t in doc["questions"][0]["themes"] for q in t["quotes"])


def test_the_state_keeps_which_themes_were_proposed(tmp_path):
    """`report --review` rebuilds from run_state.json: a theme a codebook run proposed (new01, …)
    stays marked 今回新たに見られた意見 there."""
    import dataclasses

    from pipeline.outputs import read_results

    result = pipeline.analyse(["書類が多い", "会場がない", "書類の提出が面倒", "会場を借りたい", "書類が大変", "会場が狭い"],
                              Config(k=2))
    q = result.questions[0]
    themes = (dataclasses.replace(q.themes[0], proposed=True),) + q.themes[1:]
    out = pipeline.write(dataclasses.replace(result, questions=(dataclasses.replace(q, themes=themes),)),
                         tmp_path / "out")
    again = read_results(out).questions[0].themes
    assert again[0].proposed and not again[1].proposed


def test_pictures_drawn_in_fresh_workers_are_the_forked_workers_pictures(corpus_run, tmp_path, monkeypatch):
    """Above DRAW_FRESH_ABOVE distinct texts the drawing workers start fresh (spawned: they inherit
    none of a large parent's memory); every file comes out byte for byte as with forked workers."""
    from pipeline import parallel

    if not parallel.can_fork():
        pytest.skip("no fork here: drawing workers always start fresh")
    started = []
    real_pool = parallel.pool

    def pool(workers, fresh=False):
        executor = real_pool(workers, fresh)
        started.append(executor._mp_context.get_start_method())
        return executor

    monkeypatch.setattr(parallel, "pool", pool)
    monkeypatch.setattr(parallel, "spawn_is_clean", lambda: True)
    monkeypatch.setattr(outputs, "DRAW_FRESH_ABOVE", 0)
    out = tmp_path / "out"
    code, _, err = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                            "--out", str(out), "--quiet"])
    assert code == 0, err
    assert "spawn" in started
    names = sorted(str(p.relative_to(corpus_run)) for p in corpus_run.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    for name in names:
        assert (out / name).read_bytes() == (corpus_run / name).read_bytes(), name


@pytest.mark.parametrize("texts_up_to,forked", [(10**9, True), (0, False)])
def test_run_state_is_written_beside_only_while_the_distinct_texts_are_few(corpus_run, tmp_path, monkeypatch,
                                                                           texts_up_to, forked):
    """Above STATE_BESIDE_ABOVE answers run_state.json is written by a forked child, unless the
    distinct texts pass STATE_BESIDE_TEXTS_UP_TO (the child would copy them all); the file is
    the same either way."""
    from pipeline import parallel

    calls = []
    real_beside = parallel.beside

    def beside(function, *args, fork=True):
        calls.append(fork)
        return real_beside(function, *args, fork=fork)

    monkeypatch.setattr(parallel, "beside", beside)
    monkeypatch.setattr(outputs, "STATE_BESIDE_ABOVE", 0)
    monkeypatch.setattr(outputs, "STATE_BESIDE_TEXTS_UP_TO", texts_up_to)
    out = tmp_path / "out"
    code, _, err = run_cli(["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"),
                            "--out", str(out), "--quiet"])
    assert code == 0, err
    assert calls == [forked]
    assert (out / "run_state.json").read_bytes() == (corpus_run / "run_state.json").read_bytes()


def test_assignments_csv_is_what_csv_writer_writes(tmp_path):
    # The rows are joined from pieces made once per distinct text and attributes
    # (`outputs.write_assignments`); the file must still be, byte for byte, a csv.writer's:
    # quoted ids, texts and attributes (commas, quotes, line breaks), empty cells, formula-like
    # text escaped, control characters removed, the BOM first.
    from pipeline.records import Answer, Assignment, QuestionResult, Theme
    from pipeline.sheets import cell, row_cells

    odd = ["", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "=SUM(A1)", " space ", "tab\tin", "ctl\x01x", "'quote",
           "日本語、テキスト", "-1", "+81"]
    themes = (Theme(0, "書類,の負担", (), 2, 0.5, (), (), key="t01"), Theme(1, '"予算"', (), 1, 0.25, (), (), key="t02"))
    assignments = []
    for i, text in enumerate(odd * 2):
        attrs = (("種別", odd[i % len(odd)]), ("年代", odd[(i * 5) % len(odd)]))
        answer = Answer(id=odd[(i * 3) % len(odd)] + str(i % 4), question="q", row=i, raw=text, attrs=attrs)
        theme = i % 3 - 1
        assignments.append(Assignment(answer, text, theme, "" if theme >= 0 else "non_answer", 0.123456 * i,
                                      (theme, 1) if theme >= 0 else (), "近い" if theme >= 0 else ""))
    results = [QuestionResult(q, q, len(assignments), 0, 2, themes, tuple(assignments)) for q in ("q", "設問,2")]
    config = Config(attr_cols=("種別", "年代"))
    path = tmp_path / "assignments.csv"
    outputs.write_assignments(results, config, path)

    expected = tmp_path / "expected.csv"
    with expected.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(row_cells(outputs.ASSIGNMENT_COLUMNS + list(config.attr_cols)))
        labels = {t.theme_id: t for t in themes}
        for r in results:
            for a in r.assignments:
                t = labels.get(a.theme_id)
                writer.writerow(row_cells([a.answer.id, r.question, a.theme_id, t.label if t else "", a.excluded_reason,
                                           f"{a.score:.4f}" if t else "", a.masked, t.key if t else "", a.reason,
                                           ";".join(map(str, a.theme_ids)), *[v for _, v in a.answer.attrs]]))
    assert path.read_bytes() == expected.read_bytes()
    assert cell("ctl\x01x") == "ctlx"


def test_run_state_rows_are_the_json_encoders(tmp_path):
    # run_state.json's answer rows are joined from pieces encoded once per distinct text and
    # attribute set (`outputs.write_state`); each line must be what the JSON encoder writes for
    # those rows: escapes, non-ASCII as is, NaN, ids and row numbers of other types from a library caller.
    from pipeline.records import Answer, Assignment, QuestionResult, Result

    odd = ['a"b', "back\\slash", "日本語\n改行", "\x01ctl", "", "tab\t", "😀", "</script>"]
    assignments = []
    for i in range(40):
        ident = odd[i % len(odd)] + str(i) if i % 7 else i  # an int id now and then
        attrs = (("種別", odd[(i * 3) % len(odd)]), ("年代", odd[i % 3]))
        answer = Answer(id=ident, question="q", row=i + 1, raw="", attrs=attrs)
        assignments.append(Assignment(answer, odd[i % 5], i % 3 - 1, "" if i % 3 else "non_answer",
                                      float("nan") if i == 4 else 0.5 * (i % 4), (i % 3 - 1, 2) if i % 3 else (),
                                      odd[i % 4]))
    result = Result((QuestionResult("q", "設問", 40, 13, 2, (), tuple(assignments)),), Config())
    outputs.write_state(result, tmp_path / "state.json")
    lines = (tmp_path / "state.json").read_text(encoding="utf-8").splitlines()
    rows = [line.rstrip(",") for line in lines if line.startswith(("[", ",["))]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    expected = encode([[a.answer.id, a.answer.row, [list(x) for x in a.answer.attrs], a.masked, a.theme_id,
                        list(a.theme_ids), a.excluded_reason, a.score, a.reason] for a in assignments])[1:-1]
    assert [r.lstrip(",") for r in rows] == [expected]


@pytest.mark.parametrize("fails", [False, True])
def test_clouds_drawn_during_the_analysis_are_the_writers_clouds(tmp_path, monkeypatch, fails):
    """When questions are analysed side by side, a worker left idle draws the finished questions'
    word clouds (`outputs.EarlyClouds`); the writer takes them instead of drawing them: every file
    byte for byte as when the writer draws them all — also when that drawing fails in the worker
    (then the writer draws them) — and the clouds' own folder is gone after the run."""
    from pipeline import parallel, run

    if not parallel.can_fork():
        pytest.skip("no fork here: the questions are analysed in turn")
    monkeypatch.setattr(run, "PARALLEL_QUESTIONS_ABOVE", 0)  # the bundled survey side by side
    args = ["themes", str(CORPUS / "survey.csv"), "--config", str(CORPUS / "survey.toml"), "--quiet", "--no-cache",
            "--workers", "2"]
    real_submit = outputs.EarlyClouds.submit
    monkeypatch.setattr(outputs.EarlyClouds, "submit", lambda self, pool, index, result: None)
    code, _, err = run_cli([*args, "--out", str(tmp_path / "plain")])
    assert code == 0, err

    submitted, folders, taken = [], [], []
    real_take = outputs.EarlyClouds.take

    def submit(self, pool, index, result):
        submitted.append(index)
        future = real_submit(self, pool, index, result)
        folders.append(self.folder)
        return future

    def take(self, rel, name, targets):
        found = real_take(self, rel, name, targets)
        taken.append(found)
        return found

    monkeypatch.setattr(outputs.EarlyClouds, "submit", submit)
    monkeypatch.setattr(outputs.EarlyClouds, "take", take)
    if fails:
        def broken(*_):
            raise OSError("disk full")

        monkeypatch.setattr(outputs, "_draw_early", broken)  # (the forked workers have it too)
    code, _, err = run_cli([*args, "--out", str(tmp_path / "early")])
    assert code == 0, err
    assert submitted and taken and any(taken) is not fails
    assert all(folder is not None and not folder.exists() for folder in folders)
    plain, early = tmp_path / "plain", tmp_path / "early"
    names = sorted(str(p.relative_to(plain)) for p in plain.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(early)) for p in early.rglob("*") if p.is_file())
    for name in names:
        assert (early / name).read_bytes() == (plain / name).read_bytes(), name


def test_early_clouds_folder_is_removed_only_once_nothing_draws_into_it(tmp_path, monkeypatch):
    # A run that fails while a worker draws early clouds: `close` cancels what has not started,
    # waits for what has, then removes the folder — a worker never recreates it afterwards.
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.records import QuestionResult, Theme

    started = threading.Event()

    def slow(font, chars, narrowed, pictures):
        started.set()
        time.sleep(0.3)
        for picture in pictures:
            picture.arguments["path"].parent.mkdir(parents=True, exist_ok=True)
            picture.arguments["path"].write_bytes(b"png")

    monkeypatch.setattr(outputs, "_draw_early", slow)
    theme = Theme(0, "書類が多い", ("書類",), 2, 1.0, (), (), term_weights=(("書類", 1.0),), key="t01")
    result = QuestionResult("q", "q", 2, 0, 1, (theme,), (), term_weights=(("書類", 2.0), ("多い", 1.0)))
    clouds = outputs.EarlyClouds(Config())
    with ThreadPoolExecutor(1) as pool:
        first = clouds.submit(pool, 0, result)
        second = clouds.submit(pool, 1, result)  # waits behind the first: cancelled by close
        started.wait(5)
        folder = clouds.folder
        clouds.close()
        assert first.done() and second.cancelled()
    assert folder is not None and not folder.exists()
