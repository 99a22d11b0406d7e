"""Theme labels and keywords from each theme's most distinctive terms and phrases.

A term scores high in a theme when it is frequent there and rare in the question's other
themes (BERTopic's c-TF-IDF). A label names the concern: a predicate phrase that several of the
theme's answers share and other themes rarely use (予算がない, 相談窓口がほしい), followed by
the theme's leading keyword when the phrase does not contain it; otherwise the two leading
nouns or compounds (書類・事務作業). Labels are unique within a question.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def ctfidf(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, vocabulary) distinctiveness of each term for each theme."""
    if counts.shape[1] == 0:
        return np.zeros((k, 0))
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    per_class = np.asarray((onehot @ counts).todense(), dtype=np.float64)
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.where(totals == 0, 1, totals)
    avg_words = per_class.sum() / max(k, 1)
    idf = np.log(1.0 + avg_words / np.maximum(per_class.sum(axis=0), 1.0))
    return tf * idf


def doc_freq(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, vocabulary) number of answers of each theme that contain each term."""
    if counts.shape[1] == 0:
        return np.zeros((k, 0))
    binary = (counts > 0).astype(np.float64)
    onehot = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    return np.asarray((onehot @ binary).todense())


def is_nominal(term: str) -> bool:
    """Verbs and adjectives end in kana of their base form (増える, 大きい); nouns rarely do."""
    last = term[-1]
    return not ("\u3041" <= last <= "\u3093") or len(term) >= 2 and term[-2:] in ("こと", "もの")


PHRASE_MIN_ANSWERS = 2
PHRASE_MIN_SHARE = 0.08  # of the theme's answers
PHRASE_MIN_PRECISION = 0.6  # of the phrase's answers that are in the theme
MAX_LABEL = 18


def best_phrases(phrase_lists: list[tuple[str, ...]], labels: np.ndarray, k: int) -> list[str | None]:
    """Per theme, the phrase most characteristic of it, or None."""
    total: dict[str, int] = {}
    per_theme: list[dict[str, int]] = [dict() for _ in range(k)]
    for phrases, c in zip(phrase_lists, labels):
        for ph in set(phrases):
            total[ph] = total.get(ph, 0) + 1
            per_theme[c][ph] = per_theme[c].get(ph, 0) + 1
    sizes = np.bincount(labels, minlength=k)
    best: list[str | None] = []
    for c in range(k):
        candidates = [(df * df / total[ph], ph) for ph, df in per_theme[c].items()
                      if df >= PHRASE_MIN_ANSWERS and df >= PHRASE_MIN_SHARE * sizes[c]
                      and df / total[ph] >= PHRASE_MIN_PRECISION]
        best.append(min(candidates, key=lambda t: (-t[0], t[1]))[1] if candidates else None)
    return best


def keywords_and_labels(counts: sp.csr_matrix, vocabulary: tuple[str, ...], labels: np.ndarray, k: int,
                        n_keywords: int = 8, phrase_lists: list[tuple[str, ...]] | None = None,
                        ) -> tuple[list[tuple[str, ...]], list[str], np.ndarray]:
    """Per theme: keywords (most distinctive first), a label, and the c-TF-IDF matrix."""
    scores = ctfidf(counts, labels, k)
    dfs = doc_freq(counts, labels, k)
    keywords: list[tuple[str, ...]] = []
    for c in range(k):
        # Ties broken by the term itself, so results do not depend on vocabulary order.
        order = sorted(np.flatnonzero(scores[c] > 0), key=lambda j: (-round(scores[c, j], 12), vocabulary[j]))
        supported = [j for j in order if dfs[c, j] >= 2] or order
        keywords.append(tuple(vocabulary[j] for j in supported[:n_keywords]))
    phrases: list[str | None] = list(best_phrases(phrase_lists, labels, k)) if phrase_lists is not None else [None] * k
    return keywords, _unique_labels(keywords, phrases), scores


def _unique_labels(keywords: list[tuple[str, ...]], phrases: list[str | None]) -> list[str]:
    labels: list[str] = []
    used: set[str] = set()
    for words, phrase in zip(keywords, phrases):
        nouns = [w for w in words if is_nominal(w)]
        pool = nouns + [w for w in words if w not in nouns]
        if phrase:
            extra = next((w for w in nouns if w not in phrase and phrase not in w), None)
            label = f"{phrase}・{extra}" if extra and len(phrase) + len(extra) < MAX_LABEL else phrase
            if label not in used:
                used.add(label)
                labels.append(label)
                continue
        chosen: list[str] = []
        for w in pool:
            if any(w in c or c in w for c in chosen):
                continue
            chosen.append(w)
            if len(chosen) == 2 and "・".join(chosen) not in used:
                break
            if len(chosen) >= 3:
                break
        label = "・".join(chosen) if chosen else "その他"
        base, n = label, 2
        while label in used:
            label = f"{base}（{n}）"
            n += 1
        used.add(label)
        labels.append(label)
    return labels
