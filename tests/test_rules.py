"""KH Coder coding rules: what a condition matches, what a file yields, and every refusal names its line."""

import pytest

from pipeline.rules import USABLE, Code, RuleError, parse_condition, parse_file


def W(*words: str) -> frozenset[str]:
    return frozenset(words)


# condition, the answer's words, the answer's text, expected
MATCHES = [
    # a word matches on the caller's base forms, exactly (no substring)
    ("書類", W("書類", "多い"), "", True),
    ("書類", W("書類提出"), "書類提出が面倒", False),
    ("書類", W(), "書類が多い", False),
    # or / and, words and symbols
    ("書類 or 報告書", W("報告書"), "", True),
    ("書類 | 報告書", W("報告書"), "", True),
    ("書類 or 報告書", W("手続き"), "", False),
    ("書類 and 面倒", W("書類"), "", False),
    ("書類 & 面倒", W("書類", "面倒"), "", True),
    # precedence: not > and > or (KH Coder hands the condition to SQL)
    ("書類 or 報告書 and 面倒", W("書類"), "", True),
    ("書類 or 報告書 and 面倒", W("報告書"), "", False),
    ("書類 or 報告書 and 面倒", W("報告書", "面倒"), "", True),
    ("書類 and 報告書 or 面倒", W("面倒"), "", True),
    ("not 書類 and 面倒", W(), "", False),
    ("not 書類 and 面倒", W("面倒"), "", True),
    ("not 書類 or 面倒", W("書類", "面倒"), "", True),
    ("not 書類 or 面倒", W("書類"), "", False),
    # parentheses change it
    ("(書類 or 報告書) and 面倒", W("書類"), "", False),
    ("(書類 or 報告書) and 面倒", W("報告書", "面倒"), "", True),
    ("not (書類 and 面倒)", W("書類"), "", True),
    ("not (書類 and 面倒)", W("書類", "面倒"), "", False),
    ("((書類))", W("書類"), "", True),
    # and not, &!, |!, !, not not
    ("書類 and not 面倒", W("書類"), "", True),
    ("書類 and not 面倒", W("書類", "面倒"), "", False),
    ("書類 &! 面倒", W("書類", "面倒"), "", False),
    ("書類&!面倒", W("書類"), "", True),
    ("書類 |! 面倒", W(), "", True),
    ("書類 |! 面倒", W("面倒"), "", False),
    ("!書類", W(), "", True),
    ("not not 書類", W("書類"), "", True),
    # no spaces needed around ( ) & | !; keywords in any case
    ("(書類|報告書)&面倒", W("報告書", "面倒"), "", True),
    ("書類 AND NOT 面倒", W("書類", "面倒"), "", False),
    ("書類 Or 報告書", W("報告書"), "", True),
    # full-width operators, brackets, spaces and letters (NFKC on the rule side)
    ("（書類　｜　報告書）　＆　！面倒", W("報告書"), "", True),
    ("（書類｜報告書）＆！面倒", W("報告書", "面倒"), "", False),
    ("ＰＣ or ｽﾏﾎ", W("スマホ"), "", True),
    ("ＰＣ", W("PC"), "", True),
    # a condition over several lines (KH Coder joins them)
    ("書類\nor 報告書\n", W("報告書"), "", True),
    ("書類\r\n  and 面倒", W("書類"), "", False),
    # quoted strings are looked for in the text
    ("'待ち時間'", W(), "窓口の待ち時間が長い", True),
    ("'待ち時間'", W("待ち時間"), "窓口が混んでいる", False),
    ("'とても 良い' or 満足", W(), "説明がとても 良い", True),
    ("'It''s'", W(), "It's fine", True),
    ("'(書類|報告書)'", W("書類"), "書類", False),
    ("'(書類|報告書)'", W(), "(書類|報告書)", True),
    ("'ＡＢＣ'", W(), "ABC社", True),
    ("窓口 and not '待ち時間'", W("窓口"), "窓口の待ち時間", False),
    ("窓口 and not '待ち時間'", W("窓口"), "窓口の対応", True),
    # ordinary words with - and . are words
    ("Wi-Fi or e-mail", W("e-mail"), "", True),
]


@pytest.mark.parametrize(("condition", "words", "text", "expected"), MATCHES)
def test_matches(condition, words, text, expected):
    assert parse_condition(condition).matches(words, text) is expected


# condition, expected words()
WORDS = [
    ("書類 or 報告書", {"書類", "報告書"}),
    ("(書類 | 報告書) and not 面倒", {"書類", "報告書", "面倒"}),
    ("ＰＣ and '待ち時間'", {"PC"}),
    ("'待ち時間'", set()),
]


@pytest.mark.parametrize(("condition", "expected"), WORDS)
def test_words(condition, expected):
    assert parse_condition(condition).words() == frozenset(expected)


def test_strings():
    assert parse_condition("ＰＣ and 'It''s' or '待ち時間'").strings() == {"It's", "待ち時間"}


# condition, words, text, expected explanation
EXPLAIN = [
    ("書類 | 報告書", W("報告書"), "", "ルール: 書類 | 報告書（報告書）"),
    ("書類 or 報告書", W("書類", "報告書"), "", "ルール: 書類 or 報告書（書類、報告書）"),
    ("(書類 or 報告書) and 面倒", W("報告書", "面倒"), "", "ルール: (書類 or 報告書) and 面倒（報告書、面倒）"),
    ("書類 and not 面倒", W("書類"), "", "ルール: 書類 and not 面倒（書類）"),
    ("not 面倒", W(), "", "ルール: not 面倒"),
    ("'待ち時間' or 窓口", W(), "待ち時間が長い", "ルール: '待ち時間' or 窓口（'待ち時間'）"),
    ("書類 or 書類", W("書類"), "", "ルール: 書類 or 書類（書類）"),
    ("書類\n  or 報告書", W("報告書"), "", "ルール: 書類 or 報告書（報告書）"),
    ("書類 and 面倒", W("書類"), "", ""),  # no match, no reason
]


@pytest.mark.parametrize(("condition", "words", "text", "expected"), EXPLAIN)
def test_explain(condition, words, text, expected):
    assert parse_condition(condition).explain(words, text) == expected


# condition, a piece of the message, the line given, the line reported
CONDITION_ERRORS = [
    ("", "条件が空です", 0, 0),
    ("   \n  ", "条件が空です", 4, 5),
    ("書類 報告書", "「書類」 と 「報告書」 の間に and / or がありません", 7, 7),
    ("書類 'ひどい'", "の間に and / or がありません", 0, 0),
    ("(書類 or 報告書", "開き括弧 ( が閉じていません", 2, 2),
    ("(書類 or 報告書\nand 面倒", "開き括弧 ( が閉じていません", 2, 2),
    ("書類 or 報告書)", "閉じ括弧 ) に対応する開き括弧 ( がありません", 3, 3),
    (")書類", "閉じ括弧 ) に対応する開き括弧 ( がありません", 3, 3),
    ("(書類) (報告書)", "の間に and / or がありません", 1, 1),
    ("( )", "括弧 ( ) の中が空です", 1, 1),
    ("書類 or", "or の後に語がありません", 1, 1),
    ("書類 and\n", "and の後に語がありません", 1, 1),
    ("not", "not の後に語がありません", 1, 1),
    ("or 書類", "条件が演算子 or で始まっています", 1, 1),
    ("書類 and or 報告書", "and の後に or が続いています", 1, 1),
    ("書類 ||報告書", "| の後に | が続いています", 1, 1),
    ("'待ち時間", "引用符 ' が閉じていません", 1, 1),
    ("''", "空の文字列 '' は使えません", 1, 1),
    ("書類 or\n" * 3 + "(" * 101 + "書類" + ")" * 101, "入れ子が深すぎます", 1, 4),
    ("not " * 101 + "書類", "入れ子が深すぎます", 1, 1),
    # KH Coder constructs this module does not evaluate: each named, with its line
    ("near(先生-奥さん)", "near(...) には対応していません", 1, 1),
    ("書類 or\nNEAR(先生-奥さん)[8]", "near(...) には対応していません", 1, 2),
    ("seq(先生-奥さん)", "seq(...) には対応していません", 5, 5),
    ("死ぬ >= 2", "出現回数の比較（>=） には対応していません", 1, 1),
    ("死ぬ == 2", "出現回数の比較（==）", 1, 1),
    ("死ぬ>=2", "出現回数の比較（死ぬ>=2）", 1, 1),
    ("ない-->形容詞B", "品詞・活用の指定（ない-->形容詞B） には対応していません", 1, 1),
    ("死ぬ->連用タ接続", "品詞・活用の指定（死ぬ->連用タ接続）", 1, 1),
    ("<>見出し1-->上＿先生と私", "外部変数・見出しの指定（<>見出し1-->上_先生と私） には対応していません", 1, 1),
    ("卒業+証書", "フレーズ（卒業+証書） には対応していません", 1, 1),
    ("lw <= 10", "文書の長さ（lw） には対応していません", 1, 1),
    ("( No. >= 2 )", "文書番号（No.） には対応していません", 1, 1),
    ("2024", "数だけの語（2024", 1, 1),
    ('"先生と奥さん"', '二重引用符 "..."', 1, 1),
    ("<*書類>", "ルールファイルの外でのコードの参照（<*書類>） には対応していません", 1, 1),
    ("<書類>", "<*コード名> の形で参照します", 1, 1),
]


@pytest.mark.parametrize(("condition", "message", "given", "line"), CONDITION_ERRORS)
def test_condition_errors(condition, message, given, line):
    with pytest.raises(RuleError) as caught:
        parse_condition(condition, given)
    assert message in caught.value.message
    assert caught.value.line == line
    assert caught.value.message.startswith(f"{line} 行目: " if line else "")
    if "には対応していません" in message:
        assert USABLE in caught.value.message


def test_long_chains_do_not_recurse():
    condition = parse_condition(" or ".join(f"語{i}" for i in range(5000)))
    assert condition.matches(W("語4999"), "")
    assert not condition.matches(W("語5000"), "")


RULES = """\ufeff# 自由記述のコーディングルール（KH Coder 形式）\r
#------------\r
\r
*書類\r
書類 or 報告書 or 申請書  \r
\r
＊ 手続きの負担 \r
# コードの中のコメント\r
   手続き and ( 面倒 | 煩雑 )\r
or '時間がかかる'\r
\r
*対応への不満\r
（窓口 ｜ 職員） ＆ ！ 丁寧\r
\r
*書類の負担\r
<*書類> and <＊手続きの負担>\r
"""


def test_file_codes():
    codes = parse_file(RULES)
    assert [(c.name, c.line, c.text) for c in codes] == [
        ("書類", 4, "書類 or 報告書 or 申請書"),
        ("手続きの負担", 7, "手続き and ( 面倒 | 煩雑 )\nor '時間がかかる'"),
        ("対応への不満", 12, "（窓口 ｜ 職員） ＆ ！ 丁寧"),
        ("書類の負担", 15, "<*書類> and <＊手続きの負担>"),
    ]
    assert all(isinstance(c, Code) for c in codes)


# code name, words, text, expected
FILE_MATCHES = [
    ("書類", W("申請書"), "", True),
    ("書類", W("手続き"), "", False),
    ("手続きの負担", W("手続き", "煩雑"), "", True),
    ("手続きの負担", W("手続き"), "", False),
    ("手続きの負担", W(), "とにかく時間がかかる", True),
    ("対応への不満", W("職員"), "", True),
    ("対応への不満", W("職員", "丁寧"), "", False),
    ("書類の負担", W("報告書", "手続き", "面倒"), "", True),
    ("書類の負担", W("報告書"), "", False),
    ("書類の負担", W("報告書"), "時間がかかる", True),
]


@pytest.mark.parametrize(("name", "words", "text", "expected"), FILE_MATCHES)
def test_file_matches(name, words, text, expected):
    codes = {c.name: c for c in parse_file(RULES)}
    assert codes[name].condition.matches(words, text) is expected


def test_file_code_reference_words_and_explain():
    codes = {c.name: c for c in parse_file(RULES)}
    both = codes["書類の負担"].condition
    assert both.words() == {"書類", "報告書", "申請書", "手続き", "面倒", "煩雑"}
    assert both.explain(W("報告書"), "時間がかかる") == "ルール: <*書類> and <＊手続きの負担>（報告書、'時間がかかる'）"


# file text, expected message lines (file name rules.txt)
FILE_ERRORS = [
    ("書類 or 報告書\n*書類\n書類\n", ["rules.txt の 1 行目: コード名（* で始まる行）より前に条件が書かれています"]),
    ("*書類\n\n# まだ書いていない\n*手続き\n手続き\n", ["rules.txt の 1 行目: コード「書類」に条件がありません"]),
    ("*書類\n書類\n*手続き\n", ["rules.txt の 3 行目: コード「手続き」に条件がありません"]),
    ("*書類\n書類\n* 書類\n報告書\n", ["rules.txt の 3 行目: コード名「書類」が重複しています（1 行目と同じ）"]),
    ("*\n書類\n", ["rules.txt の 1 行目: コード名がありません（* の後に名前を書きます）"]),
    ("*書類\n(書類 or\n報告書\n", ["rules.txt の 2 行目: 開き括弧 ( が閉じていません"]),
    ("*書類\n書類 or\n報告書)\n", ["rules.txt の 3 行目: 閉じ括弧 ) に対応する開き括弧 ( がありません"]),
    ("*近接\n先生\nor near(先生-奥さん)\n", [f"rules.txt の 3 行目: near(...) には対応していません（{USABLE}）"]),
    ("*参照\n<*書類>\n*書類\n書類\n", ["rules.txt の 2 行目: <*書類> というコードはこれより前に定義されていません"]),
    ("*書類\n書類 >= 2\n*参照\n<*書類>\n", [
        f"rules.txt の 2 行目: 出現回数の比較（>=） には対応していません（{USABLE}）",
        "rules.txt の 4 行目: <*書類> は条件に誤りのあるコードなので参照できません",
    ]),
    # every problem of a file at once, in line order
    ("前置き\n*a\n*a\n書類\n*b\n*c\n卒業+証書\n*d\n(x\n", [
        "rules.txt の 1 行目: コード名（* で始まる行）より前に条件が書かれています",
        "rules.txt の 2 行目: コード「a」に条件がありません",
        "rules.txt の 3 行目: コード名「a」が重複しています（2 行目と同じ）",
        "rules.txt の 5 行目: コード「b」に条件がありません",
        f"rules.txt の 7 行目: フレーズ（卒業+証書） には対応していません（{USABLE}）",
        "rules.txt の 9 行目: 開き括弧 ( が閉じていません",
    ]),
]


@pytest.mark.parametrize(("text", "expected"), FILE_ERRORS)
def test_file_errors(text, expected):
    with pytest.raises(RuleError) as caught:
        parse_file(text)
    assert caught.value.message.split("\n") == expected
    assert [m for _, m in caught.value.problems] == expected
    assert caught.value.line == int(expected[0].split(" の ")[1].split(" 行目")[0])


def test_file_error_names_the_file():
    with pytest.raises(RuleError) as caught:
        parse_file("*a\nseq(先生-奥さん)\n", name="codes/テーマ.txt")
    assert caught.value.message.startswith("codes/テーマ.txt の 2 行目: seq(...) には対応していません")


@pytest.mark.parametrize(
    "text",
    ["", "\ufeff", "# コメントだけ\r\n\r\n", "   \n\t\n"],
)
def test_file_without_codes(text):
    assert parse_file(text) == []


def test_rule_error_is_a_user_error():
    from pipeline.errors import UserError

    with pytest.raises(UserError):
        parse_condition("書類 報告書")
