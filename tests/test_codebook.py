"""The codebook: every problem of a codebook.toml reported (file, line, what to change), and
the codebook a run writes read back unchanged."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import codebook
from pipeline.codebook import Codebook, CodebookError, CodebookTheme
from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.records import QuestionResult, Quote, Result, Theme

KEPT = {"q1": {"K1", "K2", "K3", "K4"}, "q2": {"K5", "K6"}}


def rule_error(rule: str) -> str | None:
    """A stand-in for the rules module's parser: unbalanced parentheses do not parse."""
    return "かっこ ( と ) の数が合いません" if rule.count("(") != rule.count(")") else None


def write_text(tmp_path: Path, text: str, name: str = "codebook.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, kept=KEPT, check_rule=rule_error) -> list[str]:
    with pytest.raises(CodebookError) as info:
        codebook.read(write_text(tmp_path, text), kept, check_rule)
    assert isinstance(info.value, UserError)
    assert str(info.value).startswith(info.value.problems[0])
    return info.value.problems


VALID_A = '[[theme]]\nquestion = "q1"\nkey = "a"\nlabel = "A"\n'

# (name, text, expected line or None for the whole file, fragments of the one problem line)
ERRORS = [
    ("toml syntax", '[[theme]]\nkey = paperwork\nlabel = "A"\n', "2 行目 7 文字目",
     ["TOML の書式の誤り", "値の書き方", "Invalid value"]),
    ("toml field twice", '[[theme]]\nkey = "a"\nlabel = "A"\nkey = "b"\n', 4, ["「key」が二度", "どちらかを消して"]),
    ("toml field twice, at the end", '[[theme]]\nkey = "a"\nlabel = "A"\nkey = "b"', 4, ["「key」が二度", "end of document"]),
    ("toml unterminated", '[[theme]]\nkey = "a\nlabel = "A"\n', "2 行目", ["文字列の終わりの \" がありません"]),
    ("unknown top-level key", 'title = "x"\n' + VALID_A, 1, ["不明な項目「title」", "[[theme]] の表だけ"]),
    ("single [theme] table", '[theme]\nkey = "a"\nlabel = "A"\n', 1, ["[theme] ではなく [[theme]]"]),
    ("no theme", "# nothing yet\n", None, ["テーマが一つもありません", "key と label が必須"]),
    ("unknown field", VALID_A + 'keyword = ["書類"]\n', 5,
     ["テーマ「a」に不明な項目「keyword」", "「keywords」のことでしょうか",
      "question, key, label, description, keywords, exclude, examples, rule, merge_into"]),
    ("missing key", '[[theme]]\nquestion = "q1"\nlabel = "A"\n', 1, ["1 番目のテーマに key がありません", 'key = "paperwork"']),
    ("empty key", '[[theme]]\nquestion = "q1"\nkey = " "\nlabel = "A"\n', 3, ["key が空です"]),
    ("key with a line break", '[[theme]]\nquestion = "q1"\nkey = "a\\nb"\nlabel = "A"\n', 3,
     ["key に改行があります"]),
    ("key other is taken", VALID_A.replace('key = "a"', 'key = "other"'), 3, ["key「other」は", "「その他」", "別の key"]),
    ("missing label", '[[theme]]\nquestion = "q1"\nkey = "a"\n', 1, ["テーマ「a」に label がありません"]),
    ("empty label", VALID_A.replace('label = "A"', 'label = ""'), 4, ["テーマ「a」の label が空です"]),
    ("label not a string", VALID_A.replace('label = "A"', "label = 3"), 4,
     ["label は文字列で書いてください", 'label = "書類・事務手続きの負担"']),
    ("key not a string", VALID_A.replace('key = "a"', "key = 1"), 3, ["1 番目のテーマの key は文字列で"]),
    ("keywords not a list", VALID_A + 'keywords = "書類"\n', 5, ["keywords は文字列のリストで", '["書類", "報告書"]']),
    ("examples as numbers", VALID_A + "examples = [1, 2]\n", 5,
     ["examples は文字列のリストで", 'id が数字でも "…" で囲んでください']),
    ("empty keyword", VALID_A + 'keywords = ["書類", ""]\n', 5, ["keywords に空の文字列"]),
    ("empty question", '[[theme]]\nquestion = ""\nkey = "a"\nlabel = "A"\n', 2,
     ["question が空です", "question の行を消して"]),
    ("unknown question", '[[theme]]\nquestion = "q3"\nkey = "a"\nlabel = "A"\n', 2,
     ["question「q3」は分析した設問にありません", "「q1」、「q2」"]),
    ("unknown question, close to one", '[[theme]]\nquestion = "Q1"\nkey = "a"\nlabel = "A"\n', 2,
     ["「q1」のことでしょうか"]),
    ("duplicate key in a question", VALID_A + '\n[[theme]]\nquestion = "q1"\nkey = "a"\nlabel = "B"\n', 8,
     ["テーマ「a」の key が 1 行目のテーマと重なっています", "同じ設問「q1」", "どちらかの key を変えて"]),
    ("question-less key clashes", VALID_A + '\n[[theme]]\nkey = "a"\nlabel = "B"\n', 7,
     ["1 行目のテーマと重なっています", "question のないテーマはすべての設問に当てはまる"]),
    ("example not a kept answer", VALID_A + 'examples = ["K1", "K5"]\n', 5,
     ["examples の「K5」は設問「q1」の回答にありません", "assignments.csv の id 列"]),
    ("question-less example in no question", '[[theme]]\nkey = "a"\nlabel = "A"\nexamples = ["K9"]\n', 4,
     ["「K9」はどの設問の回答にもありません"]),
    ("example under two themes", VALID_A + 'examples = ["K1"]\n\n[[theme]]\nquestion = "q1"\nkey = "b"\n'
     'label = "B"\nexamples = ["K2", "K1"]\n', 11,
     ["テーマ「b」の examples の「K1」は 1 行目のテーマ「a」にも書かれています", "一つのテーマにだけ"]),
    ("merge_into an unknown key", VALID_A + 'merge_into = "budgte"\n\n[[theme]]\nquestion = "q1"\nkey = "budget"\n'
     'label = "B"\n', 5, ["merge_into の「budgte」は設問「q1」のテーマの key にありません", "「budget」のことでしょうか",
                          "使える key: 「a」、「budget」"]),
    ("merge_into another question's key", VALID_A + 'merge_into = "b"\n\n[[theme]]\nquestion = "q2"\nkey = "b"\n'
     'label = "B"\n', 5, ["「b」は設問「q1」のテーマの key にありません"]),
    ("question-less merge_into a key of one question", '[[theme]]\nkey = "a"\nlabel = "A"\nmerge_into = "b"\n\n'
     '[[theme]]\nquestion = "q1"\nkey = "b"\nlabel = "B"\n', 4, ["「b」は設問「q2」のテーマの key にありません"]),
    ("merge_into itself", VALID_A + 'merge_into = "a"\n', 5, ["merge_into が循環しています（a → a）", "どれか一つの merge_into を消して"]),
    ("merge_into in a circle", VALID_A + 'merge_into = "b"\n\n[[theme]]\nquestion = "q1"\nkey = "b"\nlabel = "B"\n'
     'merge_into = "c"\n\n[[theme]]\nquestion = "q1"\nkey = "c"\nlabel = "C"\nmerge_into = "a"\n', 5,
     ["merge_into が循環しています（a → b → c → a）"]),
    ("rule that does not parse", VALID_A + 'rule = "書類 | (事務 & 負担"\n', 5,
     ["テーマ「a」の rule を読めません: かっこ ( と ) の数が合いません。", "rule を直してください"]),
    ("line after a multi-line string", VALID_A + 'description = """\n[[theme]]\nkey = "x"\n"""\nrule = "("\n', 9,
     ["rule を読めません"]),
]


@pytest.mark.parametrize("text, line, fragments", [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_each_problem_is_one_line_naming_file_line_and_fix(tmp_path, text, line, fragments):
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    where = ("codebook.toml: " if line is None
             else f"codebook.toml {line} 行目" if isinstance(line, int) else f"codebook.toml {line}")
    assert found[0].startswith(where), found[0]
    for fragment in fragments:
        assert fragment in found[0], (fragment, found[0])
    assert "\n" not in found[0]


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "codebook.toml"
    path.write_bytes(VALID_A.replace('"A"', '"書類"').encode("cp932"))
    with pytest.raises(CodebookError, match="UTF-8 ではありません"):
        codebook.read(path)
    with pytest.raises(UserError, match="見つかりません") as info:
        codebook.read(tmp_path / "none.toml")
    assert "--codebook" in info.value.hint


def test_many_problems_at_once_are_all_listed_in_file_order(tmp_path):
    text = ('title = "x"\n'                                              # 1: unknown top-level key
            '[[theme]]\nquestion = "q1"\nkey = "a"\nlabel = ""\n'         # 5: empty label
            'examples = ["K1", "K9"]\nmerge_into = "zz"\n'                # 6: not kept, 7: unknown merge target
            '\n[[theme]]\nquestion = "q9"\nkey = "b"\nlabel = "B"\n'     # 10: unknown question
            'colour = "red"\n'                                           # 13: unknown field
            '\n[[theme]]\nquestion = "q1"\nkey = "a"\nlabel = "A2"\n'    # 17: duplicate key
            'examples = ["K1"]\nrule = "(("\n'                            # 19: example twice, 20: rule
            '\n[[theme]]\nlabel = "no key"\n')                           # 22: missing key
    found = problems(tmp_path, text)
    lines = [int(p.split(" ")[1]) for p in found]
    assert lines == [1, 5, 6, 7, 10, 13, 17, 19, 20, 22], found
    assert all(p.startswith("codebook.toml ") and "\n" not in p for p in found)
    with pytest.raises(CodebookError) as info:
        codebook.read(write_text(tmp_path, text), KEPT, rule_error)
    assert str(info.value).count("\n") == len(found)  # the problems, then the hint
    assert "何も書き出していません" in info.value.hint


def test_a_bad_field_causes_no_knock_on_problems(tmp_path):
    """b's empty label is its only problem: b still counts as a merge target, so a → b is fine."""
    text = VALID_A + 'merge_into = "b"\n\n[[theme]]\nquestion = "q1"\nkey = "b"\nlabel = ""\n'
    assert len(problems(tmp_path, text)) == 1


def test_checks_that_need_the_analysis_are_skipped_without_it(tmp_path):
    text = ('[[theme]]\nquestion = "elsewhere"\nkey = "a"\nlabel = "A"\nexamples = ["X1"]\nrule = "(("\n'
            '\n[[theme]]\nquestion = "other question"\nkey = "a"\nlabel = "A again"\n')
    book = codebook.read(write_text(tmp_path, text))
    assert [t.question for t in book.themes] == ["elsewhere", "other question"]  # same key, two questions: fine
    assert book.themes[0].rule == "(("


def test_bom_crlf_quoted_keys_and_comments_are_accepted(tmp_path):
    text = '\ufeff# コメント\r\n[[theme]] # 最初\r\n"question" = "q1"\r\nkey = "a"  # ascii\r\nlabel = "A"\r\n'
    path = tmp_path / "codebook.toml"
    path.write_bytes(text.encode("utf-8"))
    book = codebook.read(path, KEPT)
    assert book.themes == (CodebookTheme(key="a", label="A", question="q1"),)
    assert book.themes[0].line == 2 and book.source == "codebook.toml"


def test_for_question_and_resolved_key(tmp_path):
    text = (VALID_A + 'merge_into = "b"\n\n[[theme]]\nkey = "b"\nlabel = "B"\nmerge_into = "c"\n'
            '\n[[theme]]\nkey = "c"\nlabel = "C"\n\n[[theme]]\nquestion = "q2"\nkey = "d"\nlabel = "D"\n')
    book = codebook.read(write_text(tmp_path, text), KEPT)
    assert [t.key for t in book.for_question("q1")] == ["a", "b", "c"]
    assert [t.key for t in book.for_question("q2")] == ["b", "c", "d"]
    assert [t.line for t in book.themes] == [1, 7, 12, 16]
    assert book.resolved_key("q1", "a") == "c"
    assert book.resolved_key("q2", "b") == "c"
    assert book.resolved_key("q2", "d") == "d"
    assert book.resolved_key("q2", "a") == "a"  # not a theme of q2: unchanged
    looped = Codebook((CodebookTheme("x", "X", None, merge_into="y"), CodebookTheme("y", "Y", None, merge_into="x")), "")
    assert looped.resolved_key("q1", "x") in {"x", "y"}  # never loops


# ---------------------------------------------------------------------------------------- writing

TRICKY = ['引用符 " と \\ バックスラッシュ', "改行\nと\r\nタブ\t", "制御\x00\x01\x1f\x7f文字", "# コメントではない",
          "[[theme]]", "非BMP 𠮷野家 😀", "行区切り\u2028と\u0085", "'単引用符' と '''", '"""']


def quote(id_: str, excerpt: bool = False) -> Quote:
    return Quote(id=id_, text="…", score=0.5, excerpt=excerpt)


def theme(i: int, label: str, quotes=(), candidates=(), key: str = "", summary=(), keywords=("語",)) -> Theme:
    return Theme(theme_id=i, label=label, keywords=tuple(keywords), size=10 - i, share=0.1, quotes=tuple(quotes),
                 candidates=tuple(candidates), summary=tuple(summary), key=key)


def question(name: str, themes) -> QuestionResult:
    return QuestionResult(question=name, title=name, n_answers=20, n_excluded=0, k_chosen=len(themes),
                          themes=tuple(themes), assignments=())


def sample_result() -> Result:
    q1 = question("協働したくない理由", [
        theme(0, "書類・事務の負担", [quote("K1"), quote("K2", excerpt=True), quote("K3")],
              [quote("K1"), quote("K4"), quote("K5"), quote("K6"), quote("K7")], summary=("書類が多い。", "事務が重い。"),
              keywords=("書類", "事務")),
        theme(1, TRICKY[0], [quote("K3"), quote("K8")], [quote("K9", excerpt=True)]),  # K3 is already a's example
        theme(2, "その他", [quote("K10")], key="other"),
    ])
    q2 = question('設問 "2"\n改行入り', [theme(i, label, [quote(f"Z{i}\\{label}")], key=f"key {i} #[")
                                       for i, label in enumerate(TRICKY[1:])])
    return Result(questions=(q1, q2), config=Config())


def test_write_is_themes_json_order_with_central_examples(tmp_path):
    path = tmp_path / "codebook.toml"
    codebook.write(sample_result(), path)
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    first, second = raw["theme"][:2]
    assert first == {"question": "協働したくない理由", "key": "t01", "label": "書類・事務の負担",
                     "description": "書類が多い。 事務が重い。", "keywords": ["書類", "事務"],
                     "examples": ["K1", "K3", "K4", "K5", "K6"]}  # excerpt K2 skipped, candidates fill, at most 5
    assert second["key"] == "t02" and second["examples"] == ["K8"] and second["description"] == ""
    assert [t.get("key") for t in raw["theme"]][:3] == ["t01", "t02", "key 0 #["]  # その他 (key other) left out
    assert len(raw["theme"]) == 2 + len(TRICKY) - 1
    assert set(raw) == {"theme"}


def test_write_round_trips_through_read(tmp_path):
    result = sample_result()
    path = tmp_path / "codebook.toml"
    codebook.write(result, path)
    kept = {q.question: {qu.id for t in q.themes for qu in (*t.quotes, *t.candidates)} for q in result}
    book = codebook.read(path, kept, rule_error)
    assert book.themes == codebook.from_result(result)
    assert [t.label for t in book.themes][1:] == TRICKY
    assert book.themes[2].examples == ("Z0\\" + TRICKY[1],)
    text = path.read_text(encoding="utf-8")
    assert len(text.split("\n")) == len(text.splitlines()) + 1  # every field on its own line, nothing else breaks
    assert [t.line for t in book.themes] == [n for n, line in enumerate(text.split("\n"), 1) if line == "[[theme]]"]
    codebook.write(result, tmp_path / "again.toml")
    assert (tmp_path / "again.toml").read_bytes() == path.read_bytes()  # deterministic


def test_written_header_explains_editing_and_running_again(tmp_path):
    path = tmp_path / "codebook.toml"
    codebook.write(sample_result(), path)
    text = path.read_text(encoding="utf-8")
    header = text[:text.index("\n[[theme]]")]
    assert all(line.startswith("#") or not line for line in header.splitlines())
    for fragment in ["python -m pipeline themes INPUT --codebook codebook.toml --out DIR", "コピーしてから", "label を書き換え", "merge_into",
                     "複製", "keywords", "exclude", "examples", "rule"]:
        assert fragment in header, fragment
    assert "\r" not in text and not text.startswith("\ufeff")


def test_dumps_round_trips_every_field(tmp_path):
    themes = (CodebookTheme("共通", "全設問", None, "説明\t", ("a",), ("b", '"'), ("K1",), "a | (b & c)", ""),
              CodebookTheme("x", "X", "q1", merge_into="共通"), CodebookTheme("y", "Y", "q1", examples=("K2",)))
    path = write_text(tmp_path, codebook.dumps(themes))
    assert codebook.read(path, KEPT, rule_error).themes == themes


printable_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(printable_text.filter(str.strip), min_size=1, max_size=4),
       words=st.lists(printable_text.filter(str.strip), max_size=3),
       question_name=printable_text)
def test_dumps_round_trips_any_text(labels, words, question_name):
    themes = tuple(CodebookTheme(f"k{i}", label, question_name if i % 2 else None, label, tuple(words), tuple(words))
                   for i, label in enumerate(labels))
    assert tomllib.loads(codebook.dumps(themes))["theme"] == [
        {**({"question": t.question} if t.question is not None else {}), "key": t.key, "label": t.label,
         "description": t.description, "keywords": list(t.keywords), **({"exclude": list(t.exclude)} if t.exclude else {}),
         "examples": []} for t in themes]


def test_rules_are_checked_with_the_coding_rule_parser(tmp_path):
    """codebook.read with the rules module's check: a rule KH Coder-style parsing refuses is a
    codebook problem naming the theme's rule line."""
    from pipeline import codebook, rules

    path = tmp_path / "codebook.toml"
    path.write_text('[[theme]]\nkey = "paper"\nlabel = "書類"\nrule = "書類 | (報告書"\n\n'
                    '[[theme]]\nkey = "room"\nlabel = "会場"\nrule = "会場 & !予約"\n', encoding="utf-8")
    with pytest.raises(codebook.CodebookError) as e:
        codebook.read(path, check_rule=rules.problem)
    assert len(e.value.problems) == 1 and "4 行目" in e.value.problems[0] and "rule を読めません" in e.value.problems[0]
    path.write_text('[[theme]]\nkey = "room"\nlabel = "会場"\nrule = "会場 & !予約"\n', encoding="utf-8")
    assert codebook.read(path, check_rule=rules.problem).themes[0].rule == "会場 & !予約"
