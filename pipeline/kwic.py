"""KWIC (keyword in context): every answer that contains a word, with its left and right context.

A word matches on the normalised text (予算 finds 予算がない and 予算的に) and on the lemma
(増える finds 増えた and 増えて), so inflected forms are found too. Texts are the masked,
normalised answers; alignment counts 全角 characters as two columns.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.normalize import normalize
from pipeline.records import Prepared
from pipeline.tokenize import Tokenizer

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Line:
    id: str
    question: str
    left: str
    key: str
    right: str


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_left(text: str, width: int) -> str:
    out = ""
    for ch in reversed(text):
        if columns(ch + out) > width:
            break
        out = ch + out
    return " " * (width - columns(out)) + out


def _fit_right(text: str, width: int) -> str:
    out = ""
    for ch in text:
        if columns(out + ch) > width:
            break
        out += ch
    return out


class Index:
    """The answers of a question, to look up many words. Each distinct text is searched and, when
    a lemma search needs it (an answer can hold a form of the word only if it holds the start
    every form has, `_starts_of`), tokenized once, however many answers give it (特になし, an
    export repeated); the lines still list every answer, in input order."""

    def __init__(self, items: list[Prepared], tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._items = [p for p in items if p.norm]
        # The distinct texts as shown (first seen first) and, for each, its answers in order.
        self._texts: list[str] = []
        self._answers: list[list[int]] = []
        slot: dict[str, int] = {}
        for i, p in enumerate(self._items):
            shown = p.shown
            d = slot.get(shown)
            if d is None:
                d = slot[shown] = len(self._texts)
                self._texts.append(shown_text(p))
                self._answers.append([])
            self._answers[d].append(i)
        self._lemmas: dict[int, list[tuple[str, int, int]]] = {}  # by distinct text
        # All texts in one string (NUL between them; never in a text), to find the texts that
        # hold a character or a word with the string search of C rather than a loop over every
        # text in Python: 400 theme keywords over a question of 20,000 answers took 5 s that way.
        self._joined = "\0".join(self._texts)
        self._starts = list(itertools.accumulate((len(text) + 1 for text in self._texts[:-1]), initial=0))

    def _texts_holding(self, pattern: re.Pattern[str]) -> Iterator[int]:
        """The distinct texts that match `pattern` (a literal or a set of characters), first seen first."""
        last = -1
        for m in pattern.finditer(self._joined):
            d = bisect.bisect_right(self._starts, m.start()) - 1
            if d != last:
                last = d
                yield d

    def _holding(self, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
        """(answer, its distinct text) of the answers whose text matches `pattern`, in input order."""
        return heapq.merge(*(zip(self._answers[d], itertools.repeat(d)) for d in list(self._texts_holding(pattern))))

    def _lemmas_of(self, d: int) -> list[tuple[str, int, int]]:
        found = self._lemmas.get(d)
        if found is None:
            found = self._lemmas[d] = self.tokenizer.lemma_spans(self._texts[d])
        return found

    def lines(self, word: str, width: int = 20, limit: int | None = None) -> list[Line]:
        """Every occurrence of `word` in input order (the first `limit` ones)."""
        search = self._search(word)
        out: list[Line] = []
        if search is None:
            return out
        pattern, spans_in = search
        spans_of: dict[int, list[tuple[int, int]]] = {}  # per distinct text
        for i, d in self._holding(pattern):
            spans = spans_of.get(d)
            if spans is None:
                spans = spans_of[d] = spans_in(d)
            for s, e in spans:
                out.append(line(self._items[i], self._texts[d], s, e, width))
                if limit is not None and len(out) >= limit:
                    return out
        return out

    def first_texts(self, word: str, limit: int) -> list[tuple[int, list[tuple[int, int]]]]:
        """The first `limit` distinct texts (first seen first: by their first answer) that hold
        `word`, each with where: (text, spans). Their answers hold the first `limit` lines of
        `lines` (each text's first answer comes before every later text's), so a process that
        has the answers can make the lines from these (`lines_from`)."""
        search = self._search(word)
        out: list[tuple[int, list[tuple[int, int]]]] = []
        if search is None:
            return out
        pattern, spans_in = search
        for d in self._texts_holding(pattern):
            spans = spans_in(d)
            if spans:
                out.append((d, spans))
                if len(out) >= limit:
                    break
        return out

    def _search(self, word: str):
        """What finds `word`: the pattern of the texts that may hold it, and the spans in a
        distinct text; None when nothing can match."""
        query = normalize(word)
        tokens = [t for t in self.tokenizer.tokens(query) if t.pos1 not in ("補助記号", "空白")]
        # A one-word query also matches by lemma (増える → 増えた); a phrase only as written.
        lemma = tokens[0].lemma if len(tokens) == 1 else None
        # Only texts holding the query, or (lemma search) the start every form of the word has,
        # can match (`_starts_of`).
        first = _starts_of(query, tokens[0]) if lemma else set()
        wanted = sorted(first) if lemma else [query] if query else []
        if not wanted:
            return None

        def spans_in(d: int) -> list[tuple[int, int]]:
            text = self._texts[d]
            by_lemma = lemma and any(start in text for start in first)
            if not by_lemma and (not query or query not in text):
                return []
            return _spans(text, query, lemma if by_lemma else None, self._lemmas_of(d) if by_lemma else ())

        return re.compile("|".join(re.escape(w) for w in wanted)), spans_in


# Conjugations whose every form begins with the base form less its last character (書く: 書か,
# 書き, 書い…; 食べる: 食べ…; 高い: 高く, 高かっ…). サ変 and カ変 (する: し, さ, せ; 来る: こ, き) do not.
_REGULAR = ("五段", "上一段", "下一段", "形容詞")


def _starts_of(query: str, token) -> set[str]:
    """What a text must hold to hold a form of the one-word `query` (`token`, its token) — the
    text is then tokenized to find the word by lemma. For a regular conjugation, the first two
    characters of the stem of the base form and of the lemma's (美味しい and おいしい: 美味, おい;
    使える, lemma 使う: 使え, 使, so that 使わ and 使い are found too; two, so that 混みあっ is a
    form of 混み合う); else the first character of the query and of its surface (a form written
    otherwise keeps it: 子供, 子ども). One common character (と, お) as the start had a rare word
    (とろける) tokenize most of a large question's answers."""
    base, lemma = token.base, token.lemma
    if token.ctype.startswith(_REGULAR) and len(base) >= 2:
        starts = {form[:-1][:2] for form in (base, lemma) if len(form) >= 2}
        if any(query.startswith(start) for start in starts):
            return starts
    return {ch for ch in (query[:1], token.surface[:1]) if ch}


def line(p: Prepared, text: str, s: int, e: int, width: int = 20) -> Line:
    """The KWIC line of the span s:e of `text`, the answer of `p` as shown."""
    return Line(p.answer.id, p.answer.question, _fit_left(text[:s], width), text[s:e], _fit_right(text[e:], width))


def shown_text(p: Prepared) -> str:
    """An answer's text as KWIC shows it (its line breaks as ／)."""
    return p.shown.replace("\n", "／")


def lines_from(hits: tuple, items: list[Prepared], reps: list[Prepared], of: np.ndarray, width: int = 20,
               limit: int | None = None) -> tuple:
    """Per word, `Index.lines` over `items` (masked: answers of one text show the same text),
    made from `Index.first_texts` (`limit` of them) of an index over their distinct answers
    `reps` (`of`: each item's index among them): ((word, lines), …) for `hits` ((word, texts), …)."""
    import numpy as np

    # The items of each distinct answer, in order, as one array sorted by distinct answer (an export
    # ×11: 197,000 items a question, of which only the found answers' are read).
    order = np.argsort(of, kind="stable")
    ends = np.cumsum(np.bincount(of, minlength=len(reps))).tolist()

    def answers_of(d: int) -> list[int]:
        return order[ends[d - 1] if d else 0:ends[d]].tolist()

    def lines(found: list[tuple[int, list[tuple[int, int]]]]) -> tuple[Line, ...]:
        spans_of = dict(found)
        texts = {d: shown_text(reps[d]) for d, _ in found}
        out: list[Line] = []
        for i, d in heapq.merge(*(zip(answers_of(d), itertools.repeat(d)) for d, _ in found)):
            for s, e in spans_of[d]:
                out.append(line(items[i], texts[d], s, e, width))
                if limit is not None and len(out) >= limit:
                    return tuple(out)
        return tuple(out)

    return tuple((word, lines(found)) for word, found in hits)


def _spans(text: str, query: str, lemma: str | None, lemmas) -> list[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    if query:
        start = text.find(query)
        while start >= 0:
            found.add((start, start + len(query)))
            start = text.find(query, start + 1)
    if lemma:
        # Characters inside a match as written; a lemma match starting there is the same word.
        covered = {i for a, b in found for i in range(a, b)}
        for lem, s, e in lemmas:
            if lem == lemma and s not in covered:
                found.add((s, e))
    # Overlapping matches (a word inside a longer match) are shown once.
    spans: list[tuple[int, int]] = []
    for s, e in sorted(found):
        if spans and s < spans[-1][1]:
            continue
        spans.append((s, e))
    return spans


def lines(items: list[Prepared], word: str, tokenizer: Tokenizer, width: int = 20) -> list[Line]:
    """Every occurrence of `word` in the answers, in input order."""
    return Index(items, tokenizer).lines(word, width)
