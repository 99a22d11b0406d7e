"""Clustering of answer vectors into themes, with the number of themes chosen per question.

1. Neighbourhood smoothing: each vector is averaged with the mean of its nearest neighbours.
   Short answers are noisy points, but their neighbourhoods are reliable (a k-NN vote recovers
   hand-coded themes far better than raw centroids do); smoothing pulls each answer towards its
   neighbourhood before the global partition.
2. The number of themes (`k=None`): the number of communities that Louvain finds on the
   shared-nearest-neighbour graph of (a sample of) the answers — the number of groups the
   answers form by themselves — counting only communities of at least `min_size` answers,
   clipped to 2..k_max.
3. The partition: Ward's agglomerative clustering of the smoothed vectors gives k starting
   centres, which k-means then refines. Unlike k-means++ restarts this does not depend on the
   seed, so the themes do not change when nothing changed (k-means restarts gave ARI 0.5–0.8
   between seeds on the bundled survey). Above `WARD_MAX` answers Ward runs on a seeded sample.
   Then themes whose centres are near-copies are merged and themes smaller than `min_size`
   folded into their nearest neighbour.
4. Mixtures and misfits (`k=None` only; a number of themes asked for is kept): a theme whose
   two halves are far less alike than the halves of the question's typical theme is split
   (`split_mixed`); an answer that is an outlier of its theme, fits it worse than most answers
   fit theirs and is no clear member of it (`clear_members`) fits no theme well and is set
   aside for その他, label `OTHER` (`set_aside`). Both rules take their thresholds from the
   question's own distribution, not from constants tuned on one survey.
Themes are numbered by size, その他 (-1) apart. Every random step takes the one `seed`.

A diffuse theme (few clear members, answers of several concerns, like 「メンバー・代表」 43 % of
one bundled question) is not taken apart. Its answers, clustered again on their own, did give
purer groups (the largest theme's purity 0.39 → 0.90), but groups the vectors do not separate:
their labels named the coded concern less often (0.6 → 0.2), their quotes were less pure, and
the themes changed more when one answer was dropped (mean ARI 0.55 → 0.50; 0.89 → 0.82 on
another question). Splitting such a theme needs a representation that tells its concerns apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.preprocessing import normalize as l2_normalize

from pipeline.parallel import single_threaded

SMOOTH_NEIGHBOURS = 10
SMOOTH_EXACT = 5_000
SMOOTH_MAX = 60_000
GRAPH_NEIGHBOURS = 15
K_SAMPLE = 1000  # answers used to choose k
K_RUNS = 11  # Louvain runs whose median community count is k (5 on a sample of a large question)
WARD_MAX = 3000  # answers Ward's clustering runs on (a sample above that)
# The same when a theme is cut in two (`split_mixed`, every theme of a question): two starting
# centres need fewer answers than k do; 50 cuts of 3,000 took 12.7 s of an 89,683-answer run.
HALVES_WARD_MAX = 1000
NEAR_COPY = 0.92  # cosine between theme centres above which two themes are one
MINIBATCH_ABOVE = 20_000
OTHER = -1  # the label of answers that fit no theme well (その他)
AGREEMENT_NEIGHBOURS = 10  # nearest neighbours asked whether an answer's theme is theirs
AGREEMENT_SAMPLE = 5_000  # above this many answers, neighbours are searched among a seeded sample
TUKEY = 1.5  # an outlier lies beyond 1.5 IQR from the quartiles (Tukey's fence), the usual convention


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # theme index per answer, 0 = largest theme; OTHER (-1) for その他
    scores: np.ndarray  # closeness of each answer to its theme's centre (その他: to the nearest theme), 0..1
    k_runs: tuple[int, ...]  # --k auto: the number of themes each Louvain run found
    smoothed: np.ndarray  # the vectors the partition was made on


def nearest_neighbours(x: np.ndarray, k: int, block: int = 512, among: np.ndarray | None = None) -> np.ndarray:
    """Indices (n, k) of each row's k most similar other rows (cosine; rows are unit vectors),
    searched among the rows `among` (all when None). Blockwise, so memory stays O(block × n):
    a block's similarities, their negation and argpartition's indices (8 bytes each) are 41 MB
    for 512 rows among 5,000 (164 MB for 2,048, no faster). Among 2,048 candidates or more, ties are
    broken by index (`_largest`)."""
    n = x.shape[0]
    cols = np.arange(n) if among is None else among
    k = min(k, len(cols) - 1)
    out = np.empty((n, k), dtype=np.int64)
    candidates = x[cols]
    for start in range(0, n, block):
        sims = x[start:start + block] @ candidates.T
        rows = np.arange(sims.shape[0])
        # A row is not its own neighbour.
        own = np.searchsorted(cols, start + rows)
        hit = (own < len(cols)) & (cols[np.minimum(own, len(cols) - 1)] == start + rows)
        sims[rows[hit], own[hit]] = -np.inf
        out[start:start + block] = cols[_largest(sims, k)]
    return out


# Candidate columns from which `_largest` finds each row's k largest through the maxima of
# column blocks of this width instead of `argpartition` over the whole row (a third of the time:
# 512 rows among 5,000, 9 ms instead of 28 ms; 5.5 of an 89,683-answer run's 79 CPU seconds).
LARGEST_BLOCK = 128
LARGEST_BY_BLOCKS_FROM = 2048  # columns; fewer are cheap either way, and keep their old order of ties


def _largest(sims: np.ndarray, k: int) -> np.ndarray:
    """Column indices (rows, k) of each row's k largest values, largest first. Each row's k-th
    largest value is at least the k-th largest of its column blocks' maxima (those k maxima are k
    values of the row), so only the values from that bound up are sorted (by value, then column:
    ties go to the first column)."""
    n_rows, m = sims.shape
    if m < max(LARGEST_BY_BLOCKS_FROM, 2 * k * LARGEST_BLOCK):
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        return np.take_along_axis(part, order, axis=1)
    full = m // LARGEST_BLOCK * LARGEST_BLOCK
    maxima = sims[:, :full].reshape(n_rows, -1, LARGEST_BLOCK).max(axis=2)
    if full < m:
        maxima = np.concatenate([maxima, sims[:, full:].max(axis=1, keepdims=True)], axis=1)
    bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    r, c = np.nonzero(sims >= bound[:, None])
    order = np.lexsort((c, -sims[r, c], r))
    r, c = r[order], c[order]
    return c[np.searchsorted(r, np.arange(n_rows))[:, None] + np.arange(k)]


def smooth(x: np.ndarray, k: int = SMOOTH_NEIGHBOURS, seed: int = 0) -> np.ndarray:
    """Each vector plus the mean of its k nearest neighbours. Above SMOOTH_EXACT answers the
    neighbours are searched on a 64-dimensional PCA projection (float32) among a sample of
    SMOOTH_EXACT answers, and above SMOOTH_MAX not at all: the exact search costs n² products."""
    n = x.shape[0]
    if n <= 2 or n > SMOOTH_MAX:
        return x
    space, among = x, None
    if n > SMOOTH_EXACT:
        from sklearn.decomposition import PCA

        if x.shape[1] > 64:
            space = l2_normalize(PCA(64, random_state=seed).fit_transform(x).astype(np.float32))
        # Neighbours among a seeded sample of SMOOTH_EXACT answers: n × 5,000 instead of n².
        among = np.sort(np.random.default_rng(seed).choice(n, SMOOTH_EXACT, replace=False))
    nn = nearest_neighbours(space, k, among=among)
    # The neighbours' mean summed one neighbour at a time, in order: the same sums as
    # `x[nn].mean(axis=1)` without its (n, k, dims) copy (1.2 GB for 30,000 answers).
    total = x[nn[:, 0]]
    for j in range(1, nn.shape[1]):
        total += x[nn[:, j]]
    total /= nn.shape[1]
    total += x  # x + mean, in place (addition commutes exactly)
    return l2_normalize(total, copy=False)


def snn_graph(x: np.ndarray, k: int = GRAPH_NEIGHBOURS) -> sp.csr_matrix:
    """Shared-nearest-neighbour graph: neighbours linked with the Jaccard overlap of their k-NN sets."""
    n = x.shape[0]
    nn = nearest_neighbours(x, k)
    k = nn.shape[1]
    a = sp.csr_matrix((np.ones(n * k), (np.repeat(np.arange(n), k), nn.ravel())), shape=(n, n))
    shared = (a @ a.T).multiply((a + a.T) > 0).tocsr()
    shared.setdiag(0)
    shared.eliminate_zeros()
    shared.data = shared.data / (2 * k - shared.data)
    return shared


def communities(graph: sp.spmatrix, seed: int) -> list[list[int]]:
    """Louvain communities of a graph given as a symmetric sparse adjacency matrix (weights on
    the links), by igraph's multilevel algorithm (C): the same number of communities as
    networkx's Louvain on the bundled and the coded real questions, 20–30 times faster (0.15 s →
    0.005 s a run on 1,000 answers; a 10,000-answer run spent 4.7 s of CPU in networkx's).
    igraph draws from the random number generator it is given, process-wide: a `random.Random`
    of `seed` for the call, and igraph's default (the `random` module) back after it."""
    import random

    import igraph

    coo = sp.triu(graph, k=1).tocoo()
    g = igraph.Graph(n=graph.shape[0], edges=np.column_stack([coo.row, coo.col]).tolist(),
                     edge_attrs={"weight": coo.data.tolist()})
    igraph.set_random_number_generator(random.Random(seed))
    try:
        return [list(c) for c in g.community_multilevel(weights="weight")]
    finally:
        igraph.set_random_number_generator(random)


def choose_k(x: np.ndarray, *, k_max: int, min_size: int, seed: int) -> tuple[int, tuple[int, ...]]:
    n = x.shape[0]
    runs = K_RUNS
    if n > K_SAMPLE:
        rng = np.random.default_rng(seed)
        x = x[np.sort(rng.choice(n, K_SAMPLE, replace=False))]
        min_size = max(min_size, int(round(min_size * K_SAMPLE / n)))
        runs = 5
    graph = snn_graph(x)
    counts = []
    for run_seed in np.random.default_rng(seed).integers(0, 2**31 - 1, size=runs):
        sizes = [len(c) for c in communities(graph, int(run_seed))]
        counts.append(sum(1 for s in sizes if s >= min_size))
    k = int(np.median(counts))  # K_RUNS is odd: a count that occurred
    return max(2, min(k_max, k)), tuple(counts)


def cluster(x: np.ndarray, *, k: int | None, k_max: int, min_size: int, seed: int,
            weights: np.ndarray | None = None) -> Clustering:
    """`weights`: how many answers each row stands for (identical answers are one row)."""
    n = x.shape[0]
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros(0), (), x)
    if weights.sum() < 2 * max(min_size, 1) and k is None or n == 1:
        labels = np.zeros(n, dtype=int)
        return Clustering(labels, _closeness(x, labels), (), x)
    with single_threaded(n):  # one BLAS and OpenMP thread on small sets (see `parallel`)
        xs = smooth(x, seed=seed)
        k_runs: tuple[int, ...] = ()
        if k is None:
            k, k_runs = choose_k(xs, k_max=k_max, min_size=min_size, seed=seed)
        k = min(k, n)
        labels = partition(xs, k, seed, weights) if k > 1 else np.zeros(n, dtype=int)
    if k_runs:  # automatic k: no near-copies, no tiny leftovers, no mixtures, no misfits
        labels = _merge_near_copies(xs, labels)
        labels = _merge_small(xs, labels, min_size, weights)
        labels = split_mixed(xs, labels, min_size=min_size, k_max=k_max, seed=seed, weights=weights)
        labels = set_aside(xs, labels, raw=x, min_size=min_size, seed=seed, weights=weights)
    labels = _order_by_size(labels, weights)
    return Clustering(labels, _closeness(xs, labels), k_runs, xs)


def partition(x: np.ndarray, k: int, seed: int, weights: np.ndarray | None = None,
              ward_max: int = WARD_MAX) -> np.ndarray:
    """k themes: Ward's clustering (of a seeded sample of `ward_max` answers above that; its cost
    is quadratic: 0.22 s of pairwise distances alone at 3,000) gives the starting centres, k-means
    refines them."""
    from sklearn.cluster import AgglomerativeClustering

    n = x.shape[0]
    sample = x
    if n > ward_max:
        sample = x[np.sort(np.random.default_rng(seed).choice(n, ward_max, replace=False))]
    if sample.shape[0] < WARD_BY_PRODUCTS_FROM:
        ward = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(sample)
    else:
        ward = ward_labels(sample, k)
    start = np.vstack([sample[ward == c].mean(axis=0) for c in range(k)])
    if n > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, init=start, n_init=1, batch_size=4096, random_state=seed)
    else:
        model = KMeans(n_clusters=k, init=start, n_init=1, random_state=seed)
    return model.fit_predict(x, sample_weight=weights)


# Rows from which `partition` computes Ward's distances from dot products (`ward_labels`) instead
# of scikit-learn's call of SciPy's `pdist` (a loop over pairs, no BLAS): 3,000 rows of 300
# dimensions 0.46 → 0.24 s, 1,000 rows (`split_mixed`'s halves) 0.05 → 0.01 s; smaller samples
# (the bundled survey's questions) keep the old path.
WARD_BY_PRODUCTS_FROM = 1_000


def ward_labels(x: np.ndarray, k: int) -> np.ndarray:
    """Ward's clustering of the rows of `x` into k groups, numbered as scikit-learn's
    AgglomerativeClustering(linkage="ward") numbers them (its tree cut: the k − 1 latest merges
    undone, the groups in the order of a heap of node numbers). The Euclidean distances come from
    the symmetric product x xᵀ (one BLAS call, half a matrix product) — |a|² + |b|² − 2 a·b, in
    float64 — rather than from a loop over pairs; SciPy's linkage then merges as it does for
    scikit-learn."""
    import heapq

    from scipy.cluster import hierarchy
    from scipy.linalg.blas import dsyrk

    n = x.shape[0]
    xd = np.asarray(x, dtype=np.float64)
    with single_threaded():
        gram = dsyrk(1.0, xd.T, trans=1)  # x xᵀ, upper triangle
    squares = np.einsum("ij,ij->i", xd, xd)
    condensed = np.empty(n * (n - 1) // 2)
    at = 0
    for i in range(n - 1):  # the rows of the upper triangle, as `pdist` orders pairs
        row = condensed[at:at + n - 1 - i]
        np.multiply(gram[i, i + 1:], -2.0, out=row)
        row += squares[i]
        row += squares[i + 1:]
        at += n - 1 - i
    np.sqrt(np.maximum(condensed, 0.0, out=condensed), out=condensed)
    children = hierarchy.linkage(condensed, method="ward")[:, :2].astype(np.intp)
    nodes = [-(int(children[-1].max()) + 1)]  # the root; a heap of negated node numbers
    for _ in range(k - 1):
        left, right = children[-nodes[0] - n]
        heapq.heappush(nodes, -int(left))
        heapq.heappushpop(nodes, -int(right))
    labels = np.zeros(n, dtype=np.intp)
    for group, node in enumerate(nodes):
        stack = [-node]
        while stack:
            v = stack.pop()
            if v < n:
                labels[v] = group
            else:
                stack.extend(children[v - n].tolist())
    return labels


# Cells of a float32 matrix converted to float64 at a time by `centroids` and `similarities`
# (32 MB); a matrix that small is converted whole.
CONVERTED_CELLS = 4 * 2**20


def centroids(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Unit centre of each theme 0..max(labels); answers labelled OTHER (-1) count in none."""
    k = int(labels.max()) + 1 if labels.size else 0
    if k <= 0:
        return np.zeros((0, x.shape[1]))
    inside = np.flatnonzero(labels >= 0)
    # Themes × answers one-hot times the vectors: each theme's rows summed in answer order, in
    # float64 (the same sums as np.add.at, which is 6–15 times slower, most on float32 rows).
    member = sp.csr_matrix((np.ones(inside.size), (labels[inside], inside)), shape=(k, x.shape[0]))
    # A few columns at a time on large inputs: the product converts float32 rows to float64 first,
    # and each output column's sum is over the same rows in the same order either way.
    if x.size <= CONVERTED_CELLS:
        sums = np.asarray(member @ x, dtype=np.float64)
    else:
        sums = np.empty((k, x.shape[1]), dtype=np.float64)
        step = max(1, CONVERTED_CELLS // x.shape[0])
        for start in range(0, x.shape[1], step):
            sums[:, start:start + step] = member @ x[:, start:start + step]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.where(norms == 0, 1, norms)


def similarities(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """`x @ centres.T`, a block of rows at a time on large inputs: float32 rows times float64
    centres are converted to float64 first, and a block at a time that copy is about
    CONVERTED_CELLS cells instead of the whole matrix (197,000 points × 300: 470 MB at a large
    question's peak). Each entry is the same dot product; BLAS may round it differently in the
    last bit by where a row falls in a block, so blocks are whole multiples of 256 rows (on the
    largest Fukui questions and a 75,747-answer one the results were the same to the last bit,
    and a run is always the same for the same input)."""
    if x.size <= CONVERTED_CELLS:
        return x @ centres.T
    out = np.empty((x.shape[0], centres.shape[0]), dtype=np.result_type(x.dtype, centres.dtype))
    step = max(256, CONVERTED_CELLS // x.shape[1] // 256 * 256)
    for start in range(0, x.shape[0], step):
        out[start:start + step] = x[start:start + step] @ centres.T
    return out


def margins(x: np.ndarray, labels: np.ndarray, centres: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per answer, its cosine to its own theme's centre and its margin: that cosine minus the
    cosine to the closest other centre (the own cosine itself when there is no other theme).
    For answers in その他 (OTHER), the cosine to the nearest centre and a margin of 0."""
    centres = centroids(x, labels) if centres is None else centres
    n = x.shape[0]
    if n == 0 or centres.shape[0] == 0:
        return np.zeros(n), np.zeros(n)
    sims = similarities(x, centres)
    rows = np.arange(n)
    own_label = np.where(labels >= 0, labels, 0)
    own = np.where(labels >= 0, sims[rows, own_label], sims.max(axis=1))
    if centres.shape[0] == 1:
        return own, np.where(labels >= 0, own, 0.0)
    others = sims.copy()
    others[rows, own_label] = -np.inf
    return own, np.where(labels >= 0, own - others.max(axis=1), 0.0)


def neighbour_agreement(x: np.ndarray, labels: np.ndarray, rows: np.ndarray | None = None, *,
                        k: int = AGREEMENT_NEIGHBOURS, seed: int = 0) -> np.ndarray:
    """For each of `rows` (all when None), the share of its k nearest neighbours (cosine) that
    are in its theme, out of as many as its theme could hold (k, or the theme's other members
    among those searched when fewer): a clear member's neighbourhood agrees with its theme, and a
    small theme can agree fully. Neighbours are searched among a seeded sample of
    AGREEMENT_SAMPLE answers above that many, so the cost is rows × min(n, AGREEMENT_SAMPLE)
    products, never n²."""
    n = x.shape[0]
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=int)
    if n < 2 or rows.size == 0:
        return np.ones(rows.size)
    among = np.arange(n) if n <= AGREEMENT_SAMPLE else \
        np.sort(np.random.default_rng(seed).choice(n, AGREEMENT_SAMPLE, replace=False))
    k = min(k, len(among) - 1)
    out = np.empty(rows.size)
    candidates = x[among]
    ids, counts = np.unique(labels[among], return_counts=True)
    room = dict(zip(ids.tolist(), counts.tolist()))
    for start in range(0, rows.size, 2048):
        block = rows[start:start + 2048]
        sims = x[block] @ candidates.T
        # An answer is not its own neighbour.
        pos = np.searchsorted(among, block)
        hit = (pos < len(among)) & (among[np.minimum(pos, len(among) - 1)] == block)
        sims[np.flatnonzero(hit), pos[hit]] = -np.inf
        nearest = among[np.argpartition(-sims, k - 1, axis=1)[:, :k]]
        same = (labels[nearest] == labels[block][:, None]).sum(axis=1)
        # Its theme's other members among the searched: one fewer when the row is among them.
        others = np.array([room.get(int(c), 0) for c in labels[block]]) - hit
        out[start:start + 2048] = same / np.maximum(np.minimum(k, others), 1)
    return out


def clear_members(margin: np.ndarray, agreement: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Which answers are clear members of their theme: a margin (`margins`) of at least the
    median margin of the question's members — a relative bar, so that a question of close themes
    is not left without clear members — and at least half of the nearest neighbours in the same
    theme (`neighbour_agreement`). Answers labelled OTHER (その他) are never clear."""
    inside = labels >= 0
    if not inside.any():
        return np.zeros(len(labels), dtype=bool)
    bar = max(float(np.median(margin[inside])), 0.0)
    return inside & (margin >= bar) & (margin > 0) & (agreement >= 0.5)


def clear_rows(space: np.ndarray, raw: np.ndarray, labels: np.ndarray, rows: np.ndarray, seed: int = 0) -> np.ndarray:
    """Whether each of `rows` is a clear member (`clear_members`: margins in `space`, neighbours
    in `raw`). Neighbours are asked only about the rows above the margin bar: rows × min(n,
    AGREEMENT_SAMPLE) products."""
    _, margin = margins(space, labels)
    inside = labels >= 0
    bar = max(float(np.median(margin[inside])), 0.0) if inside.any() else 0.0
    agreement = np.zeros(len(labels))
    asked = rows[(labels[rows] >= 0) & (margin[rows] >= bar) & (margin[rows] > 0)]
    agreement[asked] = neighbour_agreement(raw, labels, asked, seed=seed)
    return clear_members(margin, agreement, labels)[rows]


def split_mixed(x: np.ndarray, labels: np.ndarray, *, min_size: int, k_max: int, seed: int,
                weights: np.ndarray | None = None) -> np.ndarray:
    """Split every theme whose answers form two groups with distinct concerns.

    Every theme is cut in two (Ward, then 2-means, as `partition`) and the cosine between the
    two halves' centres measured. Halves of a theme with one concern stay alike; halves of a
    mixture do not. A theme is split when its halves' cosine is below half the median over the
    question's themes (the question's typical theme, cut the same way, is the reference: no
    threshold fixed on one survey) and both halves have at least `min_size` answers. New
    halves are tested again against the same reference; the number of themes stays at most
    `k_max`."""
    labels = labels.copy()
    weights = np.ones(len(labels)) if weights is None else weights
    ids = [int(c) for c in np.unique(labels[labels >= 0])]
    if len(ids) < 2:
        return labels

    def halves(c: int) -> tuple[np.ndarray, np.ndarray, float] | None:
        members = np.flatnonzero(labels == c)
        if len(members) < 4:
            return None
        cut = partition(x[members], 2, seed, weights[members], ward_max=HALVES_WARD_MAX)
        a, b = centroids(x[members], cut)
        return members, cut, float(a @ b)

    cuts = {c: halves(c) for c in ids}
    alike = [cut[2] for cut in cuts.values() if cut is not None]
    if len(alike) < 2:
        return labels
    reference = float(np.median(alike)) / 2
    queue = sorted(ids, key=lambda c: (-weights[labels == c].sum(), c))  # largest first
    count, fresh = len(ids), max(ids) + 1
    while queue and count < k_max:
        c = queue.pop(0)
        cut = cuts.pop(c, None) or halves(c)
        if cut is None or cut[2] >= reference:
            continue
        members, side, _ = cut
        if min(weights[members[side == h]].sum() for h in (0, 1)) < min_size \
                or min(np.count_nonzero(side == h) for h in (0, 1)) < min(MIN_DISTINCT, min_size):
            continue
        labels[members[side == 1]] = fresh
        queue += [c, fresh]
        count, fresh = count + 1, fresh + 1
    return labels


def set_aside(space: np.ndarray, labels: np.ndarray, *, raw: np.ndarray | None = None, min_size: int = 1,
              seed: int = 0, weights: np.ndarray | None = None) -> np.ndarray:
    """Answers that fit no theme well, labelled OTHER (その他) instead of their nearest theme.

    An answer is set aside when all hold:
    - its angle to its theme's centre in `space` (the clustering space) is an outlier of its
      theme: above Tukey's upper fence, Q3 + 1.5 IQR of the theme's members' angles (the angle,
      not the cosine: cosines near 1 are squeezed, so a fence on them flags more of a theme's
      own answers than Tukey intended);
    - that cosine is also low for the question: below the first quartile of all members' (an
      outlier of a very tight theme may still fit it better than most answers fit theirs);
    - it is not a clear member (`clear_members`: a margin below the question's median, or most
      of its nearest neighbours in `raw`, the unsmoothed vectors, elsewhere).
    Themes of fewer than 2 × max(min_size, 4) answers (too few for quartiles) and answers whose
    removal would leave their theme below `min_size` keep their members; and その他 is a theme
    like the others: when fewer than `min_size` answers (`weights`) would go there, none do."""
    labels = labels.copy()
    raw = space if raw is None else raw
    own, _ = margins(space, labels)
    if not (labels >= 0).any():
        return labels
    low = np.quantile(own[labels >= 0], 0.25)
    floor = 2 * max(min_size, 4)
    suspects = []
    for c in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == c)
        if len(members) < floor:
            continue
        far = np.arccos(np.clip(own[members], -1.0, 1.0))
        q1, q3 = np.quantile(far, [0.25, 0.75])
        suspects.append(members[(far > q3 + TUKEY * (q3 - q1)) & (own[members] < low)])
    rows = np.concatenate(suspects) if suspects else np.zeros(0, dtype=int)
    if not rows.size:
        return labels
    outliers = rows[~clear_rows(space, raw, labels, rows, seed)]
    weights = np.ones(len(labels)) if weights is None else weights
    before = labels.copy()
    for c in np.unique(labels[outliers]):
        out = outliers[labels[outliers] == c]
        if weights[labels == c].sum() - weights[out].sum() >= min_size:
            labels[out] = OTHER
    return labels if weights[labels == OTHER].sum() >= min_size else before


def _merge_near_copies(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    labels = labels.copy()
    while len(np.unique(labels)) > 2:
        ids = np.unique(labels)
        cents = centroids(x, labels)[ids]
        sims = cents @ cents.T
        np.fill_diagonal(sims, -1)
        i, j = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[i, j] < NEAR_COPY:
            break
        labels[labels == ids[max(i, j)]] = ids[min(i, j)]
    return labels


MIN_DISTINCT = 3  # different answers a theme needs: the contract's three quotes, none near-identical


def _merge_small(x: np.ndarray, labels: np.ndarray, min_size: int, weights: np.ndarray) -> np.ndarray:
    """Fold themes smaller than `min_size` answers, or of fewer than MIN_DISTINCT different
    answers (identical answers are one row: 決定が遅い twice and one more is not three quotes),
    into the nearest larger theme, smallest first."""
    labels = labels.copy()
    while True:
        ids = np.unique(labels)
        sizes = np.array([weights[labels == c].sum() for c in ids])
        rows = np.array([np.count_nonzero(labels == c) for c in ids])
        short = (sizes < min_size) | (rows < min(MIN_DISTINCT, min_size))
        if len(ids) <= 1 or not short.any():
            return labels
        small = int(ids[np.lexsort((ids, np.where(short, sizes, np.inf)))[0]])
        cents = centroids(x, labels)
        others = [int(c) for c in ids if c != small]
        members = np.flatnonzero(labels == small)
        labels[members] = np.asarray(others)[np.argmax(x[members] @ cents[others].T, axis=1)]


def _order_by_size(labels: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Renumber themes 0.. by size (answers), largest first; ties by first member (deterministic).
    OTHER (-1) stays OTHER."""
    inside = labels >= 0
    if not inside.any():
        return labels.copy()
    ids, first = np.unique(labels[inside], return_index=True)
    weights = np.ones(len(labels)) if weights is None else weights
    sizes = np.array([weights[labels == c].sum() for c in ids])
    order = sorted(range(len(ids)), key=lambda i: (-sizes[i], first[i]))
    mapping = np.empty(int(ids.max()) + 1, dtype=int)
    mapping[ids[order]] = np.arange(len(ids))
    return np.where(inside, mapping[np.where(inside, labels, 0)], OTHER)


def _closeness(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.clip(margins(x, labels)[0], 0.0, 1.0)
