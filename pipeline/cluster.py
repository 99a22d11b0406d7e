"""Clustering of answer vectors into themes, with the number of themes chosen per question."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # theme index per answer, 0 = largest theme
    scores: np.ndarray  # closeness of each answer to its theme's centre, 0..1
    k_scores: tuple[tuple[int, float], ...]  # candidate k → silhouette, when k was chosen


def cluster(x: np.ndarray, *, k: int | None, k_max: int, min_size: int, seed: int) -> Clustering:
    n = x.shape[0]
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0), ())
    k_scores: list[tuple[int, float]] = []
    if k is None:
        k_hi = min(k_max, n // max(min_size, 1))
        best_k, best, best_labels = 1, -1.0, np.zeros(n, dtype=int)
        for cand in range(2, k_hi + 1):
            labels = _kmeans(x, cand, seed)
            if len(set(labels.tolist())) < 2:
                continue
            score = float(silhouette_score(x, labels, metric="cosine"))
            k_scores.append((cand, round(score, 6)))
            if score > best + 1e-9:
                best_k, best, best_labels = cand, score, labels
        labels = best_labels
    else:
        labels = _kmeans(x, min(k, n), seed) if min(k, n) > 1 else np.zeros(n, dtype=int)
    if k is None:
        labels = _merge_small(x, labels, min_size)
    labels = _order_by_size(labels)
    return Clustering(labels, _closeness(x, labels), tuple(k_scores))


def _kmeans(x: np.ndarray, k: int, seed: int) -> np.ndarray:
    model = KMeans(n_clusters=k, n_init=10, random_state=seed)
    return model.fit_predict(x)


def centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    k = int(labels.max()) + 1 if labels.size else 0
    cents = np.zeros((k, x.shape[1]))
    for c in range(k):
        members = x[labels == c]
        if len(members):
            cents[c] = members.mean(axis=0)
    norms = np.linalg.norm(cents, axis=1, keepdims=True)
    return cents / np.where(norms == 0, 1, norms)


def _merge_small(x: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Fold themes smaller than `min_size` into the nearest larger theme, smallest first."""
    labels = labels.copy()
    while True:
        ids, sizes = np.unique(labels, return_counts=True)
        if len(ids) <= 1 or sizes.min() >= min_size:
            return labels
        small = int(ids[np.lexsort((ids, sizes))[0]])
        cents = centroids(x, labels)
        others = [int(c) for c in ids if c != small]
        for i in np.flatnonzero(labels == small):
            sims = cents[others] @ x[i]
            labels[i] = others[int(np.argmax(sims))]


def _order_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber themes 0.. by size, largest first; ties by first member (deterministic)."""
    ids = np.unique(labels)
    order = sorted(ids, key=lambda c: (-int((labels == c).sum()), int(np.flatnonzero(labels == c)[0])))
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping[int(c)] for c in labels], dtype=int)


def _closeness(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    cents = centroids(x, labels)
    sims = np.einsum("ij,ij->i", x, cents[labels])
    return np.clip(sims, 0.0, 1.0)
