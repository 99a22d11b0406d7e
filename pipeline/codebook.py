"""The codebook: staff's themes in `codebook.toml` — read and validated, or written from a run.

Every run writes `codebook.toml` (one `[[theme]]` table per theme of every question); staff edit
it and run again with `--codebook FILE` (see CONTRACT.md, "The codebook"). `read` checks the
whole file and raises one `CodebookError` (a `UserError`, exit 2) listing every problem, one
Japanese line each, with the file, the line and what to change. `write`/`dumps` produce TOML
that `read` gives back unchanged, whatever the labels and ids contain.

tomllib gives no positions, so line numbers come from a scan of the raw text: the n-th
`[[theme]]` header is theme n's line, and a field's line is the first line after it that
starts with `field =`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UserError
from pipeline.records import QuestionResult, Quote

FIELDS = ("question", "key", "label", "description", "keywords", "exclude", "examples", "rule", "merge_into")
_STRING_FIELDS = ("question", "key", "label", "description", "rule", "merge_into")
_LIST_FIELDS = ("keywords", "exclude", "examples")
_EXAMPLE_VALUE = {
    "question": '"協働したくない理由"', "key": '"paperwork"', "label": '"書類・事務手続きの負担"',
    "description": '"書類・報告書などの事務作業が重い"', "rule": '"書類 | 報告書 | (事務 & 負担)"',
    "merge_into": '"budget"', "keywords": '["書類", "報告書"]', "exclude": '["ホームページ"]',
    "examples": '["K0044", "K0120"]',
}
OTHER_KEY = "other"  # the その他 theme of a codebook run: not a codebook theme
MAX_EXAMPLES = 5
# Characters that end a line somewhere (str.splitlines): a key may contain none of them.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass(frozen=True)
class CodebookTheme:
    key: str
    label: str
    question: str | None  # None: applies to every question
    description: str = ""
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # answer ids, always coded to this theme
    rule: str = ""  # a KH Coder coding-rule condition
    merge_into: str = ""  # this theme's answers are coded to that key
    line: int = field(default=0, compare=False)  # line of its [[theme]] in the file; 0 when not from a file


@dataclass(frozen=True)
class Codebook:
    themes: tuple[CodebookTheme, ...]
    source: str  # the file's name, for messages

    def for_question(self, question: str) -> tuple[CodebookTheme, ...]:
        """The question's own themes and the question-less ones, in file order."""
        return tuple(t for t in self.themes if t.question is None or t.question == question)

    def resolved_key(self, question: str, key: str) -> str:
        """The key that `key` ends at after following `merge_into` in `question`; `key` itself
        when it merges nowhere (or is unknown)."""
        targets = {t.key: t.merge_into for t in self.for_question(question)}
        seen = {key}
        while targets.get(key):
            key = targets[key]
            if key in seen:  # a circle: `read` refuses it; never loop
                break
            seen.add(key)
        return key


class CodebookError(UserError):
    """Every problem of a codebook: `problems` are the lines of the message, one per problem."""

    def __init__(self, problems: list[str], hint: str = ""):
        super().__init__("\n".join(problems), hint)
        self.problems = problems


# ------------------------------------------------------------------------------- checking (any format)

@dataclass(frozen=True)
class Entry:
    """One theme as a codebook file has it, for `check`: its fields (strings; the list fields as
    tuples of strings), where it stands, and the fields its reader already found wrong."""
    values: Mapping[str, Any]
    line: int = 0  # its [[theme]] line or its sheet row; 0: unknown
    lines: Mapping[str, int] = field(default_factory=dict)  # a field's own line, when it has one
    bad: frozenset[str] = frozenset()  # fields with a reported problem: left out of the checks


@dataclass(frozen=True)
class Form:
    """How a codebook file names things, for its messages: the fields (by name in TOML, by column
    header in the sheet), how a value is written, and where a line is."""
    names: Mapping[str, str]  # field → its name in the file
    quoted: bool  # names set in 「」 (a Japanese header), else between spaces (an ASCII field name)
    samples: Mapping[str, str]  # key, label, rule → how to write such a value
    place: str  # "{source} {line} 行目"
    nameless: str  # a theme without a usable key: "{n} 番目のテーマ"
    no_question: str  # after すべての設問に当てはめるなら: how a theme is made to apply to every question

    def name(self, field: str) -> str:
        """The field's name set in a Japanese sentence: " key " or 「キー」."""
        return f"「{self.names[field]}」" if self.quoted else f" {self.names[field]} "

    def before_value(self, field: str) -> str:
        """The field's name followed by a value in 「」: " key" or キー (…の key「a」, …のキー「a」)."""
        return self.names[field] if self.quoted else f" {self.names[field]}"

    def where(self, source: str, line: int) -> str:
        return f"{source}: " if line <= 0 else self.place.format(source=source, line=line) + ": "


TOML_FORM = Form(
    names={f: f for f in FIELDS}, quoted=False,
    samples={name: f"{name} = {_EXAMPLE_VALUE[name]}" for name in ("key", "rule")}
    | {"label": 'label = "書類・事務手続きの負担"'},
    place="{source} {line} 行目", nameless="{n} 番目のテーマ", no_question=" question の行を消してください")

HINT = "直してから、もう一度実行してください（何も書き出していません）。"


def check(entries: Sequence[Entry], source: str, form: Form, kept_ids: Mapping[str, set[str]] | None = None,
          check_rule: Callable[[str], str | None] | None = None, found: Iterable[tuple[int, str]] = ()) -> Codebook:
    """The codebook of `entries`, checked the same way whatever file they come from; or one
    `CodebookError` listing every problem in line order: `found` (the reader's own problems, as
    (line, message)) and those of the themes. `kept_ids` and `check_rule` as for `read`."""
    problems = list(found)
    themes, more = _validate(entries, form, kept_ids, check_rule)
    problems += more
    if problems:
        problems.sort(key=lambda p: p[0])
        raise CodebookError([form.where(source, line) + message for line, message in problems], HINT)
    return Codebook(tuple(themes), source)


def _who(values: Mapping[str, Any], n: int, form: Form) -> str:
    key = values.get("key")
    return f"テーマ「{_show(key)}」" if isinstance(key, str) and key.strip() else form.nameless.format(n=n + 1)


def _show(value: str, limit: int = 40) -> str:
    """A value for a one-line message: line breaks and control characters escaped, shortened."""
    shown = "".join(f"\\u{ord(c):04x}" if (ord(c) < 0x20 or ord(c) == 0x7F or c in _LINE_BREAKS) else c
                    for c in value)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _listing(names: Iterable[str], limit: int = 12) -> str:
    names = list(names)
    shown = "、".join(f"「{_show(n)}」" for n in names[:limit])
    return shown + (f" ほか {len(names) - limit} 件" if len(names) > limit else "")


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def _suggest(value: str, choices: Iterable[str]) -> str:
    """「…」のことでしょうか for the choice closest to `value` (width and case ignored), or ""."""
    folded = {_fold(c): c for c in reversed(list(choices))}
    close = difflib.get_close_matches(_fold(value), list(folded), n=1, cutoff=0.6)
    return f"（「{_show(folded[close[0]])}」のことでしょうか）" if close else ""


def _validate(entries: Sequence[Entry], form: Form, kept_ids: Mapping[str, set[str]] | None,
              check_rule: Callable[[str], str | None] | None) -> tuple[list[CodebookTheme], list[tuple[int, str]]]:
    problems: list[tuple[int, str]] = []
    name, sample = form.name, form.samples

    # 1. Each theme on its own: required key and label, a known question.
    themes: list[CodebookTheme | None] = []
    for n, entry in enumerate(entries):
        values, line = entry.values, entry.line

        def at(field: str, entry=entry) -> int:
            return entry.lines.get(field, entry.line)

        key, label, question = values.get("key"), values.get("label"), values.get("question")
        who = _who(values, n, form)
        bad = set(entry.bad)  # fields with a problem: left out of the checks across themes
        if "key" in bad:
            pass
        elif key is None:
            problems.append((line, f"{who}に{name('key')}がありません。{sample['key']} のように、"
                             "設問の中で重ならない名前を書いてください（英数字がおすすめ。日本語も使えます）。"))
            bad.add("key")
        elif not key.strip():
            problems.append((at("key"), f"{who}の{name('key')}が空です。{sample['key']} のように名前を書いてください。"))
            bad.add("key")
        elif any(c in key for c in _LINE_BREAKS):
            problems.append((at("key"), f"{who}の{name('key')}に改行があります。改行のない名前にしてください。"))
            bad.add("key")
        elif key == OTHER_KEY:
            problems.append((at("key"), f"{form.before_value('key').lstrip()}「{OTHER_KEY}」は、どのテーマにも合わない回答の「その他」に使われます。"
                             f"別の{name('key')}にしてください。"))
            bad.add("key")
        if "label" in bad:
            pass
        elif label is None:
            problems.append((line, f"{who}に{name('label')}がありません。{sample['label']} のように"
                             "テーマの名前を書いてください。"))
            bad.add("label")
        elif not label.strip():
            problems.append((at("label"), f"{who}の{name('label')}が空です。テーマの名前を書いてください。"))
            bad.add("label")
        if "question" in bad or question is None:
            pass
        elif not question.strip():
            problems.append((at("question"), f"{who}の{name('question')}が空です。設問名を書くか、"
                             f"すべての設問に当てはめるなら{form.no_question}。"))
            bad.add("question")
        elif kept_ids is not None and question not in kept_ids:
            problems.append((at("question"), f"{who}の{form.before_value('question')}「{_show(question)}」は分析した設問にありません"
                             f"{_suggest(question, kept_ids)}。{name('question').lstrip()}を次のいずれかにしてください: "
                             f"{_listing(kept_ids)}（assignments.csv の question 列と同じ名前）。"
                             f"すべての設問に当てはめるなら{form.no_question}。"))
        if bad & {"key", "question"}:
            themes.append(None)  # its scope or key is unknown: no checks across themes
            continue

        def good(field: str, default: Any, bad=bad, values=values) -> Any:
            return default if field in bad else values.get(field, default)

        themes.append(CodebookTheme(
            key=values["key"], label=good("label", ""), question=question, description=good("description", ""),
            keywords=tuple(values.get("keywords", ())), exclude=tuple(values.get("exclude", ())),
            examples=tuple(values.get("examples", ())), rule=good("rule", ""), merge_into=good("merge_into", ""),
            line=line))

    number = {id(t): n for n, t in enumerate(themes) if t is not None}  # by identity: equal themes may repeat

    def at_field(t: CodebookTheme, field: str) -> int:
        return entries[number[id(t)]].lines.get(field, t.line) if t.line else 0

    def where(t: CodebookTheme) -> str:
        return f"{t.line} 行目のテーマ" if t.line else f"{number[id(t)] + 1} 番目のテーマ"

    valid = [t for t in themes if t is not None]
    # 2. Keys unique within a question; a question-less key clashes with every question's keys.
    for i, t in enumerate(valid):
        clash = next((o for o in valid[:i] if o.key == t.key and (
            o.question is None or t.question is None or o.question == t.question)), None)
        if clash is not None:
            why = (f"同じ設問「{_show(t.question)}」" if t.question is not None and t.question == clash.question
                     else f"{name('question').lstrip()}のないテーマはすべての設問に当てはまるため")
            problems.append((at_field(t, "key"), f"テーマ「{_show(t.key)}」の{name('key')}が {where(clash)}と重なっています"
                             f"（{why}）。どちらかの{name('key')}を変えてください"
                             f"（二つをまとめるなら、片方に{name('merge_into')}を書きます）。"))

    # 3. Examples: kept answers of the question, each under one theme per question.
    for t in valid:
        if not t.examples or kept_ids is None or (t.question is not None and t.question not in kept_ids):
            continue
        for example in dict.fromkeys(t.examples):
            if t.question is not None and example not in kept_ids[t.question]:
                problems.append((at_field(t, "examples"), f"テーマ「{_show(t.key)}」の{name('examples')}の「{_show(example)}」は"
                                 f"設問「{_show(t.question)}」の回答にありません（除外された回答は例にできません）。"
                                 "assignments.csv の id 列で id を確かめて直すか、消してください。"))
            elif t.question is None and not any(example in ids for ids in kept_ids.values()):
                problems.append((at_field(t, "examples"), f"テーマ「{_show(t.key)}」の{name('examples')}の「{_show(example)}」は"
                                 "どの設問の回答にもありません（除外された回答は例にできません）。"
                                 "assignments.csv の id 列で id を確かめて直すか、消してください。"))
    reported: set[tuple[str, int]] = set()
    for i, t in enumerate(valid):
        for example in dict.fromkeys(t.examples):
            other = next((o for o in valid[:i] if example in o.examples and (
                o.question is None or t.question is None or o.question == t.question)), None)
            if other is not None and (example, i) not in reported:
                reported.add((example, i))
                problems.append((at_field(t, "examples"), f"テーマ「{_show(t.key)}」の{name('examples')}の「{_show(example)}」は"
                                 f" {where(other)}「{_show(other.key)}」にも書かれています。"
                                 "一つの回答は一つのテーマにだけ書いてください。"))

    # 4. merge_into: to a key of the same question scope, and never in a circle. A question-less
    # theme is checked in every question (its target must exist in each).
    scopes: list[str | None] = (list(kept_ids) if kept_ids is not None
                                else list(dict.fromkeys(t.question for t in valid if t.question is not None)))
    if not scopes or (kept_ids is None and any(t.question is None for t in valid)):
        scopes.append(None)
    bad_merge: set[int] = set()
    circles: set[frozenset[str]] = set()
    for scope in scopes:
        members = [t for t in valid if t.question is None or (scope is not None and t.question == scope)]
        keys: dict[str, CodebookTheme] = {}
        for t in members:
            keys.setdefault(t.key, t)
        for t in members:
            if not t.merge_into or id(t) in bad_merge:
                continue
            if t.merge_into not in keys:
                bad_merge.add(id(t))
                place = (f"設問「{_show(scope)}」のテーマ" if scope is not None
                         else f"{name('question').lstrip()}のないテーマ")
                problems.append((at_field(t, "merge_into"), f"テーマ「{_show(t.key)}」の{name('merge_into')}の「{_show(t.merge_into)}」は"
                                 f"{place}の{name('key')}にありません{_suggest(t.merge_into, keys)}。"
                                 f"まとめ先のテーマの{name('key')}を書いてください（使える{name('key').rstrip()}: {_listing(keys)}）。"))
                continue
            chain, key = [t.key], t.merge_into
            while key in keys and key not in chain:
                chain.append(key)
                key = keys[key].merge_into
                if not key:
                    break
            if key and key in chain:
                circle = chain[chain.index(key):]
                if frozenset(circle) not in circles:
                    circles.add(frozenset(circle))
                    first = min((keys[k] for k in circle), key=lambda o: number[id(o)])
                    start = circle.index(first.key)
                    path = circle[start:] + circle[:start] + [first.key]
                    problems.append((at_field(first, "merge_into"), f"{name('merge_into').lstrip()}が循環しています（"
                                     + " → ".join(_show(k) for k in path)
                                     + f"）。どれか一つの{name('merge_into')}を消してください。"))

    # 5. Rules that do not parse.
    if check_rule is not None:
        for t in valid:
            if t.rule.strip():
                error = check_rule(t.rule)
                if error:
                    problems.append((at_field(t, "rule"), f"テーマ「{_show(t.key)}」の{name('rule')}を読めません: {error.rstrip('。')}。"
                                     f"{name('rule').lstrip()}を直してください（例: {sample['rule']}）。"))
    return valid, problems


# ------------------------------------------------------------------------------------ codebook.toml

def read(path: Path, kept_ids: Mapping[str, set[str]] | None = None,
         check_rule: Callable[[str], str | None] | None = None) -> Codebook:
    """Read and validate a `.toml` codebook. `kept_ids`: question → ids of its kept answers
    (questions and examples are checked against it; None skips those checks). `check_rule`:
    returns a Japanese error text for a rule that does not parse, or None (None skips)."""
    path = Path(path)
    source = path.name
    if not path.is_file():
        raise UserError(f"コードブック {path} が見つかりません。", "--codebook に正しいファイルのパスを指定してください。")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError([f"{source}: 文字コードが UTF-8 ではありません。"
                             "メモ帳などで「UTF-8」を選んで保存し直してください。"], HINT) from None
    except OSError as e:
        raise UserError(f"コードブック {path} を読めません: {e.strerror or e}",
                        "ファイルの場所と読み取りの権限を確かめてください。") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CodebookError([_syntax_problem(source, text, str(e))], HINT) from None
    entries, problems = _toml_entries(raw, text)
    return check(entries, source, TOML_FORM, kept_ids, check_rule, problems)


def _toml_entries(raw: dict[str, Any], text: str) -> tuple[list[Entry], list[tuple[int, str]]]:
    """The [[theme]] tables of a parsed codebook.toml as entries with their lines, and the
    problems only TOML can have: other tables, unknown fields, values of the wrong type."""
    problems: list[tuple[int, str]] = []
    headers, field_lines, top = _layout(text)

    for name in raw:
        if name != "theme":
            problems.append((top.get(name, 0), f"不明な項目「{_show(name)}」があります。"
                             "コードブックには [[theme]] の表だけを書いてください（項目は各 [[theme]] の下に書きます）。"))
    tables = raw.get("theme", [])
    if isinstance(tables, dict):
        problems.append((top.get("theme", 0), "[theme] ではなく [[theme]] と書いてください（テーマ一つにつき [[theme]] 一つ）。"))
        tables = []
    elif not isinstance(tables, list) or not all(isinstance(e, dict) for e in tables):
        problems.append((top.get("theme", 0), "theme はテーマごとの [[theme]] の表で書いてください。"))
        tables = []
    elif not tables:
        problems.append((0, "テーマが一つもありません。[[theme]] の表を一つ以上書いてください"
                         "（一つの表に key と label が必須です）。"))

    entries = []
    for n, table in enumerate(tables):
        line = headers[n] if n < len(headers) and len(headers) == len(tables) else 0
        lines = field_lines[n] if line else {}

        def at(name: str, line=line, lines=lines) -> int:
            return lines.get(name, line)

        who = _who(table, n, TOML_FORM)
        bad: set[str] = set()
        for name in table:
            if name not in FIELDS:
                problems.append((at(name), f"{who}に不明な項目「{_show(name)}」があります{_suggest(name, FIELDS)}。"
                                 f"使える項目は {', '.join(FIELDS)} です。"))
        for name in _STRING_FIELDS:
            if name in table and not isinstance(table[name], str):
                problems.append((at(name), f"{who}の {name} は文字列で書いてください（例: {name} = {_EXAMPLE_VALUE[name]}）。"))
                bad.add(name)
        for name in _LIST_FIELDS:
            value = table.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                numbers = name == "examples" and isinstance(value, list) and any(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
                extra = "。id が数字でも \"…\" で囲んでください（例: examples = [\"44\", \"120\"]）" if numbers else ""
                problems.append((at(name), f"{who}の {name} は文字列のリストで書いてください"
                                 f"（例: {name} = {_EXAMPLE_VALUE[name]}）{extra}。"))
                bad.add(name)
            elif any(not v.strip() for v in value):
                problems.append((at(name), f"{who}の {name} に空の文字列 \"\" があります。取り除いてください。"))
                bad.add(name)
        values: dict[str, Any] = {name: table[name] for name in _STRING_FIELDS if name in table and name not in bad}
        for name in _LIST_FIELDS:
            items = table.get(name, [])  # the usable strings, even of a field with a problem (no knock-on problems)
            values[name] = tuple(v for v in items if isinstance(v, str) and v.strip()) if isinstance(items, list) else ()
        entries.append(Entry(values, line, lines, frozenset(bad)))
    return entries, problems


_TOML_MESSAGES = [
    ("Illegal character '\\n'", '文字列の終わりの " がありません（文字列は一行に書き、改行は \\n と書きます）'),
    ("Invalid value", '値の書き方が正しくありません（文字列は "…" で囲み、リストは ["…", "…"] と書きます）'),
    ("Unterminated string", '文字列の終わりの " がありません'),
    ("Unescaped '\\' in a string", '文字列の中の \\ は \\\\ と書いてください'),
    ("Expected '=' after a key", "「項目名 = 値」の形になっていません"),
    ("Cannot overwrite a value", "同じ項目が二度書かれています"),
    ("Cannot declare", "同じ表が二度書かれています"),
    ("Unclosed array", "リストの終わりの ] がありません"),
    ("Unclosed inline table", "{ … } の終わりの } がありません"),
    ("Expected ']]'", "[[theme]] の ]] がありません"),
    ("Expected ']'", "[…] の ] がありません"),
    ("Illegal character", '文字列の中に使えない制御文字があります（改行は \\n と書きます）'),
    ("Invalid statement", "この行は TOML として読めません"),
    ("Invalid initial character for a key part", "項目名の書き方が正しくありません"),
]


def _syntax_problem(source: str, text: str, error: str) -> str:
    what = next((ja for en, ja in _TOML_MESSAGES if error.startswith(en)), "書き方に誤りがあります")
    m = re.search(r"\(at line (\d+), column (\d+)\)", error)
    where = f"{source} {m.group(1)} 行目 {m.group(2)} 文字目" if m else f"{source}（ファイルの終わり）"
    if error.startswith(("Cannot overwrite", "Cannot declare")):
        line, name = _repeated_field(text)
        if line:
            what = f"同じ表の中に「{_show(name)}」が二度書かれています（どちらかを消してください）"
            where = where if m else f"{source} {line} 行目"
    return (f"{where}: TOML の書式の誤り — {what}（{_show(error, 80)}）。この箇所を直してください"
            '（[[theme]] の下に 項目名 = 値 を一行ずつ書き、文字列は "…" で囲みます）。')


# A key at the start of a line: bare, "quoted" or 'quoted', followed by = (a value) or . (dotted).
_KEY_LINE = re.compile(r"""\s*(?:([A-Za-z0-9_-]+)|"([^"\\]*)"|'([^']*)')\s*[=.]""")
_HEADER = re.compile(r"""\s*(\[\[?)\s*(?:([A-Za-z0-9_-]+)|"([^"\\]*)"|'([^']*)')\s*([\].])""")


def _code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the lines that start outside a multi-line string, 1-based, with
    line numbers as tomllib counts them (by \\n only)."""
    out: list[tuple[int, str]] = []
    inside = ""  # the delimiter of the multi-line string the current line starts in
    for number, line in enumerate(text.split("\n"), 1):
        if not inside:
            out.append((number, line))
        i = 0
        while i < len(line):
            if inside:
                if inside == '"""' and line[i] == "\\":
                    i += 2
                    continue
                if line.startswith(inside, i):
                    inside, i = "", i + 3
                    continue
                i += 1
                continue
            c = line[i]
            if c == "#":
                break
            if line.startswith('"""', i) or line.startswith("'''", i):
                inside, i = line[i:i + 3], i + 3
                continue
            if c in "\"'":
                j = i + 1
                while j < len(line) and line[j] != c:
                    j += 2 if c == '"' and line[j] == "\\" else 1
                i = j + 1
                continue
            i += 1
    return out


def _key_of(m: re.Match, first: int) -> str:
    return next(g for g in m.groups()[first - 1:first + 2] if g is not None)


def _layout(text: str) -> tuple[list[int], list[dict[str, int]], dict[str, int]]:
    """Theme header lines, each theme's field → first line, and top-level names → first line."""
    headers: list[int] = []
    fields: list[dict[str, int]] = []
    top: dict[str, int] = {}
    in_theme = False
    for number, line in _code_lines(text):
        h = _HEADER.match(line)
        if h:
            name = _key_of(h, 2)
            top.setdefault(name, number)
            in_theme = h.group(1) == "[[" and name == "theme" and h.group(5) == "]"
            if in_theme:
                headers.append(number)
                fields.append({})
            continue
        k = _KEY_LINE.match(line)
        if k:
            if in_theme:
                fields[-1].setdefault(_key_of(k, 1), number)
            elif not headers:
                top.setdefault(_key_of(k, 1), number)
    return headers, fields, top


def _repeated_field(text: str) -> tuple[int, str]:
    """The line and name of the first field written twice in one table (for tomllib's
    "Cannot overwrite a value (at end of document)"), or (0, "")."""
    seen: set[str] = set()
    for number, line in _code_lines(text):
        if _HEADER.match(line):
            seen = set()
            continue
        k = _KEY_LINE.match(line)
        if k:
            name = _key_of(k, 1)
            if name in seen:
                return number, name
            seen.add(name)
    return 0, ""


# ---------------------------------------------------------------------------------------- writing

HEADER = """\
# コードブック（テーマの定義）— jiyu-themes が書き出したファイルです。
# 出力フォルダの外にコピーしてから編集してください（出力フォルダは次の実行で置き換わります）。
# 編集して保存し、次のように実行すると、回答をこのテーマで分類し直します:
#   python -m pipeline themes INPUT --codebook codebook.toml --out DIR
# （INPUT は回答のファイル、DIR は出力フォルダ。来年度の回答にも同じファイルを使えば、同じテーマで比べられます。）
# Excel で編集したいときは、同じ内容の codebook.xlsx を編集して --codebook codebook.xlsx で実行します。
#
# 一つの [[theme]] の表が一つのテーマです。
#   question  設問（assignments.csv の question 列と同じ名前）。書かなければ、すべての設問に当てはまります。
#   key       テーマの見出し（必須）。設問の中で重ならない名前で、どの出力にも残ります。英数字がおすすめです。
#   label     テーマの名前（必須）。
#
# 編集のしかた:
#   名前を変える   label を書き換えます（key はそのままにします）。
#   説明を付ける   description = "…" に書きます。
#   まとめる       まとめられる側のテーマに merge_into = "まとめ先の key" を書きます。
#   分ける         [[theme]] の表をまるごと複製して新しい key と label を付け、
#                  それぞれに合う keywords と examples を書きます。
#   テーマを足す   [[theme]] の表を書き足します（key と label は必須）。
#   テーマを消す   [[theme]] の表を消します（その回答は近いテーマか「その他」に入ります）。
#   keywords = ["語", …]   回答にこの語があれば、このテーマの手がかりになります。
#   exclude = ["語", …]    このテーマの手がかりにしない語です。
#   examples = ["id", …]   必ずこのテーマに入れる回答の id（assignments.csv の id 列）。
#                          一つの回答は一つのテーマにだけ書きます。
#   rule = "書類 | 報告書 | (事務 & 負担)"   KH Coder のコーディングルールの条件です。
#
# 文字列は "…" で囲み、中の " と \\ は \\" と \\\\ と書きます。# から行末まではコメントです。
# 書き方に問題があると、行番号と直し方を表示して止まります（何も書き出しません）。
"""

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(value: str) -> str:
    """A TOML basic string. Control characters (U+0000–U+001F, U+007F) are escaped as TOML
    requires, and so are the other characters that end a line in some editors (U+0085, U+2028,
    U+2029), so that every table field stays on its own line."""
    out = []
    for c in value:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F or c in _LINE_BREAKS:
            out.append(f"\\u{ord(c):04X}")
        elif 0xD800 <= ord(c) <= 0xDFFF:  # a lone surrogate cannot be written in UTF-8
            out.append("\\uFFFD")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _array(values: Sequence[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _comment(value: str) -> str:
    return "".join(" " if (ord(c) < 0x20 or ord(c) == 0x7F or c in _LINE_BREAKS) else c for c in value)


def dumps(themes: Sequence[CodebookTheme]) -> str:
    """The text of a codebook.toml holding `themes` (with the editing guide at the top).
    `read` of this text gives the same themes back."""
    parts = [HEADER]
    previous: object = object()
    for t in themes:
        if t.question != previous:
            previous = t.question
            parts.append(f"\n# ── 設問: {_comment(t.question)} ──\n" if t.question is not None
                         else "\n# ── すべての設問 ──\n")
        lines = ["", "[[theme]]"]
        if t.question is not None:
            lines.append(f"question = {_string(t.question)}")
        lines += [f"key = {_string(t.key)}", f"label = {_string(t.label)}", f"description = {_string(t.description)}",
                  f"keywords = {_array(t.keywords)}"]
        if t.exclude:
            lines.append(f"exclude = {_array(t.exclude)}")
        lines.append(f"examples = {_array(t.examples)}")
        if t.rule:
            lines.append(f"rule = {_string(t.rule)}")
        if t.merge_into:
            lines.append(f"merge_into = {_string(t.merge_into)}")
        parts.append("\n".join(lines[1:] if parts[-1].endswith("──\n") else lines) + "\n")
    return "".join(parts)


def _examples(quotes: Iterable[Quote], taken: set[str]) -> tuple[str, ...]:
    """Up to five central answer ids: quotes first, then candidates; excerpts (part of an answer
    that may belong elsewhere) and ids already an example of another theme are skipped."""
    ids: list[str] = []
    for q in quotes:
        if q.excerpt or q.id in taken or q.id in ids or not q.id:
            continue
        ids.append(q.id)
        if len(ids) == MAX_EXAMPLES:
            break
    taken.update(ids)
    return tuple(ids)


def from_result(result: Iterable[QuestionResult]) -> tuple[CodebookTheme, ...]:
    """The codebook of a run: every theme of every question in themes.json order, without the
    その他 theme (key `other`). Keys: the theme's key, else t01, t02, … by position."""
    themes = []
    for r in result:
        taken: set[str] = set()
        used = {t.key for t in r.themes if t.key}
        for position, t in enumerate(r.themes, 1):
            if t.key == OTHER_KEY:
                continue
            key = t.key
            if not key:
                key, n = f"t{position:02d}", 1
                while key in used:
                    n += 1
                    key = f"t{position:02d}_{n}"
                used.add(key)
            themes.append(CodebookTheme(
                key=key, label=t.label if t.label.strip() else key, question=r.question,
                description=" ".join(t.summary), keywords=tuple(t.keywords),
                examples=_examples([*t.quotes, *t.candidates], taken)))
    return tuple(themes)


def write(result: Iterable[QuestionResult], path: Path) -> None:
    """Write the run's codebook.toml (UTF-8, \\n line ends, deterministic)."""
    Path(path).write_text(dumps(from_result(result)), encoding="utf-8", newline="\n")
