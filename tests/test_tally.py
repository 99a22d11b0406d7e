"""Simple tallies (単純集計) of the respondents' attributes."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.records import Answer, Assignment, QuestionResult
from pipeline.tally import split_values, tallies, tally


def answers(cells, question="q"):
    return [Answer(id=f"r{i}", question=question, row=i, raw="", attrs=(("種別", c),)) for i, c in enumerate(cells)]


def counts(t):
    return [(v.value, v.count) for v in t.values]


@pytest.mark.parametrize("cells,expected,multi", [
    # by count, ties in order of first appearance
    (["町会", "NPO法人", "町会", "任意団体", "NPO法人", "町会"], [("町会", 3), ("NPO法人", 2), ("任意団体", 1)], False),
    (["任意団体", "町会"], [("任意団体", 1), ("町会", 1)], False),
    # blanks (also whitespace only, full-width space) are （無回答）, always last
    (["", "町会", "　", " ", "町会"], [("町会", 2), ("（無回答）", 3)], False),
    (["", ""], [("（無回答）", 2)], False),
    # NFKC and trimmed: full-width letters, half-width kana and padding are one value
    (["ＮＰＯ法人", " NPO法人 ", "NPO法人", "ｻｰｸﾙ", "サークル"], [("NPO法人", 3), ("サークル", 2)], False),
    # each default separator splits a multi-answer cell
    (["子育て、福祉", "福祉"], [("福祉", 2), ("子育て", 1)], True),
    (["子育て;福祉", "福祉"], [("福祉", 2), ("子育て", 1)], True),
    (["子育て；福祉", "福祉"], [("福祉", 2), ("子育て", 1)], True),
    (["子育て／福祉", "福祉"], [("福祉", 2), ("子育て", 1)], True),
    (["子育て/福祉", "福祉"], [("福祉", 2), ("子育て", 1)], True),
    # mixed separators, spaces around them, empty parts, a value twice in one cell
    (["子育て 、 福祉;;環境", "環境、環境", "、"], [("環境", 2), ("子育て", 1), ("福祉", 1), ("（無回答）", 1)], True),
    # 「・」 is not a separator: 子育て・教育 is one value
    (["子育て・教育", "子育て・教育"], [("子育て・教育", 2)], False),
])
def test_tally_counts(cells, expected, multi):
    t = tally(answers(cells), "種別")
    assert counts(t) == expected
    assert t.multi is multi
    assert t.n_respondents == len(cells) and t.attribute == "種別"


def test_percentages_are_of_respondents_and_may_sum_over_100():
    t = tally(answers(["子育て、福祉", "福祉", "", "環境"]), "種別")
    assert {v.value: v.percent for v in t.values} == {"福祉": 50.0, "子育て": 25.0, "環境": 25.0, "（無回答）": 25.0}
    assert sum(v.percent for v in t.values) == 125.0
    single = tally(answers(["a", "b", "b"]), "種別")
    assert sum(v.percent for v in single.values) == pytest.approx(100.0)


def test_counted_per_respondent_not_per_answer():
    """A wide table: each respondent appears once per question with the same attributes."""
    wide = answers(["町会", "NPO法人", "町会"], "q1") + answers(["町会", "NPO法人", "町会"], "q2")
    t = tally(wide, "種別")
    assert t.n_respondents == 3 and counts(t) == [("町会", 2), ("NPO法人", 1)]
    # Assignments (kept or excluded) count their answers' respondents the same way.
    assigned = [Assignment(answer=a, masked="", theme_id=-1 if n % 2 else 0, excluded_reason="empty" if n % 2 else "",
                           score=0.0) for n, a in enumerate(wide)]
    assert tally(assigned, "種別") == t
    # Over the questions of a result: the respondents of every question, once each.
    results = [QuestionResult(question=q, title=q, n_answers=3, n_excluded=0, k_chosen=0, themes=(),
                              assignments=tuple(a for a in assigned if a.answer.question == q)) for q in ("q1", "q2")]
    assert tallies(results, ["種別"]) == (t,)


def test_respondent_without_some_questions_and_first_attrs_win():
    long = [Answer("r1", "q1", 1, "", (("種別", "町会"),)), Answer("r2", "q2", 2, "", (("種別", "NPO法人"),)),
            Answer("r1", "q2", 3, "", (("種別", "任意団体"),))]
    t = tally(long, "種別")
    assert t.n_respondents == 2 and counts(t) == [("町会", 1), ("NPO法人", 1)]


def test_configured_separators_and_unknown_attribute():
    cells = ["子育て|福祉", "子育て、福祉"]
    t = tally(answers(cells), "種別", ("|",))
    assert counts(t) == [("子育て", 1), ("福祉", 1), ("子育て、福祉", 1)] and t.multi
    assert counts(tally(answers(cells), "種別", ())) == [("子育て|福祉", 1), ("子育て、福祉", 1)]
    missing = tally(answers(["a"]), "地区")
    assert counts(missing) == [("（無回答）", 1)] and missing.values[0].percent == 100.0


def test_split_values_and_config():
    assert split_values("  Ａ／ｂ ;a ") == ("A", "b", "a")
    assert split_values("") == () and split_values("、；") == ()
    assert Config().multi_separators == ("、", ";", "；", "／", "/")
    from pipeline.config import build
    from pipeline.errors import UserError

    assert build({"multi_separators": ["・"]}).multi_separators == ("・",)
    assert build({"multi_separators": "・"}).multi_separators == ("・",)
    with pytest.raises(UserError):
        build({"multi_separators": [1]})


def test_repeated_attributes_count_as_often_as_they_occur():
    # Respondents with the same attributes are counted together: the tally is the one a count
    # respondent by respondent gives, order of first appearance included.
    cells = ["町会", "NPO法人、町会", "", "任意団体", "町会", "NPO法人"] * 50 + ["任意団体"] * 100
    t = tally(answers(cells), "種別")
    assert counts(t) == [("町会", 150), ("任意団体", 150), ("NPO法人", 100), ("（無回答）", 50)]
    assert t.n_respondents == 400 and t.multi
