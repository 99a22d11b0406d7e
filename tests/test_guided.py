"""Guided coding: examples, rules, keywords and exclude decide before similarity; far answers go
to その他; merge_into codes to the target's key; the same input codes the same way every time."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pipeline import guided
from pipeline.codebook import OTHER_KEY, CodebookTheme
from pipeline.config import Config
from pipeline.records import Answer, Prepared
from pipeline.run import prepare

TEXTS = [
    "書類が多くて大変です",  # K0001
    "報告書の書類作成が負担です",  # K0002
    "事務の書類手続きが面倒です",  # K0003
    "予算がないと断られました",  # K0004
    "予算不足で提案が通らない",  # K0005
    "予算が足りないと言われる",  # K0006
    "書類の提出がとても大変",  # K0007
    "予算がないと言われてしまう",  # K0008
    "駐車場の猫がかわいい",  # K0009: about nothing the themes are about
    "書類が多くて大変なので窓口がほしい",  # K0010: paperwork-like text with the word 窓口
    "補助金の書類が多い",  # K0011
]


def ids(n: int) -> str:
    return f"K{n:04d}"


@pytest.fixture(scope="module")
def answers():
    items = prepare([Answer(id=ids(i + 1), question="q", row=i + 1, raw=t) for i, t in enumerate(TEXTS)],
                    Config(word_vectors=False))
    reps, x = guided.question_vectors(items, seed=0)
    assert [p.answer.id for p in reps] == [ids(i + 1) for i in range(len(TEXTS))]
    return reps, x


PAPER = CodebookTheme(key="paper", label="書類の負担", question="q", examples=("K0001", "K0002"))
BUDGET = CodebookTheme(key="budget", label="予算", question="q", examples=("K0004", "K0005"))


def coded(answers, themes, **options) -> dict[str, guided.Coded]:
    reps, x = answers
    out = guided.code(reps, x, themes, **options)
    assert len(out) == len(reps)
    return {p.answer.id: c for p, c in zip(reps, out)}


def test_similarity_codes_unlabelled_answers_to_the_nearer_theme(answers):
    c = coded(answers, [PAPER, BUDGET])
    assert c["K0007"].key == "paper"
    assert c["K0006"].key == "budget" and c["K0008"].key == "budget"
    assert all(0.0 <= x.score <= 1.0 for x in c.values())


def test_examples_are_always_coded_to_their_theme(answers):
    # K0006 is about the budget, but staff listed it as an example of paperwork
    paper = CodebookTheme(key="paper", label="書類", question="q", examples=("K0001", "K0006"))
    c = coded(answers, [paper, BUDGET])
    assert c["K0006"] == guided.Coded("paper", 1.0, "例 K0006")
    assert c["K0004"] == guided.Coded("budget", 1.0, "例 K0004")


def test_a_matching_rule_wins_over_keywords_and_similarity(answers):
    budget = CodebookTheme(key="budget", label="予算", question="q", examples=("K0004", "K0005"), rule="補助金 | 助成金")
    paper = CodebookTheme(key="paper", label="書類", question="q", examples=("K0001", "K0002"), keywords=("書類",))
    c = coded(answers, [paper, budget])
    assert c["K0011"].key == "budget"  # 補助金の書類が多い: the rule beats the keyword 書類
    assert c["K0011"].reason == "ルール: 補助金 | 助成金（補助金）"
    assert coded(answers, [paper, BUDGET])["K0011"].key == "paper"  # without the rule, 書類 decides


def test_a_keyword_wins_over_similarity(answers):
    desk = CodebookTheme(key="desk", label="相談窓口", question="q", keywords=("窓口",), examples=("K0009",))
    c = coded(answers, [PAPER, BUDGET, desk])
    assert c["K0010"].key == "desk"
    assert c["K0010"].reason == "キーワード: 窓口"
    # without the keyword the text's similarity to the paperwork examples decides
    plain = CodebookTheme(key="desk", label="相談窓口", question="q", examples=("K0009",))
    assert coded(answers, [PAPER, BUDGET, plain])["K0010"].key == "paper"


def test_exclude_removes_a_keywords_evidence(answers):
    desk = CodebookTheme(key="desk", label="相談窓口", question="q", keywords=("窓口",), exclude=("窓口",),
                         examples=("K0009",))
    c = coded(answers, [PAPER, BUDGET, desk])
    assert c["K0010"].key == "paper"
    assert not c["K0010"].reason.startswith("キーワード")
    # a keyword found only inside an excluded word is no evidence either
    p = Prepared(answer=Answer(id="K0100", question="q", row=1, raw=""), norm="ホームページでページ数の多い冊子を紹介",
                 masked="", excluded_reason="", terms=("ホームページ", "ページ数", "冊子"))
    page = CodebookTheme(key="a", label="a", question="q", keywords=("ページ", "冊子"))
    assert guided.keyword_hits(page, guided.answer_words(p), p.norm) == ["ページ", "冊子"]
    page = CodebookTheme(key="a", label="a", question="q", keywords=("ページ", "冊子"), exclude=("ホームページ", "ページ数"))
    assert guided.keyword_hits(page, guided.answer_words(p), p.norm) == ["冊子"]


def test_an_answer_far_from_every_theme_goes_to_other(answers):
    c = coded(answers, [PAPER, BUDGET])
    assert c["K0009"].key == OTHER_KEY
    assert c["K0009"].reason == "どのテーマにも近くない"
    assert all(c[i].key != OTHER_KEY for i in ("K0003", "K0006", "K0007", "K0008"))


def test_merge_into_codes_to_the_target_key(answers):
    forms = CodebookTheme(key="forms", label="手続き", question="q", examples=("K0003",), merge_into="paper")
    c = coded(answers, [PAPER, BUDGET, forms])
    assert c["K0003"] == guided.Coded("paper", 1.0, "例 K0003")
    assert {x.key for x in c.values()} <= {"paper", "budget", OTHER_KEY}
    assert guided.resolved_keys([PAPER, forms, BUDGET]) == ["paper", "paper", "budget"]


@pytest.mark.parametrize("method", guided.METHODS)
def test_deterministic(answers, method):
    first = coded(answers, [PAPER, BUDGET], method=method, seed=3)
    assert coded(answers, [PAPER, BUDGET], method=method, seed=3) == first


def test_reasons_are_japanese_of_the_right_form(answers):
    desk = CodebookTheme(key="desk", label="相談窓口", question="q", keywords=("窓口",))
    c = coded(answers, [PAPER, BUDGET, desk])
    forms = {
        "例": re.compile(r"例 K\d{4}"),
        "近い": re.compile(r"例 K\d{4} に近い \(\d\.\d\d\)"),
        "キーワード": re.compile(r"キーワード: [^・]+(・[^・]+)*"),
        "その他": re.compile(r"どのテーマにも近くない"),
    }
    seen = set()
    for x in c.values():
        kind = next(k for k, f in forms.items() if f.fullmatch(x.reason))
        seen.add(kind)
    assert seen == set(forms)
    assert c["K0007"].reason.startswith("例 K000")  # names the closest paperwork example


def test_no_themes_codes_everything_other(answers):
    assert {x.key for x in coded(answers, []).values()} == {OTHER_KEY}


def test_a_themes_label_joins_its_prototype_when_vectorised_with_the_answers():
    items = prepare([Answer(id=ids(i + 1), question="q", row=i + 1, raw=t) for i, t in enumerate(TEXTS)],
                    Config(word_vectors=False))
    budget = CodebookTheme(key="budget", label="予算がない", question="q")  # no example, no keyword
    themes = [PAPER, budget]
    names = prepare([Answer(id="_budget", question="q", row=0, raw=guided.theme_text(t)) for t in themes], Config(word_vectors=False))
    reps, both = guided.question_vectors(items, seed=0, extra=names)
    x, described = both[:len(reps)], both[len(reps):]
    assert described.shape[0] == 2
    with_names = {p.answer.id: c.key for p, c in zip(reps, guided.code(reps, x, themes, described=described))}
    without = {p.answer.id: c.key for p, c in zip(reps, guided.code(reps, x, themes))}
    assert with_names["K0004"] == with_names["K0008"] == "budget"
    assert "budget" not in without.values()  # a theme without seeds gets nothing
    assert guided.theme_text(CodebookTheme(key="k", label="予算", question=None, description="予算が足りない")) == "予算。予算が足りない"


def synthetic(texts_terms: list[tuple[str, tuple[str, ...]]]) -> list[Prepared]:
    """Answers with given text and terms, for tests that set the vectors by hand."""
    return [Prepared(answer=Answer(id=ids(i + 1), question="q", row=i + 1, raw=t), norm=t, masked=t,
                     excluded_reason="", terms=terms) for i, (t, terms) in enumerate(texts_terms)]


def unit_rows(rows: list[list[float]]) -> np.ndarray:
    x = np.array(rows, dtype=float)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_a_themes_words_are_half_its_prototype_not_one_seed_among_many():
    # five answers found by theme a's keyword lie along axis 0; a's description along axis 1;
    # answer 7 says what the description says, in words no keyword finds; theme b's example is axis 2
    reps = synthetic([(f"駐車場{i}", ("駐車場",)) for i in range(5)] + [("例", ()), ("説明どおり", ())])
    x = unit_rows([[1, 0.05 * i, 0] for i in range(5)] + [[0, 0.3, 1], [0.2, 1, 0.45]])
    described = unit_rows([[0, 1, 0], [0, 0.2, 1]])
    a = CodebookTheme(key="a", label="a", question="q", keywords=("駐車場",))
    b = CodebookTheme(key="b", label="b", question="q", examples=("K0006",))
    half = guided.code(reps, x, [a, b], described=described, other_factor=0.0, min_fit=0.0)
    one_seed = guided.code(reps, x, [a, b], described=described, other_factor=0.0, min_fit=0.0, anchor_weight=0.0)
    assert half[6].key == "a"
    assert one_seed[6].key == "b"  # the description drowned among the five keyword answers


def test_anchored_prototype_is_the_sum_of_two_unit_means():
    x = unit_rows([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]])
    scores = guided.similarity(x, [[0, 1, 2, 3]], "centroid", anchors=[[3]], anchor_weight=1.0)
    assert scores[4, 0] == pytest.approx(1.0)  # (1, 1, 0)/√2 is the prototype itself
    assert scores[0, 0] == pytest.approx(2 ** -0.5)
    plain = guided.similarity(x, [[0, 1, 2, 3]], "centroid")
    assert plain[4, 0] == pytest.approx(4 / (2 ** 0.5 * 10 ** 0.5))  # mean (3, 1, 0)


def test_an_answer_with_several_themes_keywords_goes_to_the_one_with_most():
    reps = synthetic([("書類と事務と予算", ("書類", "事務", "予算")), ("書類", ("書類",)), ("予算", ("予算",))])
    # by similarity the first answer is a budget answer
    x = unit_rows([[0.2, 1], [1, 0], [0, 1]])
    paper = CodebookTheme(key="paper", label="p", question="q", keywords=("書類", "事務"))
    budget = CodebookTheme(key="budget", label="b", question="q", keywords=("予算",))
    most = guided.code(reps, x, [paper, budget])
    assert most[0].key == "paper" and most[0].reason.startswith("キーワード: 書類・事務")
    assert guided.code(reps, x, [paper, budget], multi="similarity")[0].key == "budget"
    with pytest.raises(ValueError):
        guided.code(reps, x, [paper, budget], multi="longest")


def test_keyword_check_drops_a_keyword_whose_answers_lie_near_another_theme():
    # 場所 (theme place) finds answers 3 and 4, which lie next to theme food's example and name
    reps = synthetic([("会場", ("会場",)), ("食事", ()), ("駐車場", ()), ("食事場所", ("食事場所", "場所")),
                      ("食べる場所", ("場所",))])
    x = unit_rows([[1, 0], [0, 1], [1, 0.1], [0.1, 1], [0.15, 1]])
    place = CodebookTheme(key="place", label="場所", question="q", keywords=("場所", "会場"), examples=("K0001",))
    food = CodebookTheme(key="food", label="食事", question="q", examples=("K0002",))
    described = unit_rows([[1, 0.05], [0.05, 1]])
    kept = guided.code(reps, x, [place, food], described=described)
    checked = guided.code(reps, x, [place, food], described=described, keyword_check=True)
    assert kept[3].key == kept[4].key == "place"
    assert checked[3].key == checked[4].key == "food"
    assert checked[2].key == "place"  # 駐車場: no keyword, near the place example


def test_closest_seeds_by_blocks_is_the_brute_force_answer(monkeypatch):
    rng = np.random.default_rng(1)
    x = unit_rows(rng.normal(size=(30, 5)).tolist())
    seeds = [[0, 3, 7, 11], [5], []]
    pairs = [(u, u % 3) for u in range(30)]
    monkeypatch.setattr(guided, "CHUNK", 4)
    got = guided.closest_seeds(x, seeds, pairs)
    for (u, j), (row, sim) in zip(pairs, got):
        rows = [r for r in seeds[j] if r != u]
        if not rows:
            assert row == -1 and sim == 0.0
            continue
        best = rows[int(np.argmax(x[rows] @ x[u]))]
        assert row == best and sim == pytest.approx(float(x[best] @ x[u]))
    assert guided.closest_seeds(x, [[4]], [(4, 0)], skip_self=False) == [(4, pytest.approx(1.0))]
