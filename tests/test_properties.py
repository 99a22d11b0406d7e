"""Property tests (hypothesis): load → normalise → mask on random Japanese text and random bytes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pipeline.config import ENCODINGS, Config
from pipeline.errors import UserError
from pipeline.load import decode, load
from pipeline.mask import apply_mapped, find
from pipeline.normalize import normalize_with_map

# Hiragana, katakana (full and half width), kanji, 全角/半角 digits and letters, punctuation,
# circled numbers, spaces, line breaks and control characters.
JAPANESE = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),
    st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    st.characters(min_codepoint=0xFF10, max_codepoint=0xFF5A),
    st.sampled_from(list("0123456789-@.()（）、。・①②③ \n\r\t\u3000\x00\x07〒様さん氏")),
), max_size=80)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(JAPANESE)
def test_normalise_keeps_a_map_back_to_the_original(text):
    norm, index = normalize_with_map(text)
    assert len(index) == len(norm)
    assert all(0 <= i < len(text) for i in index)
    assert index == sorted(index)
    assert not re.search(r"[\x00-\x08\x0b-\x1f]", norm)
    assert norm == norm.strip() and "  " not in norm


@SETTINGS
@given(JAPANESE, st.sampled_from(["090-1234-5678", "０４２－３８７－１２３４", "hanako@example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"]),
       JAPANESE)
def test_contacts_never_survive_masking(tokenizer, before, contact, after):
    text = before + " " + contact + " " + after
    norm, index = normalize_with_map(text)
    masked = apply_mapped(text, index, len(norm), find(norm, tokenizer.tokens(norm)))
    assert contact not in masked
    assert not re.search(r"\d{3}-\d{4}-\d{4}|[\w.]+@example", normalize_with_map(masked)[0])


@SETTINGS
@given(JAPANESE)
def test_masking_never_fails_and_keeps_text_outside_spans(tokenizer, text):
    norm, index = normalize_with_map(text)
    spans = find(norm, tokenizer.tokens(norm))
    masked = apply_mapped(text, index, len(norm), spans)
    if not spans:
        assert masked == text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(ENCODINGS))
def test_any_bytes_decode_to_plausible_text_or_give_a_user_error(data, encoding):
    from pathlib import Path

    from pipeline.load import _Profile

    try:
        text = decode(Path("x.csv"), data, encoding)
    except UserError as e:
        assert e.message.startswith("x.csv") and len(str(e).splitlines()) <= 2
    else:
        assert _Profile(text).problem() is None, "garbage never comes back"


# Answers as people write them: kana, common kanji, 半角カナ, ASCII, punctuation, ①.
ANSWER = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x3093),
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6),
    st.sampled_from(list("書類会場予算人手不足協働地域参加活動連携情報支援相談時間負担確保行政団体市民")),
    st.sampled_from(list("ｱｲｳｴｵｶﾞﾊﾟｰｯｬ､｡")),
    st.sampled_from(list("abcXYZ0123456789 ,.-()!?、。「」・①②※→ー\n")),
), max_size=80)


@settings(max_examples=150, deadline=None)
@given(st.characters(min_codepoint=0x3041, max_codepoint=0x3093), ANSWER,
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp932", "euc_jis_2004"]))
def test_japanese_text_reads_back_in_auto_whatever_the_encoding(kana, answer, encoding):
    from pathlib import Path

    text = "id,text\n1," + kana + answer + "\n"
    assert decode(Path("x.csv"), text.encode(encoding)).lstrip("\ufeff") == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ANSWER, min_size=1, max_size=8), st.sampled_from(["utf-8", "cp932"]))
@example(["｡｡", "①"], "cp932")  # ｡｡ is one 全角 space in EUC-JP: found by this test
def test_any_table_of_japanese_loads_every_answer(tmp_path_factory, texts, encoding):
    """Every row of a CP932 or UTF-8 export of real-looking answers (blank ones included) comes
    back as one answer, with its id and its text, in order: no error, no row lost. (A CP932 table
    whose only non-ASCII characters are 半角カナ is also valid EUC-JP — ｰ｡ is 亜 — and no reader
    can tell which was meant: such tables are left out here; test_load covers the guess.)"""
    import csv

    assume(encoding != "cp932" or any(ord(ch) > 0x7F and not 0xFF61 <= ord(ch) <= 0xFF9F for t in texts for ch in t))

    path = tmp_path_factory.mktemp("p") / "t.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows([[f"r{i}", t] for i, t in enumerate(texts)])
    answers = load(path, Config())
    assert [a.id for a in answers] == [f"r{i}" for i in range(len(texts))]
    assert [a.raw.replace("\r\n", "\n").replace("\r", "\n") for a in answers] == \
        [t.replace("\r\n", "\n").replace("\r", "\n") for t in texts]


# Every kind of white space and break the careful path folds, a control it drops, combining and
# voicing marks: short texts of these and kana reach each of `normalize_with_map`'s paths.
WHITE = st.text(alphabet=st.sampled_from(list("あ漢ｶa１ \n\r\t\u3000\u00a0\u2003\u205f\u2028\u2029\x0b\x0c\x85"
                                              "\x1c\u200b\ufeff\u0301\u3099ﾞ①〜")), max_size=12)


@SETTINGS
@given(st.one_of(JAPANESE, WHITE))
@example("  a \r\n \u3000b\u2028 ")
def test_fast_path_agrees_with_the_careful_path(text):
    from pipeline.normalize import _normalize_with_map

    assert normalize_with_map(text) == _normalize_with_map(text)
