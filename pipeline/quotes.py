"""Representative quotes per theme: central answers, readable length, no near-duplicates."""

from __future__ import annotations

import numpy as np

from pipeline.records import Quote


def _shingles(text: str, n: int = 3) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + n] for i in range(max(len(text) - n + 1, 1))}


def near_duplicate(a: str, b: str, threshold: float = 0.6) -> bool:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / max(len(sa | sb), 1) >= threshold


def _readability(length: int) -> float:
    """1 for 12–120 characters; shorter fragments and very long answers are less quotable."""
    if length < 12:
        return 0.6 + 0.4 * length / 12
    if length > 120:
        return max(0.5, 1.0 - (length - 120) / 400)
    return 1.0


def pick(ids: list[str], texts: list[str], norms: list[str], closeness: np.ndarray, limit: int) -> list[Quote]:
    """Up to `limit` quotes, most representative first.

    `texts` are the masked answers as written (what is quoted), `norms` their normalised form
    (what is compared), `closeness` each answer's similarity to its theme's centre.
    """
    order = sorted(range(len(ids)), key=lambda i: (-closeness[i] * _readability(len(norms[i])), ids[i]))
    chosen: list[int] = []
    for i in order:
        if any(near_duplicate(norms[i], norms[j]) for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) >= limit:
            break
    return [Quote(id=ids[i], text=texts[i], score=round(float(closeness[i]), 4)) for i in chosen]
