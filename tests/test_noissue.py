"""no_issue through the pipeline: set aside per question by what it asks, written to
assignments.csv and themes.json, counted in the report, kept across `report --review`."""

from __future__ import annotations

import csv
import json

import pytest

import pipeline
from pipeline import cli, report
from pipeline.config import Config, build, read_toml
from pipeline.errors import UserError
from pipeline.outputs import read_results

PROBLEMS = ["駐車場が狭い", "バスの本数が少ない", "トイレが分かりにくい", "飲食店が少ない", "道が混んでいた",
            "駐車場が少なくて困った", "バスが少ない", "トイレが少ない", "コンビニがない", "案内板が小さくて見にくい"]
NO_ISSUE = ["特に不便はなかった", "車なので特に困らなかった", "とても良い所です", "満足しています"]
KEPT = ["特にないが、駐車場は狭い", "景色は最高だが駐車場が狭い"]
GOOD = ["景色が最高でした", "料理が美味しかった", "スタッフが親切でした", "温泉が気持ちよかった", "海がきれいだった",
        "とても楽しかったです", "また来たいです", "駅から近くて便利でした"]
CONFIG = Config(k=2, word_vectors=False, workers=1)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Two questions of the same wide table: one on problems (named so), one on what was good
    (read from its answers), with the same praise answer in both."""
    problems = PROBLEMS * 2 + NO_ISSUE + KEPT + ["特になし", ""]
    good = GOOD * 3 + ["特に不便はなかった", "とても良い所です"]
    result = pipeline.analyse({"不便に感じたこと": problems, "Q2": good}, CONFIG)
    return result, pipeline.write(result, tmp_path_factory.mktemp("noissue") / "out")


def test_set_aside_by_what_the_question_asks(run):
    result, _ = run
    problems, good = result
    why = {a.masked: a.excluded_reason for a in problems.assignments}
    assert all(why[t] == "no_issue" for t in NO_ISSUE)
    assert all(why[t] == "" for t in KEPT + PROBLEMS)
    assert why["特になし"] == "non_answer" and why[""] == "empty"
    assert (problems.asks, problems.asks_from) == ("problems", "title")
    assert (good.asks, good.asks_from) == ("good", "answers")
    # Praise is the content of a question on what was good, and so is 特に不便はなかった (a reason
    # to be satisfied).
    good_why = {a.masked: a.excluded_reason for a in good.assignments}
    assert good_why["とても良い所です"] == "" and good_why["特に不便はなかった"] == ""


def test_assignments_and_themes_json(run):
    _, out = run
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["question"] == "不便に感じたこと"]
    aside = [r for r in rows if r["excluded_reason"] == "no_issue"]
    assert sorted(r["text"] for r in aside) == sorted(NO_ISSUE)
    assert all(r["theme_id"] == "-1" and r["theme_label"] == "" and r["theme_key"] == "" for r in aside)
    doc = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    q = doc["questions"][0]
    assert q["excluded_by_reason"] == {"empty": 1, "no_issue": len(NO_ISSUE), "non_answer": 1}
    assert q["n_excluded"] == len(NO_ISSUE) + 2 and (q["asks"], q["asks_from"]) == ("problems", "title")
    assert (doc["questions"][1]["asks"], doc["questions"][1]["asks_from"]) == ("good", "answers")
    assert sum(t["size"] for t in q["themes"]) == q["n_answers"] - q["n_excluded"]


def test_report_counts_no_issue_in_the_question_s_words(run):
    result, out = run
    written = result[0].n_answers - 1  # the blank cell is not an answer written
    line = f"特に不便・問題はなかった（no_issue）{len(NO_ISSUE)} 件（記入のあった回答 {written} 件の {len(NO_ISSUE) / written * 100:.1f}%）"
    assert report.no_issue_line(result[0]) == line
    assert report.no_issue_line(result[1]) == ""
    html = (out / "report.html").read_text(encoding="utf-8")
    assert line in html and "特に不便・問題はなかった 4 件" in html
    assert "「不便・問題」をたずねる設問として扱い" in html and "設問名から判断" in html
    assert "「良かった点」をたずねる設問として扱い" in html and "回答の内容から判断" in html


@pytest.mark.parametrize("asks,words", [("requests", "特に要望はない・満足している"), ("other", "特に問題・要望はない")])
def test_report_line_follows_the_framing(asks, words):
    result = pipeline.analyse({"Q": PROBLEMS + ["特に不便はなかった", "問題ありません"]},
                              Config(k=2, word_vectors=False, workers=1, question_asks=(("Q", asks),)))
    q = result[0]
    assert (q.asks, q.asks_from) == (asks, "config")
    assert report.no_issue_line(q).startswith(f"{words}（no_issue）2 件")


def test_framing_survives_report_review(run, tmp_path):
    _, out = run
    again = read_results(out)
    assert [(q.asks, q.asks_from) for q in again] == [("problems", "title"), ("good", "answers")]
    assert cli.main(["report", "--review", str(out / "quotes.xlsx"), "--out", str(out)]) == 0
    assert "特に不便・問題はなかった（no_issue）" in (out / "report.html").read_text(encoding="utf-8")


def test_asks_in_the_config_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[questions."不便さの内容"]\nasks = "problems"\n'
                    '[questions."満足度の理由"]\ntitle = "満足の理由"\nasks = "good"\n', encoding="utf-8")
    config = build(read_toml(path))
    assert config.question_asks == (("不便さの内容", "problems"), ("満足度の理由", "good"))
    assert config.question_titles == (("満足度の理由", "満足の理由"),)
    assert config.question_ask("不便さの内容") == "problems" and config.question_ask("他") is None
    assert build({"question_asks": {"Q": "requests"}}).question_ask("Q") == "requests"
    path.write_text('[questions."Q"]\nasks = "complaints"\n', encoding="utf-8")
    with pytest.raises(UserError, match="asks"):
        build(read_toml(path))


def test_a_tiny_share_is_not_written_as_zero():
    from pipeline.records import Answer, Assignment, QuestionResult

    def answer(i: int, why: str) -> Assignment:
        return Assignment(answer=Answer(id=str(i), question="Q", row=i, raw=""), masked="", theme_id=-1 if why else 0,
                          excluded_reason=why, score=0.0)

    rows = tuple(answer(i, "no_issue" if i == 0 else "") for i in range(3000))
    q = QuestionResult(question="Q", title="Q", n_answers=3000, n_excluded=1, k_chosen=0, themes=(), assignments=rows,
                       asks="other", asks_from="answers")
    assert report.no_issue_line(q) == "特に問題・要望はない（no_issue）1 件（記入のあった回答 3,000 件の 0.1% 未満）"


@pytest.mark.parametrize("text, asks, aside", [
    ("駐車場が狭い。料理は美味しかった", "problems", True),
    ("駐車場が狭い。特に不便はなかった", "problems", True),
    ("駐車場が狭い。他は満足しています", "requests", True),
    ("お蕎麦が美味しかったです。もっとお店があるといい", "requests", True),
    ("駐車場が狭い", "problems", False),
    ("特にないが、駐車場は狭い", "problems", False),  # a non-answer piece says nothing either way
    ("駐車場が狭い。料理は美味しかった", "good", False),  # praise is the content there
    ("会員だけで活動が完結している。困っていることが特にない", "other", False),  # a reason, not nothing
    ("", "problems", False),
])
def test_says_aside_tells_a_clause_that_says_no_concern(text, asks, aside):
    from pipeline import noissue
    from pipeline.normalize import normalize

    assert noissue.says_aside(normalize(text), asks) is aside


def test_quotes_say_the_concern_on_their_own(monkeypatch):
    """An answer that says_aside marks (a clause of praise beside its concern, to a question on
    problems) is no clear member: the theme's answers that say the concern alone are quoted first.
    Here says_aside marks the answer quoted first where nothing is marked, told what the question
    asks."""
    from pipeline import noissue

    parking = ["駐車場が狭い", "駐車場が狭かった", "駐車場が狭い", "駐車場が少し狭い", "駐車場がとても狭い", "駐車場が狭すぎる"]
    toilets = ["トイレが古い", "トイレが汚い", "トイレが古くて汚い", "トイレが少ない", "トイレが和式だけ", "トイレが暗い"]
    marked, seen = {""}, set()

    def says_aside(norm, asks):
        seen.add(asks)
        return asks == "problems" and norm in marked

    monkeypatch.setattr(noissue, "says_aside", says_aside)
    config = Config(k=2, word_vectors=False, workers=1, max_quotes=3)

    def quoted(title):
        result = pipeline.analyse({title: parking + toilets}, config)[0]
        return [q.text for q in next(t for t in result.themes if "駐車場" in t.label).quotes]

    typical = quoted("不便に感じたこと")[0]
    assert quoted("よかったこと")[0] == typical
    marked.add(typical)
    assert quoted("よかったこと")[0] == typical  # praise is no aside there: nothing changes
    assert quoted("不便に感じたこと")[0] != typical
    assert seen == {"problems", "good"}
