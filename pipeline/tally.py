"""Simple tallies (単純集計) of the respondents' attributes (--attr-col), as a printed survey
report shows its closed questions: each value with its count and its percentage of respondents.

Counted per RESPONDENT, not per answer row. A wide table holds one Answer per respondent and
question, each carrying the respondent's attributes; a long table may repeat a respondent's id on
the rows of several questions. So answers are deduplicated by their id across questions (ids
identify a respondent: the loader refuses an id twice within a question), and the attributes of
a respondent's first answer in input order are the ones counted. Every respondent counts, also
one whose free text was blank or set aside (the tally describes who answered the survey, not
which answers were analysed). A long table without an id column numbers its rows, so there each
row is a respondent.

A cell is NFKC-normalised and trimmed, then split on the configured separators
(`Config.multi_separators`, 、 ; ； ／ / by default; their NFKC forms too) into the respondent's
answers; a value named twice in one cell counts once. A blank cell counts as （無回答）. With
multi-answer cells the percentages (of respondents) can add up to more than 100 %.

Order: by count, largest first, ties in order of first appearance; （無回答） last.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipeline.crosstab import MISSING

DEFAULT_SEPARATORS = ("、", ";", "；", "／", "/")


@dataclass(frozen=True)
class TallyValue:
    value: str
    count: int  # respondents who gave the value
    percent: float  # of all respondents (those without an answer included), 0..100


@dataclass(frozen=True)
class Tally:
    attribute: str
    n_respondents: int
    values: tuple[TallyValue, ...]
    multi: bool  # some cell held several answers: the percentages may add up to over 100 %


@lru_cache(maxsize=32)
def _splitter(separators: tuple[str, ...]) -> re.Pattern[str] | None:
    seps = {unicodedata.normalize("NFKC", s) for s in separators} | set(separators)
    seps.discard("")
    if not seps:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(seps, key=len, reverse=True)))


def split_values(cell: str, separators: Iterable[str] = DEFAULT_SEPARATORS) -> tuple[str, ...]:
    """The distinct answers of one cell, NFKC-normalised and trimmed, in their order; () when blank."""
    text = unicodedata.normalize("NFKC", cell or "").strip()
    pattern = _splitter(tuple(separators))
    parts = pattern.split(text) if pattern is not None else [text]
    values: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in values:
            values.append(part)
    return tuple(values)


def respondents(items: Iterable) -> list[tuple[tuple[str, str], ...]]:
    """The attributes of each respondent: answers (or assignments) deduplicated by id, first wins."""
    seen: set[str] = set()
    attrs: list[tuple[tuple[str, str], ...]] = []
    for item in items:
        answer = getattr(item, "answer", item)  # an Assignment carries its Answer
        if answer.id in seen:
            continue
        seen.add(answer.id)
        attrs.append(tuple(answer.attrs))
    return attrs


def tally(items: Iterable, attribute: str, separators: Iterable[str] = DEFAULT_SEPARATORS) -> Tally:
    """The simple tally of `attribute` over the respondents of `items` (Answers or Assignments,
    of one question or of all of them; see the module's rule)."""
    return _tally(Counter(respondents(items)), attribute, tuple(separators))


def _tally(people: Counter[tuple[tuple[str, str], ...]], attribute: str, separators: tuple[str, ...]) -> Tally:
    """`people`: how many respondents have each set of attributes, in order of first appearance
    (a Counter): each set is read once (a national survey has a million respondents and a few
    hundred sets)."""
    cells: Counter[str] = Counter()  # each distinct cell is split once
    for attrs, times in people.items():
        cells[dict(attrs).get(attribute, "")] += times
    counts: dict[str, int] = {}  # insertion order: first appearance
    missing = 0
    multi = False
    for cell, times in cells.items():
        values = split_values(cell, separators)
        if not values:
            missing += times
        multi = multi or len(values) > 1
        for v in values:
            counts[v] = counts.get(v, 0) + times
    n = sum(people.values())
    order = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: ties keep first appearance
    if missing:
        order.append((MISSING, missing))
    return Tally(attribute, n, tuple(TallyValue(v, c, 100.0 * c / n) for v, c in order), multi)


def tallies(results: Iterable, attributes: Iterable[str], separators: Iterable[str] = DEFAULT_SEPARATORS) -> tuple[Tally, ...]:
    """The tally of each attribute (in order) over the respondents of every question's assignments."""
    people = Counter(respondents(a for r in results for a in r.assignments))
    return tuple(_tally(people, attribute, tuple(separators)) for attribute in attributes)
