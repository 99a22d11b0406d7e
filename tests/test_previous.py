"""The next wave on last wave's themes: previous shares, the test of each change, and a two-wave
run of the bundled survey split in halves (the second coded with the first's codebook)."""

from __future__ import annotations

import csv
import json
import math

import pytest
from conftest import CORPUS

from pipeline import cli
from pipeline.previous import changes, holm, two_proportion_p
from pipeline.records import Theme


def test_two_proportion_test_by_hand():
    # 30/100 against 15/100: pooled 0.225, se √(0.225·0.775·0.02) = 0.05906, z = 2.540.
    z = 0.15 / math.sqrt(0.225 * 0.775 * 0.02)
    assert two_proportion_p(30, 100, 15, 100) == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert two_proportion_p(30, 100, 15, 100) == pytest.approx(0.01108, abs=1e-4)
    assert two_proportion_p(0, 50, 0, 60) == 1.0


def test_holm_by_hand():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def _theme(key: str, size: int, n: int) -> Theme:
    return Theme(theme_id=0, label=key, keywords=(), size=size, share=round(size / n, 3), quotes=(), candidates=(),
                 key=key)


def test_changes_match_keys_and_correct_for_the_number_of_themes():
    now = [_theme("paper", 60, 200), _theme("room", 50, 200), _theme("new", 90, 200)]
    earlier = (200, {"paper": 0.15, "room": 0.25, "gone": 0.6})
    got = {c.key: c for c in changes(now, 200, earlier)}
    assert got["new"].previous_share is None and got["new"].p_adjusted is None and got["new"].verdict == ""
    assert got["paper"].points == pytest.approx(15.0) and got["room"].points == pytest.approx(0.0)
    raw = two_proportion_p(60, 200, 30, 200)
    assert got["paper"].p_adjusted == pytest.approx(min(1.0, 2 * raw)) and got["paper"].verdict == "増加"
    assert got["room"].verdict == ""
    assert all(c.previous_share is None for c in changes(now, 200, None))


def test_two_waves_of_the_bundled_survey(tmp_path):
    with (CORPUS / "survey.csv").open(encoding="cp932", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    for name, part in (("wave1.csv", body[:125]), ("wave2.csv", body[125:])):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *part])
    config = str(CORPUS / "survey.toml")
    first, second = tmp_path / "wave1", tmp_path / "wave2"
    assert cli.main(["themes", str(tmp_path / "wave1.csv"), "--config", config, "--out", str(first), "--quiet"]) == 0
    assert cli.main(["themes", str(tmp_path / "wave2.csv"), "--config", config, "--out", str(second), "--quiet",
                     "--codebook", str(first / "codebook.toml"), "--previous", str(first)]) == 0
    before = {q["question"]: q for q in json.loads((first / "themes.json").read_text(encoding="utf-8"))["questions"]}
    after = json.loads((second / "themes.json").read_text(encoding="utf-8"))["questions"]
    for q in after:
        shares = {t["key"]: t["share"] for t in before[q["question"]]["themes"]}
        for t in q["themes"]:
            assert t["key"] in shares or t["key"] == "other" or t.get("proposed") is True
            assert t["previous_share"] == shares.get(t["key"])
            if t["key"] in shares:
                assert t["label"] == next(x["label"] for x in before[q["question"]]["themes"] if x["key"] == t["key"])
        assert [c["key"] for c in q["changes"]] == [t["key"] for t in q["themes"]]
    assert (second / "report.html").read_text(encoding="utf-8").count("前回との比較") == len(after)


def test_previous_must_be_an_earlier_output(tmp_path, capsys):
    src = tmp_path / "s.csv"
    src.write_text("id,text\n1,書類が多い\n2,会場がない\n", encoding="utf-8")
    code = cli.main(["themes", str(src), "--out", str(tmp_path / "out"), "--previous", str(tmp_path / "none")])
    assert code == 2 and "themes.json" in capsys.readouterr().err and not (tmp_path / "out").exists()
