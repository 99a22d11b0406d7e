"""Masking: personal information out, decoys in. Both directions matter."""

import pytest

from pipeline.mask import find, apply_mapped
from pipeline.normalize import normalize_with_map


def masked(text: str, tokenizer) -> str:
    norm, index = normalize_with_map(text)
    return apply_mapped(text, index, len(norm), find(norm, tokenizer.tokens(norm)))


MASKED = [
    ("担当の田中さんには大変お世話になった。", "担当の〔氏名〕さんには大変お世話になった。"),
    ("山本様に相談したところ", "〔氏名〕様に相談したところ"),
    ("森田氏が来た", "〔氏名〕氏が来た"),
    ("木村先生のおかげ", "〔氏名〕先生のおかげ"),
    ("小松先生に相談", "〔氏名〕先生に相談"),
    ("花子ちゃんが手伝ってくれた", "〔氏名〕ちゃんが手伝ってくれた"),
    ("（代表　佐藤一郎）", "（代表　〔氏名〕）"),
    ("代表 山本", "代表 〔氏名〕"),
    ("090-1234-5678（鈴木）", "〔電話番号〕（〔氏名〕）"),
    ("連絡は０４２－３８７－１２３４まで", "連絡は〔電話番号〕まで"),
    ("FAX 042(387)9923", "FAX 〔電話番号〕"),
    ("03-1234-5678", "〔電話番号〕"),
    ("電話0423879923", "電話〔電話番号〕"),
    ("メールはhanako.suzuki@example.jpへ", "メールは〔メール〕へ"),
    ("ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ", "〔メール〕"),
    ("事務所は中町4-15-14です", "事務所は〔住所〕です"),
    ("緑町２－８－３の集会所", "〔住所〕の集会所"),
    ("〒184-0012", "〔住所〕"),
    ("（ひまわり子育てサークル　代表　渡辺由美）", "（ひまわり子育てサークル　代表　〔氏名〕）"),
]

NOT_MASKED = [
    "職員さんと担当の方、市長、館長に感謝",
    "１０ページの資料を３回、2025年に出した",
    "利用者さんが増えた",
    "平成21年度から",
    "小金井市中町の集会所",
    "市民活動センターの職員さんが親切",
    "様式が多い",
    "皆さんのおかげです",
    "会員は30人、年会費は1,000円",
    "2009年10月1日に開催",
]


@pytest.mark.parametrize("text,expected", MASKED)
def test_masks(text, expected, tokenizer):
    assert masked(text, tokenizer) == expected


@pytest.mark.parametrize("text", NOT_MASKED)
def test_decoys_stay(text, tokenizer):
    assert masked(text, tokenizer) == text


@pytest.mark.parametrize("text,expected", [
    ("詳しくは代表の木村まで 090-1234-5678", "詳しくは代表の〔氏名〕まで 〔電話番号〕"),
    ("当会の窓口は事務局 伊藤090-8765-4321", "当会の窓口は事務局 〔氏名〕〔電話番号〕"),
    ("記入者：田中", "記入者：〔氏名〕"),
])
def test_signed_names_and_names_beside_contacts(text, expected, tokenizer):
    assert masked(text, tokenizer) == expected
