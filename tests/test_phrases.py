"""Label candidates (pipeline.phrases): the noun and predicate phrases each answer offers, in
plain form, as tables of real Japanese answers."""

import pytest

from pipeline.normalize import normalize
from pipeline.phrases import Phrase, phrases


def predicates(text, tokenizer):
    """The predicate phrases (as written, plain form) among an answer's label candidates."""
    return tuple(p.text for p in map(Phrase.decode, phrases(tokenizer.tokens(normalize(text)))) if p.predicate)


@pytest.mark.parametrize("text,expected", [
    ("予算がないと断られる", ("予算がない",)),
    ("予算はない", ("予算がない",)),  # は and も read as が
    ("書類が多くて大変", ("書類が多い",)),
    ("手続きが煩雑だ", ("手続きが煩雑",)),
    ("相談窓口がほしい", ("相談窓口がほしい", "窓口がほしい")),  # and the head of the compound
    ("話が進まない", ("話が進まない",)),
    ("会場が確保できない", ("会場が確保できない",)),
    ("ことがない", ()),
    ("駐車場が狭かった", ("駐車場が狭い",)),  # tense dropped
    ("駐車場がちょっと狭いです", ("駐車場が狭い",)),  # adverbs skipped
    ("提案は通りません", ("提案が通らない",)),  # polite negative → plain negative
    ("駐車場に停められなかった", ("駐車場に停められない",)),
    ("開館時間を延ばしてほしい", ("開館時間を延ばしてほしい",)),  # 時間 alone is a counter
    ("もう少し飲食店があると良い", ("飲食店がほしい",)),  # a wish said as a condition
    ("休憩所があれば助かる", ("休憩所がほしい",)),
    ("窓口がありません", ("窓口がない",)),
    ("窓口の一元化", ("窓口の一元化",)),  # noun + の + verbal noun
    ("新しい取り組みができた", ("取り組みができる", "新しい取り組みができる")),
    ("案内がわかりづらい", ("案内がわかりにくい",)),
    ("バスの本数が少ない", ("本数が少ない", "バスの本数が少ない")),
    ("必要を感じない", ("必要を感じない",)),  # a function-like verb with its negation
    ("メリットがよくわからない", ("メリットがわからない",)),
    ("話をする", ()),
    ("営業時間を長くしてほしい", ("営業時間を長くしてほしい",)),  # make it so
    ("書類は簡単にしてほしい", ("書類は簡単にしてほしい",)),  # the topic is the object: は kept
    ("手続きを簡素化してほしい", ("手続きを簡素化してほしい",)),
    ("申請書類の簡素化", ("申請書類の簡素化", "書類の簡素化")),
    ("営業時間を長い", ()),  # を takes an action, not a state
    ("お蕎麦 美味しかった", ("お蕎麦が美味しい", "蕎麦が美味しい")),  # the particle left out
    ("トイレ綺麗", ("トイレが綺麗",)),
    ("コンビニがあるといい", ("コンビニがほしい",)),
    ("値段がもう少し安かったらいい", ("値段が安いとよい",)),  # a wish said as a condition
    ("営業時間が長いと嬉しい", ("営業時間が長いとよい",)),
    ("駐車場が狭いと不便", ("駐車場が狭い",)),  # a condition, but no wish
    ("お土産については種類が少ない", ("種類が少ない",)),  # について is one particle
    ("駐車場に関しては問題ない", ()),
    ("冷房が効きすぎて寒い", ("冷房が効きすぎる",)),  # a verb's excess kept: 効く says the opposite
    ("説明が長すぎた", ("説明が長い",)),  # an adjective's excess is the adjective
])
def test_predicate_phrases(text, expected, tokenizer):
    assert predicates(text, tokenizer) == expected


@pytest.mark.parametrize("text,expected", [
    ("路線バス", ("路線バス", "バス")),  # a compound and its head
    ("交通の便", ("交通", "便", "交通の便")),
    ("対等な関係", ("関係", "対等な関係")),
    ("相談できる窓口", ("相談", "窓口", "相談できる窓口")),
    ("ハンコ（笑）", ("ハンコ",)),
])
def test_noun_phrases(text, expected, tokenizer):
    found = tuple(p.text for p in map(Phrase.decode, phrases(tokenizer.tokens(normalize(text)))) if not p.predicate)
    assert found == expected


def test_written_variants_share_a_key(tokenizer):
    keys = {Phrase.decode(e).key for text in ("道がせまい", "道が狭かった") for e in phrases(tokenizer.tokens(text))
            if Phrase.decode(e).predicate}
    assert keys == {"道が狭い"}
    (wifi,) = [p for p in map(Phrase.decode, phrases(tokenizer.tokens("Wi-Fiが使えない"))) if p.predicate]
    assert wifi.text == "Wi-Fiが使えない" and wifi.words == ("Wi-Fi", "使える")


def test_no_part_inside_one_loanword(tokenizer):
    found = {p.text for p in map(Phrase.decode, phrases(tokenizer.tokens("ソフトクリームとワンストップ窓口")))}
    assert {"ソフトクリーム", "窓口"} <= found and not {"クリーム", "ストップ窓口"} & found
