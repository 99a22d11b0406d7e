import pytest

from pipeline.normalize import normalize, normalize_with_map


@pytest.mark.parametrize("raw,expected", [
    ("ｲﾍﾞﾝﾄのﾎｰﾑﾍﾟｰｼﾞ", "イベントのホームページ"),  # 半角カナ with voicing marks
    ("２０１０年　ＮＰＯ", "2010年 NPO"),  # 全角 digits, letters and space
    ("・書類\r\n・会議  ", "・書類\n・会議"),  # CRLF, trailing space
    ("  a  \n\n  b ", "a\nb"),
    ("〜ほしい", "～ほしい"),  # wave dash folded
    ("abc\x00\x07def", "abcdef"),  # control characters
    ("①予算がない②前例がない", "・予算がない\n・前例がない"),  # list numbers become bullets
    ("", ""),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_map_points_back_to_original():
    raw = "電話　０４２－３８７ｶﾞ"
    norm, index = normalize_with_map(raw)
    assert norm == "電話 042-387ガ"
    assert len(index) == len(norm)
    assert raw[index[norm.index("0")]] == "０"
    assert raw[index[norm.index("ガ")]:index[norm.index("ガ")] + 2] == "ｶﾞ"
