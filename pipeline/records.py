"""Typed records that flow between the stages."""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pipeline.config import Config

_Record = TypeVar("_Record", bound=type)


def _pickled_by_fields(cls: _Record) -> _Record:
    """A frozen slotted dataclass pickled as its class and field values, unpickled by its
    __init__. The dataclass's own __getstate__/__setstate__ for slots call `fields()` for every
    record and set each field through object.__setattr__: the prepared answers a question
    worker is sent (20,000: 10.8 MB) pickled in 1.06 s and read back in 0.52 s, so in 0.51 and 0.31 s."""
    values = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def slug(index: int) -> str:
    """File-system name of the index-th question (question names are free Japanese text)."""
    return f"q{index + 1:02d}"


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Answer:
    """One input answer: one cell of a wide table or one row of a long table."""

    id: str
    question: str
    row: int  # 1-based data row in the input file, for messages
    raw: str  # the answer as written (never shown unmasked)
    attrs: tuple[tuple[str, str], ...] = ()


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Segment:
    """One point of an answer (a list item or a sentence), as a span of the normalised text."""

    start: int
    end: int
    text: str  # the normalised text of the span (masked), for analysis
    terms: tuple[str, ...]
    parts: tuple[str, ...]
    display: str = ""  # the span as written, masked, without a leading bullet: for quotes


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Prepared:
    """An answer after normalisation, non-answer detection, masking and tokenization."""

    answer: Answer
    norm: str  # NFKC and whitespace-folded text of the masked answer, for analysis
    masked: str  # the answer as written, for display: personal information masked unless --no-mask
    excluded_reason: str  # "" when kept, else "empty", "non_answer" or "no_issue"
    terms: tuple[str, ...] = ()  # content terms (compounds whole), for labels and word clouds
    parts: tuple[str, ...] = ()  # nouns inside the compounds, added to the terms for the vectors
    segments: tuple[Segment, ...] = ()  # the answer's points; one when it makes one point
    aliases: tuple[tuple[str, str], ...] = ()  # written form → lemma, for word-vector look-up
    phrases: tuple[str, ...] = ()  # label candidates (encoded `phrases.Phrase`: 駐車場が狭い, 交通の便)
    # The normalised text as outputs show it, when that differs from `norm` (--no-mask: the
    # analysis still leaves personal information out, the outputs show it).
    norm_shown: str = ""
    # What the answer does in `noissue`'s terms (noissue.kind of `norm`: "nothing", "praise", …,
    # "" for anything else), read at preparation in the worker processes; None: not read yet.
    kind: str | None = None

    @property
    def kept(self) -> bool:
        return not self.excluded_reason

    @property
    def shown(self) -> str:
        """The normalised text for display (KWIC): masked exactly when the outputs are."""
        return self.norm_shown or self.norm


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    text: str  # as written, masked; an excerpt of a long answer is marked with …
    score: float  # how typical of its theme, 0..1
    excerpt: bool = False  # True when the text is part of the answer
    picked: bool = False  # chosen by staff (採用 in quotes.xlsx)
    note: str = ""  # staff's 備考


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Theme:
    theme_id: int
    label: str
    keywords: tuple[str, ...]
    size: int
    share: float
    quotes: tuple[Quote, ...]
    candidates: tuple[Quote, ...]  # the longer shortlist for quotes.xlsx
    term_weights: tuple[tuple[str, float], ...] = ()  # for the theme's word cloud
    summary: tuple[str, ...] = ()  # one or two sentences from the answers that say what the theme is about
    auto_label: str = ""  # the label the analysis gave, when staff renamed the theme (ラベル修正)
    key: str = ""  # unique within its question: t01, t02, … by size without a codebook, else the codebook's key
    proposed: bool = False  # found in a codebook run among the answers that fit no codebook theme


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Assignment:
    answer: Answer
    masked: str
    theme_id: int  # -1 when excluded; the theme of the dominant segment otherwise
    excluded_reason: str
    score: float
    theme_ids: tuple[int, ...] = ()  # every theme the answer's segments touch, in text order
    reason: str = ""  # why the answer is in its theme, in Japanese (「テーマの中心に近い (0.82)」); "" when excluded


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: str
    title: str
    n_answers: int
    n_excluded: int
    k_chosen: int
    themes: tuple[Theme, ...]
    assignments: tuple[Assignment, ...]
    term_weights: tuple[tuple[str, float], ...] = ()  # for the question's word cloud
    k_runs: tuple[int, ...] = field(default=())  # --k auto: the number of themes each Louvain run found
    review_log: tuple[str, ...] = ()  # what happened to staff's earlier picks and labels (Japanese)
    word_themes: tuple[tuple[str, int], ...] = ()  # word → the theme it is most typical of (cloud colours)
    network: Any = None  # network.Network of co-occurring words, or None
    kwic: tuple[tuple[str, tuple], ...] = ()  # theme keyword → its KWIC lines (kwic.Line)
    overview: str = ""  # the themes by size with their shares, one Japanese sentence
    crosstabs: tuple[Any, ...] = ()  # crosstab.CrossTab per --attr-col (theme × attribute), in attr_cols order
    changes: tuple[Any, ...] = ()  # previous.Change per theme with --previous (in theme order), else ()
    # What the question asks for (problems, requests, good, other; see pipeline.noissue) and where
    # that came from: "config", "title" or "answers". "" in results made before it existed.
    asks: str = ""
    asks_from: str = ""


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Result:
    """A whole run: one `QuestionResult` per question, in input order, and how it was made.
    It is also the sequence of its questions (`result[0]`, `for q in result`)."""

    questions: tuple[QuestionResult, ...]
    config: Config
    input_name: str = ""  # the input file's name, for the report; "" when analysed from memory
    word_vectors: bool = False  # whether word vectors were actually used
    notices: tuple[str, ...] = ()  # what the reader must know first (Japanese), e.g. what was missing
    tallies: tuple[Any, ...] = ()  # tally.Tally per --attr-col: the respondents' simple tallies (単純集計)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def __getitem__(self, index: int) -> QuestionResult:
        return self.questions[index]

    def question(self, name: str) -> QuestionResult:
        """The result of the question named `name` (its column name or question label)."""
        for q in self.questions:
            if q.question == name:
                return q
        raise KeyError(name)
