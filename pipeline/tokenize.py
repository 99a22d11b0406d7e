"""Tokenization with MeCab (fugashi + unidic-lite) and extraction of content terms.

Tokens: a Latin word MeCab splits (Wi + - + Fi) is one token again, so no stage sees 「Fi」.
Terms are what the analysis counts: nouns (consecutive nouns joined into one compound, so that
事務 + 作業 → 事務作業 and 報告 + 書 → 報告書), verbs, adjectives and adjectival nouns, in their
written base form (`orthBase`; `lemma` gives odd kanji such as 為る), minus stop words, asides
（笑） and markup (&hellip;). The phrases that name themes are found in `pipeline.phrases`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

# Function-like words that carry no theme. Kept general (not tuned to any data set).
STOP_WORDS = frozenset(
    """
    する できる いる ある なる れる られる せる させる おる くる いく 行く 来る みる 見る おく しまう
    いただく 頂く くださる 下さる もらう 貰う くれる あげる やる 思う 考える 感じる 感ずる 言う いう 分かる わかる
    思える 存じる 致す いたす 伺う 申す 申し上げる 参る ござる 御座る 頂ける いただける 願う しれる
    ない 無い ほしい 欲しい よい 良い いい だめ 駄目 ダメ 多い 少ない ほしく 等しい
    こと 事 もの 物 ため 為 よう 様 とき 時 ところ 所 方 かた ほう 等 など 中 うち 上 下 前 後 他 ほか
    点 際 場合 今 今回 今後 現在 以上 以下 以外 自分 自分達 自分たち 私 私達 私たち 我々 皆 皆さん 皆様
    何 なに 何か 誰 どこ それ これ あれ ここ そこ そう こう ああ どう 的 感じ 部分 訳 わけ はず 筈 つもり
    的確 色々 いろいろ 様々 さまざま 全て すべて 全部 多く 一部 特 特に 本当 大変 非常 とても 少し ちょっと
    年 月 日 度 回 件 人 名 つ 個 方々 者 さん 様 氏 先生 ちゃん くん 君 御 お ご 当会 本会 弊会 当団体 会
    """.split()
)

HONORIFICS = frozenset("さん 様 さま 氏 君 くん ちゃん 殿 先生 どの".split())
# Suffixes that make a plural or an "and so on" of a noun (子供たち, 学生ら, 景色等): the noun is the
# word — joined, they split one word into two (子供 and 子供たち) and show 「景色等」 as a keyword.
PLURALS = frozenset("等 たち 達 ら 共".split())



class Token(NamedTuple):
    surface: str
    pos1: str
    pos2: str
    pos3: str
    pos4: str
    base: str  # written base form (orthBase), or the surface for unknown words
    lemma: str  # dictionary lemma without UniDic's "-English" gloss (for vector look-up), or base
    start: int  # character offsets in the tokenized text
    end: int
    ctype: str = ""  # conjugation type (五段-ラ行, 下一段-マ行, …), to put a verb in its negative form
    cform: str = ""  # conjugation form (連用形-一般, 連体形-一般, …)


# MeCab writes only the fields we read (pos1–4, lemma, orthBase), tab-separated, one line a
# token: parsing that string is near the speed of bare tokenization, whereas reading fugashi's
# `feature` of every token costs more than the tokenization itself.
_RC = """dicdir = {dicdir}
node-format-jiyu = %m\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[3]\\t%f[7]\\t%f[10]\\t%f[4]\\t%f[5]\\n
unk-format-jiyu = %m\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[3]\\t\\t\\t\\t\\n
bos-format-jiyu =
eos-format-jiyu =
"""


def _tagger():
    """A MeCab tagger with our output format. MeCab reads its settings from a file, so the file is
    written into a private temporary folder (mkdtemp: mode 0700, a fresh name) and removed once
    the tagger has read it: nothing another user left in a shared folder can interfere."""
    import shutil
    import tempfile

    import fugashi
    import unidic_lite

    folder = tempfile.mkdtemp(prefix="jiyu-themes-mecab-")
    try:
        rc = Path(folder) / "mecabrc"
        rc.write_text(_RC.format(dicdir=unidic_lite.DICDIR), encoding="utf-8")
        return fugashi.GenericTagger(f'-r "{rc}" -d "{unidic_lite.DICDIR}" -Ojiyu')
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Tokenizer:
    """A lazily created MeCab tagger. Picklable (the tagger itself is not: fugashi#54),
    so one Tokenizer can be sent to worker processes, each of which makes its own tagger."""

    def __init__(self) -> None:
        self._tagger = None

    def __getstate__(self) -> dict:
        return {"_tagger": None}

    def __setstate__(self, state: dict) -> None:
        self._tagger = None

    @property
    def tagger(self):
        if self._tagger is None:
            self._tagger = _tagger()
        return self._tagger

    def tokens(self, text: str) -> list[Token]:
        out: list[Token] = []
        cursor = 0
        make = tuple.__new__  # a Token without the Python frame of its generated __new__
        padding = [""] * 9
        for line in self.tagger.parse(text).split("\n"):
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != 9:
                fields = (fields + padding)[:9]
            surface, pos1, pos2, pos3, pos4, lemma, base, ctype, cform = fields
            start = text.find(surface, cursor)
            if start < 0:  # MeCab dropped or altered a character; keep offsets monotone
                start = cursor
            cursor = start + len(surface)
            base = base or surface
            # UniDic glosses loanword lemmas (ボランティア-volunteer); keep the Japanese part.
            if "-" in lemma:
                lemma = lemma.split("-", 1)[0]
            out.append(make(Token, (surface, pos1, pos2, pos3, pos4, base, lemma or base, start, cursor,
                                    "" if ctype == "*" else ctype, "" if cform == "*" else cform)))
        return _join_latin(text, out)


    def lemma_spans(self, text: str) -> list[tuple[str, int, int]]:
        """(lemma, start, end) of every token: the same as `tokens`, without making a Token of
        each (KWIC's lemma search reads thousands of answers and nothing else of them)."""
        if any("A" <= ch <= "z" for ch in text):  # Latin words are joined again (`_join_latin`)
            return [(t.lemma, t.start, t.end) for t in self.tokens(text)]
        out: list[tuple[str, int, int]] = []
        cursor = 0
        for line in self.tagger.parse(text).split("\n"):
            if not line:
                continue
            fields = line.split("\t", 7)
            surface = fields[0]
            start = text.find(surface, cursor)
            if start < 0:
                start = cursor
            cursor = start + len(surface)
            lemma = fields[5].split("-", 1)[0] if len(fields) > 5 else ""
            # One string a lemma, however many texts hold it: KWIC keeps the lemmas of the texts
            # it tokenized (tens of thousands for a rare word of a large question).
            out.append((sys.intern(lemma or (fields[6] if len(fields) > 6 else "") or surface), start, cursor))
        return out


# A word in Latin letters and digits, with inner - . & ' (Wi-Fi, e-mail, COVID-19, B&B, 3D).
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-.&'][A-Za-z0-9]+)*")


def _join_latin(text: str, tokens: list[Token]) -> list[Token]:
    """MeCab splits Latin words at - . & ' and at digits (Wi + - + Fi, e + - + mail); such a word
    is one token again, a noun (proper when a piece was), so that no stage sees 「Fi」 or 「mail」
    alone: terms, phrases, word clouds, labels and KWIC all count Wi-Fi."""
    if not tokens or not any("A" <= ch <= "z" for ch in text):
        return tokens
    starts = {t.start: i for i, t in enumerate(tokens)}
    out: list[Token] = []
    i = 0
    for m in _LATIN_WORD.finditer(text):
        first = starts.get(m.start())
        if first is None or first < i or m.group().isdigit() or not re.search("[A-Za-z]", m.group()):
            continue  # numbers (3.5, 090-1234) stay numbers
        last = first
        while last < len(tokens) and tokens[last].end < m.end():
            last += 1
        if last == first or last >= len(tokens) or tokens[last].end != m.end():
            continue  # one token already, or the word's end falls inside a token
        out.extend(tokens[i:first])
        pieces = tokens[first:last + 1]
        proper = next((t for t in pieces if t.pos2 == "固有名詞"), None)
        pos = (proper.pos1, proper.pos2, proper.pos3, proper.pos4) if proper else ("名詞", "普通名詞", "一般", "")
        out.append(Token(m.group(), *pos, m.group(), m.group(), m.start(), m.end()))
        i = last + 1
    out.extend(tokens[i:])
    return out


@dataclass(frozen=True)
class TermExtractor:
    """Content terms of a normalised text. `stop_words` and `user_phrases` come from the config."""

    stop_words: frozenset[str] = STOP_WORDS
    user_phrases: tuple[str, ...] = ()

    def __call__(self, norm: str, tokens: list[Token], skip: Sequence[tuple[int, int, str]] = ()) -> tuple[str, ...]:
        return self.extract(norm, tokens, skip)[0]

    def extract(self, norm: str, tokens: list[Token], skip: Sequence[tuple[int, int, str]] = (),
                offset: int = 0) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Terms of `norm` (already tokenized), leaving out tokens inside the `skip` spans
        (masked personal information), and the nouns inside its compounds (活動資金 → 活動, 資金),
        which let 活動資金 and 資金不足 meet in the vectors. User phrases are whole terms.
        `offset`: where `norm` starts in the text that the tokens' and spans' places count in
        (a point of an answer, whose tokens keep their places in the answer)."""
        spans = list(skip)
        terms: list[str] = []
        for phrase in self.user_phrases:
            for m in re.finditer(re.escape(phrase), norm):
                start, end = m.start() + offset, m.end() + offset
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, phrase))
                    terms.append(phrase)
        if spans:
            tokens = [t for t in tokens if not any(s < t.end and t.start < e for s, e, _ in spans)]
        parts: list[str] = []
        terms.extend(self._content_terms(tokens, parts))
        return tuple(terms), tuple(parts)

    def _content_terms(self, tokens: list[Token], parts: list[str]) -> list[str]:
        terms: list[str] = []
        compound: list[Token] = []

        def flush() -> None:
            nouns = [t for t in compound if t.pos1 == "名詞"]
            # A lone adverbial or counter noun (まま, 以前, 毎回; ページ, 回) names no theme.
            lone = len(compound) == 1 and compound[0].pos3 in ("副詞可能", "助数詞可能")
            if nouns and not lone:
                term = "".join(t.surface for t in compound)
                if self._keep(term):
                    terms.append(term)
                if len(nouns) > 1:
                    parts.extend(t.surface for t in nouns if len(t.surface) > 1 and self._keep(t.surface))
            compound.clear()

        tokens = words_only(tokens)
        for i, tok in enumerate(tokens):
            if is_compound_part(tok, bool(compound)):
                # A prefix (お, 御, 各) joins only when a noun follows it.
                if tok.pos1 == "接頭辞" and not (i + 1 < len(tokens) and tokens[i + 1].pos1 == "名詞"):
                    if compound:
                        flush()
                    continue
                compound.append(tok)
                continue
            if compound:
                flush()
            if tok.pos1 in ("動詞", "形容詞") and tok.pos2 != "非自立可能":
                if self._keep(tok.base):
                    terms.append(tok.base)
            elif tok.pos1 == "形状詞" and tok.pos2 != "助動詞語幹":
                if self._keep(tok.base):
                    terms.append(tok.base)
        flush()
        return terms

    def _keep(self, term: str) -> bool:
        if term in self.stop_words or term.lower() in self.stop_words:
            return False
        if len(term) == 1 and not ("\u4e00" <= term <= "\u9fff"):
            return False  # lone kana, letters and digits
        return not term.isdigit()


def is_compound_part(tok: Token, inside: bool) -> bool:
    if tok.pos1 == "名詞":
        return tok.pos2 != "数詞"
    if tok.pos1 == "接頭辞":
        return True
    # 報告 + 書, 参加 + 者 join; honorifics (職員さん, 山本様) and plurals (子供たち, 景色等) do not.
    return inside and tok.pos1 == "接尾辞" and tok.pos2 == "名詞的" and tok.base not in HONORIFICS \
        and tok.base not in PLURALS


def words_only(tokens: Sequence[Token]) -> list[Token]:
    """The tokens without asides and markup (`_is_aside`), a counter after a number read as the
    number's suffix: 一度協働した holds 協働 (not 度協働), ２０年以上 no word at all."""
    out = []
    # Asides need an opening bracket or & before them: most answers have neither, and skip the test.
    asides = any(t.pos2 == "括弧開" or t.surface == "&" for t in tokens)
    for i, tok in enumerate(tokens):
        if asides and _is_aside(tokens, i):
            continue
        if tok.pos3 == "助数詞可能" and tok.pos1 == "名詞" and i > 0 and tokens[i - 1].pos2 == "数詞":
            tok = tok._replace(pos1="接尾辞", pos2="助数詞")
        out.append(tok)
    return out


def _is_aside(tokens: Sequence[Token], i: int) -> bool:
    """Not a word of the answer: a one-character word alone in brackets — （笑）, (汗) — is an
    aside; a word between & and ; — &hellip;, &amp; in texts exported from the web — is markup."""
    if not 0 < i < len(tokens) - 1:
        return False
    before, after = tokens[i - 1].surface, tokens[i + 1].surface
    return (len(tokens[i].surface) == 1 and tokens[i - 1].pos2 == "括弧開" and tokens[i + 1].pos2 == "括弧閉"
            or before == "&" and after.startswith(";") and tokens[i].surface.isascii())


def aliases(tokens: Sequence[Token]) -> tuple[tuple[str, str], ...]:
    """(written form, lemma) of content words whose lemma differs: つながり → 繋がり, 子ども → 子供.
    Word vectors trained on normalised text often know the lemma but not the kana spelling."""
    pairs: dict[str, str] = {}
    for t in tokens:
        if t.pos1 in ("名詞", "動詞", "形容詞", "形状詞") and t.lemma and t.lemma != t.base:
            pairs.setdefault(t.base, t.lemma)
            pairs.setdefault(t.surface, t.lemma)
    return tuple(sorted(pairs.items()))


def extractor(stop_words: tuple[str, ...] = (), user_phrases: tuple[str, ...] = ()) -> TermExtractor:
    from pipeline.normalize import normalize

    return TermExtractor(
        stop_words=STOP_WORDS | frozenset(normalize(w) for w in stop_words),
        # Longest first, so that a phrase inside a longer one does not split it.
        user_phrases=tuple(sorted({normalize(p) for p in user_phrases if p.strip()}, key=lambda p: (-len(p), p))),
    )
