import pickle

import pytest

from pipeline.normalize import normalize
from pipeline.tokenize import Phrase, extractor, phrases


def terms(text, tokenizer, **kw):
    norm = normalize(text)
    return extractor(**kw)(norm, tokenizer.tokens(norm))


@pytest.mark.parametrize("text,expected", [
    ("事務作業が増えて大変", ("事務作業", "増える")),
    ("報告書の精算手続きが煩雑だ", ("報告書", "精算手続き", "煩雑")),
    ("相談窓口がほしい", ("相談窓口",)),
    ("予算がないと断られる", ("予算", "断る")),
    ("参加者が増えた", ("参加者", "増える")),
    ("市の職員さんが親身になってくれた", ("市", "職員", "親身")),  # honorific not joined
    ("ﾎｰﾑﾍﾟｰｼﾞに掲載してほしい", ("ホームページ", "掲載")),  # 半角カナ normalised first
    ("できることがあればと思います", ()),  # only stop words
    ("今のままで十分", ("十分",)),  # lone adverbial noun まま dropped
    ("10ページの資料を3回作った", ("資料", "作る")),  # numbers and counters dropped
])
def test_terms(text, expected, tokenizer):
    assert terms(text, tokenizer) == expected


def test_config_stop_words_and_phrases(tokenizer):
    text = "協働のまちづくりを市と進めた"
    assert "協働のまちづくり" not in terms(text, tokenizer)
    got = terms(text, tokenizer, stop_words=("市",), user_phrases=("協働のまちづくり",))
    assert got[0] == "協働のまちづくり"
    assert "市" not in got and "まちづくり" not in got


def test_tokenizer_pickles_without_tagger(tokenizer):
    tokenizer.tokens("書類")  # creates the tagger
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert [t.surface for t in clone.tokens("書類が多い")] == ["書類", "が", "多い"]


def test_offsets(tokenizer):
    text = "書類 が多い"
    for tok in tokenizer.tokens(text):
        assert text[tok.start:tok.end] == tok.surface


@pytest.mark.parametrize("text,expected", [
    ("事務作業が増えて困る（笑）", ("事務作業", "増える", "困る")),  # an aside in brackets is no word
    ("Wi-Fiが使えない", ("Wi-Fi", "使える")),
    ("Ｗｉ－Ｆｉとe-mail", ("Wi-Fi", "e-mail")),  # full-width after NFKC, one word each
    ("COVID-19の影響", ("COVID-19", "影響")),
    ("LINEやSNSでＰＲ", ("LINE", "SNS", "PR")),
    ("書類がだめと言われた", ("書類",)),  # function-like evaluatives are stop words, as いい is
])
def test_terms_words_whole(text, expected, tokenizer):
    assert terms(text, tokenizer) == expected


@pytest.mark.parametrize("text", ["Wi-Fiが使える会議室", "Ｗｉ－Ｆｉ、e-mail、B&B、McDonald's、COVID-19"])
def test_latin_words_are_one_token(text, tokenizer):
    norm = normalize(text)
    tokens = tokenizer.tokens(norm)
    assert not {"Wi", "Fi", "mail", "B", "s", "COVID", "19"} & {t.surface for t in tokens}
    for tok in tokens:
        assert norm[tok.start:tok.end] == tok.surface
    assert [t.surface for t in tokenizer.tokens("090-1234-5678")][0] == "090"  # numbers stay numbers


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


@pytest.mark.parametrize("text,expected", [
    ("一度協働したら２０年以上たった", ("協働",)),  # counters belong to their numbers
    ("値段が安い&hellip;", ("値段", "安い")),  # markup of texts exported from the web
])
def test_no_counter_or_markup_terms(text, expected, tokenizer):
    assert terms(text, tokenizer) == expected


def test_no_part_inside_one_loanword(tokenizer):
    found = {p.text for p in map(Phrase.decode, phrases(tokenizer.tokens("ソフトクリームとワンストップ窓口")))}
    assert {"ソフトクリーム", "窓口"} <= found and not {"クリーム", "ストップ窓口"} & found
