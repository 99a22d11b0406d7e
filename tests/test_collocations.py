"""Fixed 名詞の名詞 expressions (pipeline.collocations): read from a question's own answers, made one
term where they are written, and left apart when the phrase is compositional."""

from collections import OrderedDict

from pipeline import collocations
from pipeline.config import Config
from pipeline.prepare import prepare
from pipeline.records import Answer
from pipeline.run import analyse, join_fixed_expressions

# 道の駅 is most uses of both 道 and 駅; バスの本数 is most uses of 本数 but few of バス.
ANSWERS = [
    "道の駅にカフェがほしい", "道の駅の駐車場が狭い", "もっと大きな道の駅がほしい", "道の駅で野菜を買いたい",
    "道の駅の営業時間を延ばしてほしい", "道の駅が少ない", "駅から遠い",
    "バスの本数が少ない", "バスの本数を増やしてほしい", "バスの本数がもう少し多いと良い", "バスの本数が足りない",
    "バスの本数が不便", "バスが遅れる", "バスが混む", "バスで行きにくい", "バス停が遠い", "バスの運賃が高い",
    "バスの案内がない", "バスが古い", "バスがほしい", "路線バスがない", "バスの時刻表がわかりにくい",
    "バスが少ない", "バスが揺れる", "バスに乗れない", "バスを待つ", "バスの座席が狭い",
]


def prepared(texts, config=None):
    answers = [Answer(id=f"r{n}", question="q", row=n, raw=t) for n, t in enumerate(texts, start=1)]
    return prepare(answers, config or Config(word_vectors=False, workers=1))


def test_fixed_expressions_are_found_from_the_answers():
    assert collocations.find(prepared(ANSWERS)) == {"道の駅": ("道", "駅")}


def test_a_fixed_expression_becomes_one_term_where_it_is_written():
    items = collocations.join(prepared(ANSWERS))
    by_text = {p.answer.raw: p for p in items}
    first = by_text["道の駅にカフェがほしい"]
    assert "道の駅" in first.terms and "道" not in first.terms and "駅" not in first.terms
    assert first.segments[0].terms == first.terms
    assert "駅" in by_text["駅から遠い"].terms  # the station, on its own, stays
    assert "バス" in by_text["バスの本数が少ない"].terms  # a compositional phrase stays apart


def test_too_few_answers_join_nothing():
    items = prepared(ANSWERS[:4])
    assert collocations.join(items) is items


def test_a_multi_point_answer_is_rewritten_point_by_point():
    texts = ANSWERS + ["①駅に駐車場がほしい\n②道の駅にトイレがほしい"]
    item = collocations.join(prepared(texts))[-1]
    assert len(item.segments) == 2
    assert "駅" in item.segments[0].terms and "道の駅" not in item.segments[0].terms
    assert "道の駅" in item.segments[1].terms and "駅" not in item.segments[1].terms


def test_set_aside_answers_are_neither_counted_nor_rewritten():
    items = prepared(ANSWERS)
    items = [p if "道の駅" not in p.norm else type(p)(**{**{f: getattr(p, f) for f in p.__slots__},
                                                        "excluded_reason": "no_issue"}) for p in items]
    assert collocations.find(items) == {}


def test_a_stop_word_or_the_config_keeps_them_apart():
    config = Config(word_vectors=False, workers=1)
    by_question = OrderedDict([("q", prepared(ANSWERS))])
    join_fixed_expressions(by_question, Config(word_vectors=False, workers=1, stop_words=("道の駅",)))
    assert not any("道の駅" in p.terms for p in by_question["q"])
    join_fixed_expressions(by_question, Config(word_vectors=False, workers=1, fixed_expressions=False))
    assert not any("道の駅" in p.terms for p in by_question["q"])
    join_fixed_expressions(by_question, config)
    assert any("道の駅" in p.terms for p in by_question["q"])


def test_a_run_uses_the_joined_terms():
    by_question = OrderedDict([("q", prepared(ANSWERS))])
    join_fixed_expressions(by_question, Config(word_vectors=False, workers=1))
    assert sum("道の駅" in p.terms for p in by_question["q"]) == 6
    result = analyse([Answer(id=f"r{n}", question="q", row=n, raw=t) for n, t in enumerate(ANSWERS * 2, start=1)],
                     Config(word_vectors=False, workers=1, k=2))[0]
    keywords = {k for t in result.themes for k in t.keywords}
    assert "駅" not in keywords or "道の駅" in keywords
