"""Theme labels and keywords from each theme's most distinctive terms (class-based TF-IDF).

A term scores high in a theme when it is frequent there and rare in the question's other
themes (BERTopic's c-TF-IDF). Labels prefer nouns and compounds (書類・事務作業) over verbs and
adjectives, need support from more than one answer, and are unique within a question.
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


def keywords_and_labels(counts: sp.csr_matrix, vocabulary: tuple[str, ...], labels: np.ndarray, k: int,
                        n_keywords: int = 8) -> tuple[list[tuple[str, ...]], list[str], np.ndarray]:
    """Per theme: keywords (most distinctive first), a label, and the c-TF-IDF matrix."""
    scores = ctfidf(counts, labels, k)
    dfs = doc_freq(counts, labels, k)
    keywords: list[tuple[str, ...]] = []
    for c in range(k):
        # Ties broken by the term itself, so results do not depend on vocabulary order.
        order = sorted(np.flatnonzero(scores[c] > 0), key=lambda j: (-round(scores[c, j], 12), vocabulary[j]))
        supported = [j for j in order if dfs[c, j] >= 2] or order
        keywords.append(tuple(vocabulary[j] for j in supported[:n_keywords]))
    return keywords, _unique_labels(keywords), scores


def _unique_labels(keywords: list[tuple[str, ...]]) -> list[str]:
    labels: list[str] = []
    used: set[str] = set()
    for words in keywords:
        nouns = [w for w in words if is_nominal(w)]
        pool = nouns + [w for w in words if w not in nouns]
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
