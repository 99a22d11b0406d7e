"""Fixed 名詞の名詞 expressions of a question's answers, counted as one term.

MeCab splits 道の駅 (a roadside station) into 道 + の + 駅, so that an answer asking for a better
道の駅 shares the word 駅 with one about the railway station and 道 with one about narrow roads;
海の幸 becomes 海 and 幸, and names such as きららの丘 or 気比の松原 fall apart the same way. Which
expressions are fixed is read from the answers themselves, not from a list: A の B is one unit
when most of the answers that use A on its own or B on its own use it in A の B — at least
MIN_SHARE of each (道の駅: 81 % of the answers with 道 and 68 % of those with 駅, in a tourism
survey's requests) and at least MIN_ANSWERS answers. A compositional phrase fails on one side:
バスの本数 is most uses of 本数 but few of バス, 地元の野菜 few of either, so its words stay apart.

Such an expression becomes a term of its own in the answers that use it, in place of its two
nouns, as a compound does (活動資金); its nouns of more than one character stay beside it as
parts (恐竜の森 → 恐竜), as a compound's do. Label candidates (`phrases`) are untouched: they hold
名詞の名詞 already.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from pipeline.phrases import Phrase
from pipeline.records import Prepared, Segment

MIN_SHARE = 0.3  # of the answers holding each noun on its own
MIN_ANSWERS = 5  # distinct answers holding the expression


def _candidates(p: Prepared) -> list[tuple[str, str, str]]:
    """(A の B, A, B) of each noun phrase of an answer that joins two of its own terms with の."""
    terms = set(p.terms)
    out = []
    for encoded in p.phrases:
        phrase = Phrase.decode(encoded)
        if phrase.predicate or "の" not in phrase.text:  # a predicate phrase, or no の
            continue
        text = phrase.text
        start = 0
        while (i := text.find("の", start)) > 0:
            a, b = text[:i], text[i + 1:]
            if a != b and a in terms and b in terms:
                out.append((text, a, b))
                break
            start = i + 1
    return out


def find(items: Sequence[Prepared], stop_words: frozenset[str] = frozenset()) -> dict[str, tuple[str, str]]:
    """The fixed expressions among a question's kept answers (each distinct text counted once):
    {A の B: (A, B)}; none that is a stop word (the config's `stop_words` may name one)."""
    seen: set[str] = set()
    holding: Counter[str] = Counter()
    joined: Counter[tuple[str, str, str]] = Counter()
    for p in items:
        if not p.kept or p.norm in seen:
            continue
        seen.add(p.norm)
        holding.update(set(p.terms))
        if "の" in p.norm:
            joined.update(set(_candidates(p)))
    return {text: (a, b) for (text, a, b), n in sorted(joined.items())
            if n >= MIN_ANSWERS and n >= MIN_SHARE * holding[a] and n >= MIN_SHARE * holding[b]
            and text not in stop_words}


def _rewritten(terms: tuple[str, ...], parts: tuple[str, ...], text: str,
               found: dict[str, tuple[str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Terms and parts of a text with each fixed expression it writes as one term (in the place
    of its first noun), its two nouns taken out once for each time it is written."""
    out, more = list(terms), list(parts)
    for expression, (a, b) in found.items():
        for _ in range(text.count(expression)):
            if a not in out or b not in out:
                break
            out[out.index(a)] = expression
            out.remove(b)
            more += [w for w in (a, b) if len(w) > 1]
    return tuple(out), tuple(more)


def join(items: list[Prepared], stop_words: frozenset[str] = frozenset()) -> list[Prepared]:
    """A question's answers with its fixed 名詞の名詞 expressions (`find`) made terms; `items`
    itself when it has none."""
    found = find(items, stop_words)
    if not found:
        return items
    out = []
    for p in items:
        if not p.kept or not any(e in p.norm for e in found):
            out.append(p)
            continue
        terms, parts = _rewritten(p.terms, p.parts, p.norm, found)
        segments = p.segments
        if len(segments) == 1 and segments[0].terms == p.terms:
            segments = (dataclasses.replace(segments[0], terms=terms, parts=parts),)
        else:
            segments = tuple(_segment(s, found) for s in segments)
        out.append(dataclasses.replace(p, terms=terms, parts=parts, segments=segments))
    return out


def _segment(s: Segment, found: dict[str, tuple[str, str]]) -> Segment:
    if not any(e in s.text for e in found):
        return s
    terms, parts = _rewritten(s.terms, s.parts, s.text, found)
    return dataclasses.replace(s, terms=terms, parts=parts)
