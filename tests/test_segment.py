import pytest

from pipeline.normalize import normalize
from pipeline.segment import split


@pytest.mark.parametrize("text,expected", [
    ("①予算がない②前例がない③提案しても反映されない", ["・予算がない", "・前例がない", "・提案しても反映されない"]),
    ("・書類が多い\n・打ち合わせの時間が取れない", ["・書類が多い", "・打ち合わせの時間が取れない"]),
    ("・会議室の確保・チラシを置ける場所", ["・会議室の確保", "・チラシを置ける場所"]),
    ("書類・事務作業が大変。会場もない", ["書類・事務作業が大変。", "会場もない"]),  # no final 。 kept
    ("会場がほしい。駐車場もあると助かる！", ["会場がほしい。", "駐車場もあると助かる!"]),
    ("(1)会場 (2)資金", ["(1)会場 ", "(2)資金"]),
    ("1. 会場\n2. 資金", ["1. 会場", "2. 資金"]),
    ("補助金は10.5万円だった", ["補助金は10.5万円だった"]),
    ("活動の幅が広がった", ["活動の幅が広がった"]),
    ("", []),
])
def test_split(text, expected):
    norm = normalize(text)
    assert [norm[s:e] for s, e in split(norm)] == expected


def test_split_loses_no_text():
    norm = normalize("・書類が多い\n・打ち合わせ。会議が長い！最後に一言")
    covered = "".join(norm[s:e] for s, e in split(norm))
    assert covered.replace("\n", "") == norm.replace("\n", "")
