"""The codebook loop end to end, in-process: a run writes codebook.toml; staff edit it (rename,
merge, split by keywords, add examples); the next run with --codebook codes on their themes;
bad codebooks stop with exit status 2 and write nothing; KH Coder rule files work too."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

from pipeline import cli

ANSWERS = [
    "書類が多くて大変", "報告書の書類が負担", "書類の提出が面倒", "申請書類の様式が複雑", "提出書類が多すぎる",
    "会場の確保が難しい", "会場がない", "会場を借りたい", "活動する会場が足りない", "会場の予約が取れない",
    "補助金を増やしてほしい", "補助金の手続きが大変", "資金が足りない", "活動資金の補助がほしい", "補助金が少ない",
]


def _run(tmp_path: Path, *options: str, out: str = "out") -> tuple[int, Path]:
    src = tmp_path / "s.csv"
    if not src.exists():
        src.write_text("id,text\n" + "".join(f"a{i:02d},{t}\n" for i, t in enumerate(ANSWERS)), encoding="utf-8")
    target = tmp_path / out
    return cli.main(["themes", str(src), "--out", str(target), "--quiet", "--no-review", *options]), target


def _rows(out: Path) -> dict[str, dict]:
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def _themes(out: Path) -> list[dict]:
    return json.loads((out / "themes.json").read_text(encoding="utf-8"))["questions"][0]["themes"]


def test_every_run_writes_a_codebook_that_reads_back(tmp_path):
    code, out = _run(tmp_path, "--k", "3")
    assert code == 0
    book = tomllib.loads((out / "codebook.toml").read_text(encoding="utf-8"))["theme"]
    assert [t["key"] for t in book] == [t["key"] for t in _themes(out)] == ["t01", "t02", "t03"]
    assert all(t["question"] == "text" and t["label"] and 1 <= len(t["examples"]) <= 5 for t in book)
    # Fed back unchanged, it codes every example to its theme.
    code, again = _run(tmp_path, "--codebook", str(out / "codebook.toml"), out="again")
    assert code == 0
    rows = _rows(again)
    for t in book:
        for example in t["examples"]:
            assert rows[example]["theme_key"] == t["key"] and rows[example]["reason"] == f"例 {example}"


def test_edits_in_the_codebook_show_in_every_output(tmp_path):
    (tmp_path / "book.toml").write_text('''
[[theme]]
key = "paper"
label = "書類・事務の負担"
keywords = ["書類", "報告書", "様式"]
examples = ["a00"]

[[theme]]
key = "room"
label = "活動場所の確保"
keywords = ["会場"]

[[theme]]
key = "money"
label = "活動資金"
keywords = ["補助金", "資金"]

[[theme]]
key = "subsidy_paper"
label = "補助金の手続き"
merge_into = "money"
''', encoding="utf-8")
    code, out = _run(tmp_path, "--codebook", str(tmp_path / "book.toml"))
    assert code == 0
    rows = _rows(out)
    assert rows["a00"]["theme_key"] == "paper" and rows["a00"]["reason"] == "例 a00"
    assert rows["a05"]["theme_key"] == "room" and "キーワード: 会場" in rows["a05"]["reason"]
    assert rows["a12"]["theme_key"] == "money" and rows["a12"]["theme_label"] == "活動資金"
    keys = [t["key"] for t in _themes(out)]
    assert "subsidy_paper" not in keys and set(keys) <= {"paper", "room", "money", "other"}
    assert {t["label"] for t in _themes(out)} >= {"書類・事務の負担", "活動場所の確保", "活動資金"}
    assert "活動場所の確保" in (out / "report.html").read_text(encoding="utf-8")
    assert all(r["reason"] for r in rows.values())


def test_kh_coder_rule_file_as_codebook(tmp_path):
    (tmp_path / "rules.txt").write_text("# 試しのルール\n*書類\n書類 | 報告書\n*会場\n会場\n*お金\n補助金 or 資金\n",
                                        encoding="utf-8")
    code, out = _run(tmp_path, "--codebook", str(tmp_path / "rules.txt"))
    assert code == 0
    rows = _rows(out)
    assert rows["a01"]["theme_key"] == "書類" and rows["a01"]["reason"].startswith("ルール: ")
    assert rows["a06"]["theme_key"] == "会場" and rows["a10"]["theme_key"] == "お金"


def test_bad_codebook_exits_2_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text('[[theme]]\nkey = "paper"\nlabel = "書類"\nexamples = ["zz"]\n\n'
                                       '[[theme]]\nkey = "paper"\nlabel = "重複"\nrule = "書類 | (報告書"\n',
                                       encoding="utf-8")
    code, out = _run(tmp_path, "--codebook", str(tmp_path / "bad.toml"))
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.startswith("エラー: ") and "bad.toml" in err
    assert "zz" in err and "重なって" in err and "rule を読めません" in err
    (tmp_path / "book.pdf").write_text("x", encoding="utf-8")
    code, out = _run(tmp_path, "--codebook", str(tmp_path / "book.pdf"))
    assert code == 2 and "形式には対応していません" in capsys.readouterr().err


def test_groups_among_other_are_proposed_as_new_themes():
    """Answers that fit no codebook theme are clustered; each group of at least min_theme_size
    answers becomes a proposed theme (new01, … largest first); with too few of them, nothing is
    proposed."""
    import numpy as np

    from pipeline.config import Config
    from pipeline.guided import OTHER_KEY, Coded
    from pipeline.run import _propose

    rng = np.random.default_rng(0)
    centres = np.eye(4)[:2]
    x = np.vstack([centres[0] + 0.05 * rng.standard_normal((6, 4)), centres[1] + 0.05 * rng.standard_normal((6, 4)),
                   np.array([[0.0, 0.0, 1.0, 0.0]])])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    coded = [Coded("paper", 0.9, "キーワード: 書類")] * 2 + [Coded(OTHER_KEY, 0.0, "どのテーマにも近くない")] * 13
    x = np.vstack([np.array([[0.0, 0.0, 0.0, 1.0]] * 2), x])
    out = _propose(coded, x, np.ones(len(coded)), Config(min_theme_size=3))
    keys = [c.key for c in out]
    assert keys[:2] == ["paper", "paper"]
    assert len(x) == len(coded)
    first, second = set(keys[2:8]), set(keys[8:14])
    assert len(first) == len(second) == 1 and first != second and (first | second) == {"new01", "new02"}
    assert all("新しいテーマの候補" in c.reason for c in out[2:14])
    few = _propose(coded[:4], x[:4], np.ones(4), Config(min_theme_size=3))
    assert [c.key for c in few] == [c.key for c in coded[:4]], "too few answers in その他 to propose anything"
    taken = _propose(coded, x, np.ones(len(coded)), Config(min_theme_size=3), taken={"paper", "new01"})
    assert {c.key for c in taken[2:14]} == {"new02", "new03"}, "a key the codebook already has is never proposed"


def test_a_codebook_written_by_a_codebook_run_reads_back(tmp_path):
    """Third generation: a codebook run's own codebook.toml (with the themes it proposed, adopted
    as they are) is fed back; its keys stay, and they are the codebook's, not proposals."""
    (tmp_path / "book.toml").write_text('''
[[theme]]
key = "paper"
label = "書類の負担"
keywords = ["書類"]
[[theme]]
key = "new01"
label = "会場が足りない"
keywords = ["会場"]
''', encoding="utf-8")
    (tmp_path / "c.toml").write_text("min_theme_size = 2\n", encoding="utf-8")
    small = ("--config", str(tmp_path / "c.toml"))
    code, second = _run(tmp_path, "--codebook", str(tmp_path / "book.toml"), *small, out="second")
    assert code == 0
    code, third = _run(tmp_path, "--codebook", str(second / "codebook.toml"), *small, out="third")
    assert code == 0
    book = tomllib.loads((second / "codebook.toml").read_text(encoding="utf-8"))["theme"]
    themes = {t["key"]: t for t in _themes(third)}
    assert {t["key"] for t in book} <= set(themes)
    assert not themes["new01"].get("proposed") and themes["new01"]["label"] == "会場が足りない"
    assert all(t["label"] != "その他" for k, t in themes.items() if k != "other")
