"""KWIC (keyword in context): every answer that contains a word, with its left and right context.

A word matches on the normalised text (予算 finds 予算がない and 予算的に) and on the lemma
(増える finds 増えた and 増えて), so inflected forms are found too. Texts are the masked,
normalised answers; alignment counts 全角 characters as two columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pipeline.normalize import normalize
from pipeline.records import Prepared
from pipeline.tokenize import Tokenizer


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
    """The answers of a question, tokenized once, to look up many words."""

    def __init__(self, items: list[Prepared], tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self.entries = []
        for p in items:
            if p.norm:
                text = p.norm.replace("\n", "／")
                lemmas = [(t.lemma, t.start, t.end) for t in tokenizer.tokens(text)]
                self.entries.append((p.answer.id, p.answer.question, text, lemmas))

    def lines(self, word: str, width: int = 20) -> list[Line]:
        """Every occurrence of `word`, in input order."""
        query = normalize(word)
        tokens = [t for t in self.tokenizer.tokens(query) if t.pos1 not in ("補助記号", "空白")]
        # A one-word query also matches by lemma (増える → 増えた); a phrase only as written.
        lemma = tokens[0].lemma if len(tokens) == 1 else None
        out = []
        for rid, question, text, lemmas in self.entries:
            for s, e in _spans(text, query, lemma, lemmas):
                out.append(Line(rid, question, _fit_left(text[:s], width), text[s:e], _fit_right(text[e:], width)))
        return out


def _spans(text: str, query: str, lemma: str | None, lemmas) -> list[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    if query:
        start = text.find(query)
        while start >= 0:
            found.add((start, start + len(query)))
            start = text.find(query, start + 1)
    if lemma:
        for lem, s, e in lemmas:
            if lem == lemma and not any(a <= s < b for a, b in found):
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
