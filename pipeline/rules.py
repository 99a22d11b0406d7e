"""KH Coder coding rules: parse a rule file (or one condition) and evaluate it on an answer.

The grammar follows KH Coder's own reader (ko-ichi-h/khcoder, ``kh_lib/kh_cod.pm`` ``read_file``,
``kh_lib/kh_cod/a_code.pm`` ``new`` and the atoms in ``kh_lib/kh_cod/a_code/atom/*.pm``):

* A line starting with ``*`` (or full-width ``＊``) names a code; the lines after it, up to the next
  code, hold its condition (they are joined, as KH Coder joins them with spaces). Lines starting with
  ``#`` are comments; blank lines are skipped.
* A condition is a boolean expression. Operands: a word (matched on the answer's base forms), a
  quoted string ``'...'`` (``''`` inside for a quote; matched as a substring of the answer text) and,
  in a file, ``<*コード名>`` (an earlier code's condition). Operators: ``and`` / ``&``, ``or`` / ``|``,
  ``not`` / ``!`` (``&!`` and ``|!`` read as ``and not`` / ``or not``) and parentheses. KH Coder turns
  a condition into an SQL ``WHERE`` clause, so precedence is SQL's: ``not`` binds tightest, then
  ``and``, then ``or``. Two operands side by side without an operator are an SQL syntax error in KH
  Coder; here they are an error too.
* Other KH Coder atoms are refused with a message naming the line: part of speech / conjugation
  (``語-->品詞``, ``語->活用``), variables and headings (``<>変数-->値``), phrases (``語+語``),
  ``near(...)``, ``seq(...)``, counts and comparisons (``語 >= 2``), ``lw`` / ``lc`` / ``No.``.

Small liberties, all on input KH Coder would reject or misread: ``( ) & | !`` need no spaces around
them, ``and`` / ``or`` / ``not`` are case-insensitive, the rule side is NFKC-normalised (so ``｜ ＆ ！
（ ） ＊ ＃`` and the ideographic space work), and a ``*``/``#`` line may be indented.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pipeline.errors import UserError

USABLE = "使える書き方: 語, and, or, not, 括弧, '文字列', <*コード名>"
MAX_DEPTH = 100  # nesting of parentheses / not: deeper is refused rather than recursing without end


class RuleError(UserError):
    """A coding rule that cannot be read. ``line`` is 1-based (0: no line); ``message`` is Japanese.

    ``problems`` holds every ``(line, message)`` found (a whole file reports all of its problems at
    once, one per line of ``message``).
    """

    def __init__(self, message: str, line: int = 0, problems: tuple[tuple[int, str], ...] = ()):
        super().__init__(message)
        self.line = line
        self.problems = problems or ((line, message),)


def _where(source: str, line: int) -> str:
    if source and line:
        return f"{source} の {line} 行目: "
    if line:
        return f"{line} 行目: "
    return f"{source}: " if source else ""


class _Problem(Exception):
    """One problem at one line, before the file name is known."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _unsupported(line: int, construct: str) -> _Problem:
    return _Problem(line, f"{construct} には対応していません（{USABLE}）")


# ---------------------------------------------------------------- condition tree


class _Node:
    def test(self, words: frozenset[str], text: str) -> bool:
        raise NotImplementedError

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        """The operands that make this (true) node true, as shown in ``explain``."""
        raise NotImplementedError

    def atoms(self) -> Iterator[_Node]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Word(_Node):
    word: str

    def test(self, words: frozenset[str], text: str) -> bool:
        return self.word in words

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        if self.word in words:
            yield self.word

    def atoms(self) -> Iterator[_Node]:
        yield self


@dataclass(frozen=True)
class _String(_Node):
    string: str

    def test(self, words: frozenset[str], text: str) -> bool:
        return self.string in text

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        if self.string in text:
            yield "'" + self.string.replace("'", "''") + "'"

    def atoms(self) -> Iterator[_Node]:
        yield self


@dataclass(frozen=True)
class _Not(_Node):
    operand: _Node

    def test(self, words: frozenset[str], text: str) -> bool:
        return not self.operand.test(words, text)

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        return iter(())  # an absence names no word

    def atoms(self) -> Iterator[_Node]:
        return self.operand.atoms()


@dataclass(frozen=True)
class _And(_Node):
    operands: tuple[_Node, ...]

    def test(self, words: frozenset[str], text: str) -> bool:
        return all(o.test(words, text) for o in self.operands)

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        for o in self.operands:
            yield from o.hits(words, text)

    def atoms(self) -> Iterator[_Node]:
        for o in self.operands:
            yield from o.atoms()


@dataclass(frozen=True)
class _Or(_Node):
    operands: tuple[_Node, ...]

    def test(self, words: frozenset[str], text: str) -> bool:
        return any(o.test(words, text) for o in self.operands)

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        for o in self.operands:
            if o.test(words, text):
                yield from o.hits(words, text)

    def atoms(self) -> Iterator[_Node]:
        for o in self.operands:
            yield from o.atoms()


@dataclass(frozen=True)
class _CodeRef(_Node):
    name: str
    target: _Node

    def test(self, words: frozenset[str], text: str) -> bool:
        return self.target.test(words, text)

    def hits(self, words: frozenset[str], text: str) -> Iterator[str]:
        return self.target.hits(words, text)

    def atoms(self) -> Iterator[_Node]:
        return self.target.atoms()


@dataclass(frozen=True)
class Condition:
    """A parsed condition. ``text`` is the condition as written."""

    text: str
    node: _Node = field(repr=False)

    def matches(self, words: frozenset[str], text: str) -> bool:
        """True when the answer satisfies the condition.

        ``words``: the answer's base forms, lemmas, surfaces and compounds (NFKC); ``text``: the
        NFKC-normalised answer text (quoted strings are looked for in it).
        """
        return self.node.test(words, text)

    def words(self) -> frozenset[str]:
        """Every word the condition mentions (negated ones included; quoted strings excluded)."""
        return frozenset(a.word for a in self.node.atoms() if isinstance(a, _Word))

    def strings(self) -> frozenset[str]:
        """Every quoted string the condition mentions."""
        return frozenset(a.string for a in self.node.atoms() if isinstance(a, _String))

    def explain(self, words: frozenset[str], text: str) -> str:
        """「ルール: 条件（一致した語）」 when the answer matches, "" when it does not."""
        if not self.node.test(words, text):
            return ""
        shown = " ".join(self.text.split())
        found = list(dict.fromkeys(self.node.hits(words, text)))
        return f"ルール: {shown}（{'、'.join(found)}）" if found else f"ルール: {shown}"


@dataclass(frozen=True)
class Code:
    """One code of a rule file: its name (without ``*``), condition, header line and condition text."""

    name: str
    condition: Condition
    line: int
    text: str


# ---------------------------------------------------------------- tokens

_AND, _OR, _NOT, _OPEN, _CLOSE, _ATOM = "and", "or", "not", "(", ")", "atom"
_SYMBOLS = {"&": _AND, "|": _OR, "!": _NOT, "(": _OPEN, ")": _CLOSE}
_KEYWORDS = {"and": _AND, "or": _OR, "not": _NOT}
_STOP = set(_SYMBOLS) | {"'", '"', "<"}


@dataclass(frozen=True)
class _Token:
    kind: str
    line: int
    value: str = ""  # the operand's text (word, string or code name) or the operator as written
    node: _Node | None = None


def _classify(chunk: str, line: int) -> _Node:
    """A bare word chunk (no spaces, no ``( ) & | ! ' " <``) → word, or a refused KH Coder atom."""
    low = chunk.lower()
    if "-->" in chunk or "->" in chunk:
        raise _unsupported(line, f"品詞・活用の指定（{chunk}）")
    if set(chunk) <= set("<>="):
        raise _unsupported(line, f"出現回数の比較（{chunk}）")
    if chunk in {"+", "-", "*", "/"}:
        raise _unsupported(line, f"計算の記号（{chunk}）")
    if "+" in chunk:
        raise _unsupported(line, f"フレーズ（{chunk}）")
    if low in {"lw", "lc"}:
        raise _unsupported(line, f"文書の長さ（{chunk}）")
    if low == "no.":
        raise _unsupported(line, "文書番号（No.）")
    if chunk.isdecimal():
        raise _unsupported(line, f"数だけの語（{chunk}。KH Coder では回数の比較に使われます。文字列なら '{chunk}'）")
    if chunk.startswith("<") and chunk.endswith(">"):
        raise _Problem(line, f"{chunk} は使えません（ほかのコードは <*コード名> の形で参照します）")
    if ">" in chunk or "=" in chunk:
        raise _unsupported(line, f"出現回数の比較（{chunk}）")
    return _Word(chunk)


def _tokens(lines: list[tuple[int, str]], codes: Mapping[str, Condition | None] | None) -> list[_Token]:
    """Tokens of a condition written on ``lines`` (line number, NFKC text)."""
    out: list[_Token] = []
    for number, text in lines:
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
            elif c in _SYMBOLS:
                out.append(_Token(_SYMBOLS[c], number, c))
                i += 1
            elif c == '"':
                raise _unsupported(number, "二重引用符 \"...\"（文字列は '...' で書きます）")
            elif c == "'":
                j, parts = i + 1, []
                while True:
                    k = text.find("'", j)
                    if k < 0:
                        raise _Problem(number, f"引用符 ' が閉じていません（{text[i:].strip()}）")
                    parts.append(text[j:k])
                    if k + 1 < n and text[k + 1] == "'":  # '' is a quote inside the string
                        parts.append("'")
                        j = k + 2
                        continue
                    i = k + 1
                    break
                string = "".join(parts)
                if not string:
                    raise _Problem(number, "空の文字列 '' は使えません")
                out.append(_Token(_ATOM, number, string, _String(string)))
            elif c == "<" and text.startswith("<*", i):
                k = text.find(">", i)
                if k < 0:
                    raise _Problem(number, f"> が閉じていません（{text[i:].strip()}）")
                name = text[i + 2 : k].strip()
                if codes is None:
                    raise _unsupported(number, f"ルールファイルの外でのコードの参照（<*{name}>）")
                if name not in codes:
                    raise _Problem(number, f"<*{name}> というコードはこれより前に定義されていません")
                target = codes[name]
                if target is None:
                    raise _Problem(number, f"<*{name}> は条件に誤りのあるコードなので参照できません")
                out.append(_Token(_ATOM, number, name, _CodeRef(name, target.node)))
                i = k + 1
            elif c == "<" and text.startswith("<>", i):
                k = i + 2
                while k < n and not text[k].isspace():
                    k += 1
                raise _unsupported(number, f"外部変数・見出しの指定（{text[i:k]}）")
            else:
                k = i + 1 if c == "<" else i
                while k < n and not text[k].isspace() and text[k] not in _STOP:
                    k += 1
                chunk = text[i:k]
                low = chunk.lower()
                if low in ("near", "seq") and k < n and text[k] == "(":
                    raise _unsupported(number, f"{low}(...)")
                if low in _KEYWORDS:
                    out.append(_Token(_KEYWORDS[low], number, chunk))
                else:
                    out.append(_Token(_ATOM, number, chunk, _classify(chunk, number)))
                i = k
    return out


# ---------------------------------------------------------------- parser


def _show(t: _Token) -> str:
    return f"「{t.value}」" if t.kind == _ATOM else t.value


class _Parser:
    """expr := term (or term)* ; term := factor (and factor)* ; factor := not factor | ( expr ) | atom."""

    def __init__(self, tokens: list[_Token], last_line: int):
        self.tokens = tokens
        self.pos = 0
        self.last_line = last_line
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> _Node:
        if not self.tokens:
            raise _Problem(self.last_line, "条件が空です")
        node = self.expr()
        t = self.peek()
        if t is not None:
            if t.kind == _CLOSE:
                raise _Problem(t.line, "閉じ括弧 ) に対応する開き括弧 ( がありません")
            before = self.tokens[self.pos - 1]
            raise _Problem(t.line, f"{_show(before)} と {_show(t)} の間に and / or がありません")
        return node

    def expr(self) -> _Node:
        operands = [self.term()]
        while (t := self.peek()) is not None and t.kind == _OR:
            self.pos += 1
            operands.append(self.term())
        return operands[0] if len(operands) == 1 else _Or(tuple(operands))

    def term(self) -> _Node:
        operands = [self.factor()]
        while (t := self.peek()) is not None and t.kind == _AND:
            self.pos += 1
            operands.append(self.factor())
        return operands[0] if len(operands) == 1 else _And(tuple(operands))

    def factor(self) -> _Node:
        t = self.peek()
        if t is None:
            before = self.tokens[self.pos - 1]
            raise _Problem(before.line, f"{before.value} の後に語がありません")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Problem(t.line, f"括弧や not の入れ子が深すぎます（{MAX_DEPTH} 段まで）")
        try:
            if t.kind == _ATOM:
                self.pos += 1
                assert t.node is not None
                return t.node
            if t.kind == _NOT:
                self.pos += 1
                return _Not(self.factor())
            if t.kind == _OPEN:
                self.pos += 1
                if (u := self.peek()) is not None and u.kind == _CLOSE:
                    raise _Problem(u.line, "括弧 ( ) の中が空です")
                node = self.expr()
                u = self.peek()
                if u is None:
                    raise _Problem(t.line, "開き括弧 ( が閉じていません")
                if u.kind != _CLOSE:
                    before = self.tokens[self.pos - 1]
                    raise _Problem(u.line, f"{_show(before)} と {_show(u)} の間に and / or がありません")
                self.pos += 1
                return node
            if t.kind == _CLOSE:
                if self.pos == 0:
                    raise _Problem(t.line, "閉じ括弧 ) に対応する開き括弧 ( がありません")
                raise _Problem(t.line, f"{self.tokens[self.pos - 1].value} の後に語がありません")
            # and / or where an operand should be
            if self.pos == 0:
                raise _Problem(t.line, f"条件が演算子 {t.value} で始まっています")
            raise _Problem(t.line, f"{self.tokens[self.pos - 1].value} の後に {t.value} が続いています")
        finally:
            self.depth -= 1


def _compile(
    raw: str, lines: list[tuple[int, str]], codes: Mapping[str, Condition | None] | None, last_line: int
) -> Condition:
    tokens = _tokens([(n, unicodedata.normalize("NFKC", s)) for n, s in lines], codes)
    return Condition(raw, _Parser(tokens, last_line).parse())


def _split_lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_condition(text: str, line: int = 0) -> Condition:
    """One condition, e.g. ``rule = "書類 or 報告書"`` in codebook.toml. ``line``: where it stands (0: unknown)."""
    parts = _split_lines(text)
    numbered = [(line + i if line else 0, s) for i, s in enumerate(parts)]
    try:
        return _compile(text.removeprefix("\ufeff").strip(), numbered, None, numbered[-1][0])
    except _Problem as p:
        raise RuleError(_where("", p.line) + p.message, p.line) from None


def problem(text: str) -> str | None:
    """Why the condition `text` cannot be used (Japanese), or None when it parses: the check a
    codebook's `rule = "…"` gets (`codebook.read(..., check_rule=problem)`)."""
    try:
        parse_condition(text)
    except RuleError as e:
        return e.message
    return None


def parse_file(text: str, name: str = "rules.txt") -> list[Code]:
    """All codes of a KH Coder coding-rule file, in file order. Every problem is reported in one RuleError."""
    problems: list[tuple[int, str]] = []
    heads: list[tuple[int, str, list[tuple[int, str]]]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(_split_lines(text), start=1):
        norm = unicodedata.normalize("NFKC", raw).strip()
        if not norm or norm.startswith("#"):
            continue
        if norm.startswith("*"):
            code = norm[1:].strip()
            if not code:
                problems.append((number, "コード名がありません（* の後に名前を書きます）"))
            elif code in seen:
                problems.append((number, f"コード名「{code}」が重複しています（{seen[code]} 行目と同じ）"))
            else:
                seen[code] = number
            heads.append((number, code, []))
        elif not heads:
            problems.append((number, "コード名（* で始まる行）より前に条件が書かれています"))
        else:
            heads[-1][2].append((number, raw))
    codes: list[Code] = []
    defined: dict[str, Condition | None] = {}
    for number, code, body in heads:
        if not body:
            if code:
                problems.append((number, f"コード「{code}」に条件がありません"))
            continue
        written = "\n".join(s.strip() for _, s in body if s.strip())
        try:
            condition = _compile(written, body, defined, body[-1][0])
        except _Problem as p:
            problems.append((p.line, p.message))
            if code and seen.get(code) == number:
                defined[code] = None
            continue
        if code and seen.get(code) == number:
            defined[code] = condition
            codes.append(Code(code, condition, number, written))
    if problems:
        problems.sort(key=lambda p: p[0])
        shown = tuple((n, _where(name, n) + m) for n, m in problems)
        raise RuleError("\n".join(m for _, m in shown), shown[0][0], shown)
    return codes
