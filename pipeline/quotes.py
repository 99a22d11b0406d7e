"""Quotes staff can use as they are, and extractive theme summaries.

Candidates are the theme's answers, each represented by the text a reader would see: the whole
answer, or for a long multi-point answer its point(s) most typical of the theme, marked with …
where text was cut.

A quote is a clear member of its theme (`cluster.clear_members`): its theme is its best by a margin at
least as large as the question's median margin, most of its nearest neighbours are in the same
theme, and the quoted text itself (an excerpt too) is closer to its own theme's centre than to
any other. Clear members that say a content word of the theme's label (`label.label_themes`:
the quote says the concern the label names, on its own) come before the other clear members.
Within each pool candidates are ranked by representativeness (closeness to the centre plus the
margin, times readability; `representativeness`) and picked by maximal marginal relevance (MMR),
so the first quote is the most representative and the next ones cover the theme's different
sides; near-identical texts are never picked twice. Diversity chooses only within a pool: the
others come after them, for the staff's shortlist (quotes.xlsx); a theme shows its clear members
that say the label, and others only up to MIN_QUOTES (`select`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.records import Quote

LONG = 120  # characters: longer answers with several points are quoted by excerpt
SHORT_EXCERPT = 25  # an excerpt shorter than this takes its neighbouring point too
MMR_LAMBDA = 0.5  # relevance and novelty weighed equally (Carbonell & Goldstein)
SUMMARY_RANGE = (8, 80)  # characters of a summary sentence
MIN_QUOTES = 3  # per theme (CONTRACT.md: 3–8)


@dataclass(frozen=True)
class Candidate:
    id: str
    text: str  # as written, masked
    norm: str  # normalised, for near-duplicate checks
    vector: np.ndarray  # unit vector in the clustering space
    excerpt: bool = False
    clear: bool = True  # the answer is a clear member of the theme (`cluster.clear_members`)
    says_label: bool = True  # the answer says a content word of the theme's label (`label.label_themes`)
    relevance: float | None = None  # representativeness of the answer; None: closeness to the centre


def representativeness(closeness: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """How well an answer stands for its theme: close to the centre and unambiguous about it."""
    return np.clip(closeness, 0.0, None) + np.clip(margin, 0.0, None)


def _shingles(text: str, n: int = 3) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}


def near_duplicate(a: str, b: str, threshold: float = 0.6) -> bool:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / max(len(sa | sb), 1) >= threshold


def readability(length: int) -> float:
    """1 for 12–120 characters; fragments and very long texts are less quotable."""
    if length < 12:
        return 0.6 + 0.4 * length / 12
    if length > LONG:
        return max(0.5, 1.0 - (length - LONG) / 400)
    return 1.0


def candidate(answer_id: str, text: str, norm: str, vector: np.ndarray, points: list[tuple[str, str, np.ndarray]],
              centre: np.ndarray, *, clear: bool = True, relevance: float | None = None,
              says_label: bool = True) -> Candidate:
    """The quotable form of one answer: whole, or (long, several points) its most typical point(s).
    `points` are (text as written, normalised text, vector) of the answer's points, in order;
    `clear`, `relevance` and `says_label` are the answer's (`cluster.clear_members`,
    `representativeness`, `label.label_themes`)."""
    if len(norm) <= LONG or len(points) < 2:
        return Candidate(answer_id, text, norm, vector, clear=clear, relevance=relevance, says_label=says_label)
    sims = [float(p[2] @ centre) for p in points]
    best = int(np.argmax(sims))
    lo = hi = best
    if len(points[best][1]) < SHORT_EXCERPT:
        before = sims[best - 1] if best > 0 else -np.inf
        after = sims[best + 1] if best + 1 < len(points) else -np.inf
        lo, hi = (best - 1, best) if before > after else (best, best + 1)
    chosen = points[lo:hi + 1]
    body = "".join(p[0] for p in chosen)
    quoted = ("…" if lo > 0 else "") + body + ("…" if hi < len(points) - 1 else "")
    vec = np.sum([p[2] for p in chosen], axis=0)
    vec = vec / (np.linalg.norm(vec) or 1.0)
    return Candidate(answer_id, quoted, "".join(p[1] for p in chosen), vec, excerpt=True, clear=clear,
                     relevance=relevance, says_label=says_label)


def select(candidates: list[Candidate], own: int, centres: np.ndarray, *, quotes: int, shortlist: int,
           lam: float = MMR_LAMBDA) -> tuple[list[Quote], list[Quote]]:
    """The theme's quotes (up to `quotes`, clear members that say the label, at least MIN_QUOTES when the theme
    has that many candidates: then the best of the others fill in) and the staff's shortlist (up to
    `shortlist`: the quotes first, then the other candidates by MMR)."""
    ranked, sure = _ranked(candidates, own, centres, max(quotes, shortlist), lam)
    n = min(max(sure, MIN_QUOTES), quotes)
    return ranked[:n], ranked[:max(shortlist, n)]


def pick(candidates: list[Candidate], own: int, centres: np.ndarray, limit: int,
         lam: float = MMR_LAMBDA) -> list[Quote]:
    """Up to `limit` quotes by MMR: clear members whose text is closest to their own theme first,
    then the other candidates, and candidates whose text belongs more to another theme last."""
    return _ranked(candidates, own, centres, limit, lam)[0]


def _ranked(candidates: list[Candidate], own: int, centres: np.ndarray, limit: int,
            lam: float) -> tuple[list[Quote], int]:
    """Up to `limit` candidates in MMR order, pool by pool, and how many came from the first pool
    (clear members that say the label, whose text is closest to their own theme). Pools: clear
    members that say the label, the other clear members, the others that say it, the rest, and
    last the candidates whose text belongs more to another theme."""
    if not candidates:
        return [], 0
    vecs = np.vstack([c.vector for c in candidates])
    sims = vecs @ centres.T
    closeness = np.clip(sims[:, own], 0.0, 1.0)
    elsewhere = (sims.argmax(axis=1) != own) & (sims.max(axis=1) > sims[:, own] + 1e-9)
    clear = np.array([c.clear for c in candidates])
    says = np.array([c.says_label for c in candidates])
    base = np.array([closeness[i] if c.relevance is None else c.relevance for i, c in enumerate(candidates)])
    relevance = base * np.array([readability(len(c.norm)) for c in candidates])
    chosen: list[int] = []
    sure = 0
    inside = ~elsewhere
    for n_pool, pool in enumerate(np.flatnonzero(m) for m in (clear & says & inside, clear & ~says & inside,
                                                              ~clear & says & inside, ~clear & ~says & inside,
                                                              elsewhere)):
        if n_pool == 1:
            sure = len(chosen)
        remaining = [int(i) for i in pool]
        while remaining and len(chosen) < limit:
            redundancy = (vecs[remaining] @ vecs[chosen].T).max(axis=1) if chosen else np.zeros(len(remaining))
            mmr = lam * relevance[remaining] - (1 - lam) * redundancy
            order = sorted(range(len(remaining)), key=lambda j: (-round(float(mmr[j]), 12), candidates[remaining[j]].id))
            best = remaining[order[0]]
            remaining.remove(best)
            if any(near_duplicate(candidates[best].norm, candidates[j].norm) for j in chosen):
                continue
            chosen.append(best)
    return [Quote(id=candidates[i].id, text=candidates[i].text, score=round(float(closeness[i]), 4),
                  excerpt=candidates[i].excerpt) for i in chosen], sure


def summarize(sentences: list[tuple[str, str, np.ndarray]], centre: np.ndarray, n_answers: int) -> tuple[str, ...]:
    """One or two sentences, as written, that say what the theme is about: the most central
    sentences of moderate length; a second one only for larger themes and when it adds a side."""
    lo, hi = SUMMARY_RANGE
    pool = [(float(v @ centre), text, norm, v) for text, norm, v in sentences if lo <= len(norm) <= hi]
    if not pool:
        return ()
    pool.sort(key=lambda t: (-round(t[0], 12), t[1]))
    first = pool[0]
    out = [first[1]]
    if n_answers >= 6:
        for score, text, norm, v in pool[1:]:
            if score < 0.8 * first[0]:
                break
            if float(v @ first[3]) < 0.8 and not near_duplicate(norm, first[2]):
                out.append(text)
                break
    return tuple(out)
