"""Theme labels and keywords (pipeline.label), on small themes of real Japanese answers: the rules of
a label an analyst would write, each a test that fails when the rule is broken."""

import re

import numpy as np
import pytest

from pipeline.label import MAX_LABEL, generic_words, in_title, keywords_and_labels
from pipeline.normalize import normalize
from pipeline.phrases import phrases
from pipeline.tokenize import extractor
from pipeline.vectorize import _counts

PARKING = ["駐車場が少ない", "駐車場が少なかった", "駐車場が少なくて停められない", "駐車場がもう少しほしい",
           "駐車場", "駐車場が遠い"]
TOILETS = ["トイレが汚い", "トイレが古くて汚い", "洋式トイレがない", "トイレの数が少ない", "トイレが汚かった"]
BUSES = ["バスの本数が少ない", "路線バスの本数が少ない", "バスの本数が少なすぎる", "バスが一時間に一本しかない",
         "バスの本数を増やしてほしい"]
HOURS = ["開館時間を延ばしてほしい", "開館時間をもう少し延ばしてほしい", "夕方の開館時間を延ばしてほしい", "閉館が早い"]
PAPER = ["書類が多い", "書類が多すぎる", "申請書類が多くて大変", "報告書の様式が面倒", "提出書類が多い"]
ROOMS = ["会場が足りない", "会議室を借りたい", "会場の予約がとれない", "会場が狭い", "会場の確保が難しい"]
MONEY = ["予算がないと断られる", "予算がないと言われた", "予算がない", "補助金が少ない", "予算がないの一言で終わり"]


def label_themes(themes, tokenizer, title="", **kw):
    """keywords_and_labels on answers given theme by theme, as the run calls it."""
    terms_of = extractor()
    texts = [t for theme in themes for t in theme]
    theme_of = np.array([c for c, theme in enumerate(themes) for _ in theme])
    tokens = [tokenizer.tokens(normalize(t)) for t in texts]
    terms = [terms_of(normalize(t), toks) for t, toks in zip(texts, tokens)]
    counts, vocabulary = _counts(terms)
    return keywords_and_labels(counts, vocabulary, theme_of, len(themes),
                               phrase_lists=[phrases(toks) for toks in tokens], title=title, **kw)


def test_a_shared_predicate_goes_with_the_noun(tokenizer):
    _, labels, _ = label_themes([PARKING, TOILETS, BUSES], tokenizer)
    assert labels[0] == "駐車場が少ない"
    assert labels[1] == "トイレが汚い"
    assert labels[2] == "バスの本数が少ない"  # the longer noun phrase most of them say


def test_wishes_and_verb_chains_in_plain_form(tokenizer):
    _, labels, _ = label_themes([HOURS, MONEY, PARKING], tokenizer)
    assert labels[0] == "開館時間を延ばしてほしい"
    assert labels[1] == "予算がない"


@pytest.mark.parametrize("themes", [[PARKING, TOILETS, BUSES], [PAPER, HOURS, MONEY], [HOURS, PARKING, TOILETS, PAPER]])
def test_no_bare_word_pair_when_a_phrase_covers_the_theme(themes, tokenizer):
    _, labels, _ = label_themes(themes, tokenizer)
    for label in labels:
        assert "・" not in label, labels
        assert re.search("[がをにの]", label), labels  # a phrase, not a bare keyword


def test_without_a_shared_predicate_the_noun_alone(tokenizer):
    # 会場 is said to be short, small, hard to book, hard to secure: each once.
    _, labels, _ = label_themes([ROOMS, PAPER, MONEY], tokenizer)
    assert labels[0] == "会場"


def test_title_words_are_never_in_labels_or_keywords(tokenizer):
    title = "駐車場について不便に感じたこと"
    keywords, labels, _ = label_themes([PARKING + ["駐車場が不便"], TOILETS, BUSES], tokenizer, title=title)
    for words in [labels, *keywords]:
        assert not any("駐車" in w or "不便" in w for w in words), (labels, keywords)


def test_a_word_of_every_theme_is_in_no_label(tokenizer):
    city = [[f"市の{t}" for t in theme] for theme in (["書類が多い", "書類が多すぎる", "書類が大変", "書類が面倒"],
                                                     ["会場が狭い", "会場がない", "会場が遠い", "会場が古い"],
                                                     ["予算がない", "予算が少ない", "予算がつかない", "予算が足りない"])]
    keywords, labels, _ = label_themes(city, tokenizer)
    assert not any("市" in label for label in labels), labels
    assert not any("市" in k for ks in keywords for k in ks), keywords


def test_labels_differ_in_words_not_only_in_order(tokenizer):
    # Two themes about the same paperwork: the second cannot take the same words.
    _, labels, _ = label_themes([PAPER, PAPER[::-1] + ["様式が多い"], ROOMS], tokenizer)
    assert len(set(labels)) == 3
    words = [frozenset(re.split("[・がをにのは]", label)) - {""} for label in labels]
    assert len(set(words)) == 3, labels


def test_labels_are_short(tokenizer):
    long = ["市民活動センターの夜間と休日の利用時間をもっと延ばしてほしいです", "市民活動センターの利用時間が短い",
            "市民活動センターの利用時間を延ばしてほしい", "市民活動センターの開館時間が短い"]
    _, labels, _ = label_themes([long, PAPER, ROOMS], tokenizer)
    assert all(len(label) <= MAX_LABEL for label in labels), labels


def test_latin_words_stay_whole(tokenizer):
    wifi = ["Wi-Fiが使えない", "Ｗｉ－Ｆｉがない", "Wi-Fiが遅い", "Wi-Fiが使えない会議室", "e-mailで申し込みたい"]
    keywords, labels, _ = label_themes([wifi, PAPER, ROOMS], tokenizer)
    assert "Wi-Fi" in labels[0] and "Wi-Fi" in keywords[0]
    for word in labels + [k for ks in keywords for k in ks]:
        assert not re.search(r"(?<![A-Za-z-])(Fi|Wi|mail)(?![A-Za-z-])", word), (labels, keywords)


def test_keywords_hold_no_function_words(tokenizer):
    answers = ["書類がだめだと言われた（笑）", "書類を書いてくれる人がいない（笑）", "書類がだめ", "書類が多くてだめ",
               "書類を直してくれる"]
    keywords, _, _ = label_themes([answers, ROOMS, MONEY], tokenizer)
    assert keywords[0][0] == "書類"
    assert not {"だめ", "くれる", "笑", "いる", "ある", "する", "言う"} & set(keywords[0]), keywords


def test_a_theme_without_candidates_is_named_by_its_keyword(tokenizer):
    _, labels, _ = label_themes([["ボランティア", "ボランティア"], ROOMS, MONEY], tokenizer)
    assert labels[0] == "ボランティア"


def test_same_input_same_labels(tokenizer):
    first = label_themes([PARKING, TOILETS, BUSES, HOURS], tokenizer)
    again = label_themes([PARKING, TOILETS, BUSES, HOURS], tokenizer)
    assert first[:2] == again[:2]


def test_central_answers_weigh_more(tokenizer):
    # Two candidates, each in two answers: the one of the central answers names the theme.
    theme = ["会場が狭い", "会場が狭かった", "予約がとれない", "予約がとれなかった"]
    closeness = np.array([0.9, 0.9, 0.1, 0.1] + [0.5] * 10)
    _, labels, _ = label_themes([theme, PAPER, MONEY], tokenizer, closeness=closeness)
    assert labels[0] == "会場が狭い"
    closeness[:4] = [0.1, 0.1, 0.9, 0.9]
    _, labels, _ = label_themes([theme, PAPER, MONEY], tokenizer, closeness=closeness)
    assert labels[0] == "予約がとれない"


@pytest.mark.parametrize("word,title,expected", [
    ("不便", "不便に感じたこと", True),
    ("感じる", "不便に感じたこと", True),  # a verb by its stem
    ("便", "不便に感じたこと", False),  # one character inside a longer word
    ("市", "市と団体の協働", True),
    ("市", "市民活動について", False),
    ("見る", "ご意見", False),
    ("施設", "施設に求めるもの", True),
])
def test_in_title(word, title, expected):
    assert in_title(word, title) is expected


def test_generic_words_are_spread_over_most_themes():
    # word 0 in every theme at its usual rate; word 1 concentrated in theme 0.
    presence = np.array([[3, 9], [3, 0], [3, 1], [3, 0]], dtype=float)
    sizes = np.array([10, 10, 10, 10], dtype=float)
    assert generic_words(presence, sizes).tolist() == [True, False]
    assert generic_words(presence[:2], sizes[:2]).tolist() == [False, False]  # two themes: none


def test_given_labels_are_kept_and_not_taken(tokenizer):
    # A codebook names the first theme; the second, about the same thing, takes another label.
    _, labels, _ = label_themes([PARKING, PARKING[::-1], TOILETS], tokenizer, fixed=["駐車場が少ない", "", ""])
    assert labels[0] == "駐車場が少ない"
    assert labels[1] != "駐車場が少ない" and labels[2] == "トイレが汚い"


def test_two_predicates_that_together_are_shared(tokenizer):
    # No predicate alone is said by a third of what is said about 駐車場; 少ない and 狭い together are.
    parking = ["駐車場が少ない", "駐車場が少なかった", "駐車場が少なくて困る", "駐車場が狭い", "駐車場が狭かった",
               "駐車場が狭くて停めにくい", "駐車場が遠い", "駐車場が遠かった", "駐車場が暗い", "駐車場が暗かった",
               "駐車場が高い", "駐車場が高かった", "駐車場"]
    _, labels, _ = label_themes([parking, TOILETS, BUSES], tokenizer)
    assert labels[0] in ("駐車場が少ない・狭い", "駐車場が狭い・少ない")


def test_no_two_function_like_predicates(tokenizer):
    # できない and できる, 少ない and 多い may contradict each other: the noun alone.
    meals = ["食事ができない", "食事ができなかった", "食事ができる", "食事ができた", "食事が高い", "食事が高かった",
             "食事が遅い", "食事が遅かった", "食事が少ない", "食事が少なかった", "食事が多い", "食事が多かった", "食事"]
    _, labels, _ = label_themes([meals, TOILETS, BUSES], tokenizer)
    assert "・" not in labels[0]


def test_no_word_in_more_than_half_of_the_labels(tokenizer):
    # Four themes that all speak of 駐車場: at most two labels may say it.
    themes = [["駐車場が狭い", "駐車場が狭かった", "駐車場が狭くて怖い"], ["駐車場が遠い", "駐車場が遠かった", "駐車場が遠くて困る"],
              ["駐車場が高い", "駐車場が高かった", "駐車場の料金が高い"], ["駐車場が暗い", "駐車場が暗かった", "駐車場の照明が暗い"]]
    _, labels, _ = label_themes(themes, tokenizer)
    assert sum("駐車場" in label for label in labels) <= 2, labels
    assert len(set(labels)) == 4


@pytest.mark.parametrize("text,extended", [
    (["バスの本数が少ない", "路線バスの本数が少ない", "本数が少なすぎる", "バスの本数を増やして"], "バスの本数"),  # ends with it
    (["補助金がほしい", "補助金の増額", "補助金が少ない", "補助率を上げて"], "補助金"),  # a compound that starts with it
])
def test_a_noun_extends_to_what_most_of_its_answers_say(text, extended, tokenizer):
    _, labels, _ = label_themes([text, ROOMS, TOILETS], tokenizer)
    assert labels[0].startswith(extended), labels


def test_a_title_word_that_is_a_stop_word_still_keeps_out(tokenizer):
    # 協働 is a stop word of the survey (it is everywhere) and a word of the title: 協働事業 is no label.
    answers = ["協働事業の書類が多い", "協働事業が多すぎる", "協働事業の報告", "協働事業の書類"]
    from pipeline.tokenize import extractor as make

    terms_of = make(stop_words=("協働",))
    themes = [answers, ROOMS, MONEY]
    texts = [t for theme in themes for t in theme]
    tokens = [tokenizer.tokens(normalize(t)) for t in texts]
    counts, vocabulary = _counts([terms_of(normalize(t), toks) for t, toks in zip(texts, tokens)])
    keywords, labels, _ = keywords_and_labels(
        counts, vocabulary, np.array([c for c, theme in enumerate(themes) for _ in theme]), 3,
        phrase_lists=[phrases(toks, terms_of.stop_words) for toks in tokens], title="協働したくない理由")
    assert not any("協働" in label for label in labels), labels
    assert not any("協働" in k for k in keywords[0]), keywords


def test_carriers_are_the_answers_that_say_the_label(tokenizer):
    from pipeline.label import label_themes as themes_of

    texts = PAPER + ["手続きが大変", "事務作業の負担"] + ROOMS
    theme_of = np.array([0] * 7 + [1] * len(ROOMS))
    tokens = [tokenizer.tokens(normalize(t)) for t in texts]
    terms_of = extractor()
    counts, vocabulary = _counts([terms_of(normalize(t), toks) for t, toks in zip(texts, tokens)])
    out = themes_of(counts, vocabulary, theme_of, 2, phrase_lists=[phrases(toks) for toks in tokens])
    assert "書類" in out.labels[0]
    said = [t for t, flag in zip(texts, out.carriers[0]) if flag]
    assert "提出書類が多い" in said and "手続きが大変" not in said and "事務作業の負担" not in said
    assert out.carriers.shape == (2, len(texts))


def test_keywords_list_a_word_once_whatever_its_spelling(tokenizer):
    # おいしい and 美味しい, きれい and 綺麗 are one word each (one lemma): a theme's keywords list it
    # once, as its answers most distinctively write it; without the lemmas both spellings show.
    from pipeline.tokenize import aliases

    food = ["料理が美味しい", "料理がおいしい", "料理が美味しかった", "料理がおいしかった", "そばがおいしい"]
    views = ["景色がきれい", "景色が綺麗", "景色がきれいだった", "景色が綺麗でした", "海がきれい"]
    lemmas = dict(pair for t in food + views for pair in aliases(tokenizer.tokens(normalize(t))))
    both, _, _ = label_themes([food, views], tokenizer)
    once, _, _ = label_themes([food, views], tokenizer, lemmas=lemmas)
    assert {"美味しい", "おいしい"} <= set(both[0]) and {"綺麗", "きれい"} <= set(both[1])
    assert len({"美味しい", "おいしい"} & set(once[0])) == 1 and len({"綺麗", "きれい"} & set(once[1])) == 1
    assert set(once[0]) - {"美味しい", "おいしい"} == set(both[0]) - {"美味しい", "おいしい"}


def test_word_clouds_weigh_a_word_once_whatever_its_spelling():
    # The word clouds' weights (theme and question) hold one spelling of a word, with the weight
    # of all its spellings: 綺麗 / きれい / キレイ are one word.
    import pipeline
    from pipeline.config import Config

    answers = ["料理が美味しい", "料理がおいしい", "料理が美味しかった", "料理がおいしかった", "そばがおいしい",
               "景色がきれい", "景色が綺麗", "景色がきれいだった", "景色が綺麗でした", "海がキレイ"]
    result = pipeline.analyse({"Q": answers}, Config(k=2, word_vectors=False, workers=1))[0]
    weights = dict(result.term_weights)
    assert len({"美味しい", "おいしい"} & set(weights)) == 1 and len({"綺麗", "きれい", "キレイ"} & set(weights)) == 1
    assert weights.get("美味しい", weights.get("おいしい")) == 5 and weights.get("綺麗", weights.get("きれい")) == 5
    for theme in result.themes:
        words = [w for w, _ in theme.term_weights]
        assert len(words) == len(set(words))
        assert len({"美味しい", "おいしい"} & set(words)) <= 1 and len({"綺麗", "きれい", "キレイ"} & set(words)) <= 1
