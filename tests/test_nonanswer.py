import pytest

from pipeline.nonanswer import extra_set, reason
from pipeline.normalize import normalize

CASES = [
    ("", "empty"), ("   ", "empty"), ("－", "empty"), ("ー", "empty"), ("・", "empty"), ("…", "empty"),
    ("？", "empty"), ("×", "empty"), ("-", "empty"),
    ("特になし", "non_answer"), ("特に無し。", "non_answer"), ("特にありません。", "non_answer"),
    ("特に無いです", "non_answer"), ("ないです", "non_answer"), ("なし", "non_answer"), ("ナシ", "non_answer"),
    ("無回答", "non_answer"), ("未記入", "non_answer"), ("同上", "non_answer"), ("上記のとおり", "non_answer"),
    ("上記に同じ", "non_answer"), ("わからない", "non_answer"), ("分かりません。", "non_answer"),
    ("よくわからない", "non_answer"), ("現時点では特になし", "non_answer"), ("とくになし", "non_answer"),
    ("特に思いつきません", "non_answer"), ("Ｎ／Ａ", "non_answer"), ("問題なし", "non_answer"),
    ("不便はなかった", "non_answer"), ("満足しています", "non_answer"), ("特に不満はない", "non_answer"),
    ("まだ協働したことがない", "non_answer"),
    # Real answers, even when they contain a non-answer word.
    ("特にないが、強いて言えば会場の確保", ""), ("予算がない", ""), ("書類が多い", ""),
    ("相談窓口がほしい", ""), ("わからないことを相談できる窓口", ""), ("人手不足", ""),
    ("協働のメリットがよくわからない", ""), ("同じ書類を何度も出す", ""), ("なし崩しに仕事が増える", ""),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_reason(text, expected):
    assert reason(normalize(text)) == expected


def test_configured_non_answers():
    extra = extra_set(("該当する活動なし",))
    assert reason(normalize("該当する活動なし。"), extra) == "non_answer"
    assert reason(normalize("該当する活動なし。"), frozenset()) == ""
