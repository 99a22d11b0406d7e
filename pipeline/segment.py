"""Splitting an answer into its points: list items (・, ①②, line breaks) and sentences.

Works on the normalised text (where ①② are already bullets, see normalize) and returns
character spans, so nothing is lost: text without a final 。 is a segment too. Tiny pieces
(「以上です。」, a lone 「・」) are merged into their neighbour by the caller, which knows
how many content terms each piece has.
"""

from __future__ import annotations

import re

BULLETS = "・•●○◆◇■□▪▫※*＊-"
_SENTENCE_END = re.compile(r"[。！？!?]+[」』）)]*")
_NUMBERED = re.compile(r"(?:^|(?<=\s))(?:\(\d{1,2}\)|\d{1,2}[.)、])(?=\D)")


def strip_marker(text: str) -> str:
    """A point as written without its list marker (・, ①, (1), 1.) and surrounding space."""
    from pipeline.normalize import LIST_NUMBERS

    text = text.strip().lstrip(BULLETS + "".join(LIST_NUMBERS) + " 　").strip()
    m = _NUMBERED.match(text) or re.match(r"[（(][0-9０-９]{1,2}[）)]|[0-9０-９]{1,2}[.．)）、]", text)
    return text[m.end():].strip() if m else text


def split(norm: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the points of a normalised answer, in order, covering every
    non-blank character."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in norm.split("\n"):
        spans.extend(_split_line(line, line_start))
        line_start += len(line) + 1
    return [(s, e) for s, e in spans if norm[s:e].strip(BULLETS + " 　")]


def _split_line(line: str, offset: int) -> list[tuple[int, int]]:
    cuts = {0, len(line)}
    stripped = line.lstrip()
    if stripped[:1] and stripped[0] in BULLETS:
        # A line that starts with a bullet: every bullet in it starts a point (・会議室・チラシ).
        # Elsewhere ・ joins words (書類・事務作業) and does not cut.
        cuts.update(i for i, ch in enumerate(line) if ch == stripped[0])
    cuts.update(m.start() for m in _NUMBERED.finditer(line))
    cuts.update(m.end() for m in _SENTENCE_END.finditer(line))
    points = sorted(cuts)
    return [(offset + a, offset + b) for a, b in zip(points, points[1:]) if line[a:b].strip()]
