import pickle

import pytest

from pipeline.normalize import normalize
from pipeline.tokenize import extractor


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
    # UniDic reads a conjugated 感じ as the サ変 感ずる: a stop word in every form, as 感じる is.
    ("駐車場が狭いと感じました", ("駐車場", "狭い")),
    ("不便を感じる", ("不便",)),
    # A plural or "and so on" suffix is not part of the word: 子供たち is 子供, 景色等 is 景色.
    ("子供たちが遊べる場所", ("子供", "遊べる", "場所")),
    ("景色等が良い", ("景色",)),
    ("観光客等の増加", ("観光客", "増加")),
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


@pytest.mark.parametrize("text,expected", [
    ("一度協働したら２０年以上たった", ("協働",)),  # counters belong to their numbers
    ("値段が安い&hellip;", ("値段", "安い")),  # markup of texts exported from the web
    ("案内板もなかった様な&hellip;。", ("案内板",)),  # MeCab reads ;。 as one token
    ("食べて&hellip;、2、3時間で満足", ("食べる", "満足")),
])
def test_no_counter_or_markup_terms(text, expected, tokenizer):
    assert terms(text, tokenizer) == expected


@pytest.mark.parametrize("text", [
    "子どもたちが増えた。つながりができました！",
    "ボランティアの募集　ｶﾀｶﾅも混ざる　①②",
    "Wi-Fiが使えず、e-mailで連絡した",
    "ﾃﾞｼﾞﾀﾙ化で𠮷野家のような未知語ｑｗｅ",
    "",
])
def test_lemma_spans_are_the_tokens_lemmas(text, tokenizer):
    """KWIC's lighter parse gives the same (lemma, start, end) as the full tokens."""
    for variant in (text, normalize(text)):
        assert tokenizer.lemma_spans(variant) == [(t.lemma, t.start, t.end) for t in tokenizer.tokens(variant)]


@pytest.mark.parametrize("text", ["駐車場が狭い。観光案内所の駐車場が遠い。", "バスの本数。山田さんの駐車場が狭い。観光案内所"])
def test_a_point_extracted_in_place_is_the_point_extracted_alone(text, tokenizer):
    """A point's terms from the whole text's tokens and spans with its `offset` are the terms of
    the point taken out on its own (its tokens and spans moved to start at 0), user phrases and
    left-out spans included."""
    norm = normalize(text)
    terms_of = extractor(user_phrases=("観光案内所", "の駐", "い。観"))
    tokens = tokenizer.tokens(norm)
    start = norm.index("。") + 1
    end = len(norm)
    skip = [(norm.index("駐車場", start), norm.index("駐車場", start) + 3, "x")]
    inside = [t for t in tokens if t.start >= start and t.end <= end]
    alone = terms_of.extract(norm[start:end], [t._replace(start=t.start - start, end=t.end - start) for t in inside],
                             [(s - start, e - start, tag) for s, e, tag in skip])
    assert terms_of.extract(norm[start:end], inside, skip, offset=start) == alone
    assert "観光案内所" in alone[0] and "駐車場" not in alone[0]
