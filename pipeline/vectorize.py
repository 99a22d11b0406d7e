"""Answers as vectors that see paraphrase: word vectors plus lexical features.

Three blocks, each L2-normalised, weighted and concatenated, then L2-normalised again:
- semantic: the IDF-weighted mean of static word vectors (chiVe, `wordvectors`) of the answer's
  terms and compound parts, centred and reduced by SVD to SEMANTIC_DIMS: 書類が多い and 報告書が大変
  land near each other;
- lexical: TF-IDF over terms and compound parts, reduced by SVD (shared words, names);
- characters: TF-IDF over character 2–3-grams, reduced by SVD (typos, unknown words, kana).
Without word vectors the lexical and character blocks carry the work alone.
"""

from __future__ import annotations

import contextlib
from array import array
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize as l2_normalize

from pipeline.wordvectors import WordVectors

SEMANTIC_WEIGHT = 1.5
LEXICAL_WEIGHT = 1.0
CHAR_WEIGHT = 0.5
MAX_DIMS = 100


@dataclass(frozen=True)
class Vectors:
    dense: np.ndarray  # (n, d), rows L2-normalised, for clustering and quote ranking
    terms: sp.csr_matrix  # (n, vocabulary) raw term counts, for labels and word clouds
    vocabulary: tuple[str, ...]


def _counts(docs: list[tuple[str, ...]]) -> tuple[sp.csr_matrix, tuple[str, ...]]:
    """Term counts (float64; columns: the terms in sorted order, each row's entries by column) and
    the terms: what CountVectorizer gives for terms already tokenized, without its Python call
    per document (a 75,747-answer question's 272,563 rows: 1.9 of its 16 s)."""
    if not any(docs):
        return sp.csr_matrix((len(docs), 0)), ()
    seen: dict[str, int] = {}
    ids = [seen.setdefault(t, len(seen)) for doc in docs for t in doc]
    vocabulary = sorted(seen)
    column = np.empty(len(seen), dtype=np.int64)
    column[[seen[t] for t in vocabulary]] = np.arange(len(vocabulary))
    rows = np.repeat(np.arange(len(docs)), [len(doc) for doc in docs])
    counts = sp.csr_matrix((np.ones(len(ids)), (rows, column[np.asarray(ids, dtype=np.int64)])),
                           shape=(len(docs), len(vocabulary)))
    counts.sum_duplicates()  # (and sorts each row's entries)
    return counts, tuple(vocabulary)


EXACT_SIDE = 2_000  # answers or features, the smaller, up to which `reduce` is exact
# Above FIT_ABOVE rows (answers and their points) `reduce` fits the components on a seeded sample
# of FIT_ROWS rows and projects every row on them: the randomized SVD's passes over the whole
# matrix (its products, LU and QR steps) grow with the rows, 11 of the 36 s of a 75,747-answer
# question (272,563 rows with the points of multi-point answers), and 7 of the 71 CPU seconds of
# the 89,683-answer survey (five questions of 13,000–33,000 rows) when it fitted on every row
# (the largest question's vectors 2.5 → 1.3–1.7 s of CPU). Some thousands of rows are ample for
# 100 components: livedoor's titles (12,982 rows with their points) fitted on 5,000 of them gave
# V-measure 0.346–0.348 over seeds 0–2, on 7,500 0.334–0.348, on every row 0.347–0.352 (k-means
# moves as much between seeds). Below FIT_ABOVE rows (the bundled survey, MewsC, livedoor, the
# first 10,000 Fukui answers) every row, as before, with the same results.
FIT_ABOVE = 15_000
FIT_ROWS = 7_500
# Rows above which the blocks are made a block of rows at a time, each written straight into the
# joined matrix (`_in_blocks`, `vectorize`): questions too large to hold each block and their
# copy. Never below FIT_ABOVE (the blocks are projected on fitted components).
BLOCKS_ABOVE = 40_000
# Rows above which the character block is made in a thread beside the other two (`vectorize`).
# Such questions are analysed in turn in the main process (a survey's questions go to worker
# processes side by side only up to 23,000 distinct answers each, `run`), whose second core
# is otherwise idle meanwhile.
CHARS_BESIDE_ABOVE = BLOCKS_ABOVE


def reduce(features: sp.csr_matrix, seed: int, max_dims: int = MAX_DIMS) -> np.ndarray:
    """SVD to at most `max_dims` dimensions, rows L2-normalised. Exact (seed-free) for small
    inputs, so that the seed only moves the clustering; randomized for larger ones; above
    FIT_ABOVE rows, every row projected on the `components` of a seeded sample of FIT_ROWS rows
    (measured with the sample's size forced down to 1,000–3,000 of livedoor's 7,325 titles:
    V-measure 0.347–0.353 against 0.350, MewsC 0.510–0.512 against 0.510; see FIT_ROWS).

    The exact path costs the eigendecomposition of a side × side Gram matrix (`top_components`):
    0.23 s at 1,500, 0.44 s at 2,000, 1.8 s at 3,000 on one core, where the randomized SVD takes
    0.1–0.5 s. Both run on one BLAS thread: measured on a 3,000 × 30,000 character block with the other core
    busy, the randomized SVD took 4.7 s with OpenBLAS's threads and 0.54 s on one (its QR and LU
    steps wait for a thread that has no core), and the pipeline's own worker processes already
    use every core."""
    from pipeline.parallel import single_threaded

    fitted = _fitted(features, seed, max_dims)
    if isinstance(fitted, Fitted):
        return fitted.project()
    if fitted is not None:
        return fitted
    n, m = features.shape
    dims = min(max_dims, n - 1, m - 1)
    if min(n, m) <= EXACT_SIDE:
        reduced = top_components(features, dims)
    else:
        with single_threaded():
            reduced = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4,
                                   random_state=seed).fit_transform(features)
    return l2_normalize(reduced)


@dataclass(frozen=True)
class Fitted:
    """What `reduce` makes above FIT_ABOVE rows before it projects: the rows and the components
    fitted on their sample. `project` writes the reduced rows (times `weight`) into `out`, a
    block of rows at a time, so that a caller can hold one matrix of all blocks instead of each
    block and their copy (`vectorize`); each row is the same to the last bit as the whole
    product's (a sparse row times the basis, then its own norm)."""

    features: sp.csr_matrix
    basis: np.ndarray

    @property
    def dims(self) -> int:
        return self.basis.shape[1]

    def project(self, out: np.ndarray | None = None, weight: float = 1.0) -> np.ndarray:
        """The reduced rows (L2-normalised), or, into `out`, those rows in `out`'s dtype times
        `weight` (as `vectorize` weights a block it holds whole)."""
        from pipeline.parallel import single_threaded

        with single_threaded():
            if out is None:
                return l2_normalize(np.asarray(self.features @ self.basis), copy=False)
            for lo in range(0, self.features.shape[0], PROJECT_ROWS):
                block = l2_normalize(np.asarray(self.features[lo:lo + PROJECT_ROWS] @ self.basis), copy=False)
                block = block.astype(out.dtype, copy=False)
                block *= weight
                out[lo:lo + PROJECT_ROWS] = block
        return out


PROJECT_ROWS = 65_536  # rows `Fitted.project` makes at a time into a caller's matrix


def _width(block: Fitted | np.ndarray) -> int:
    return block.dims if isinstance(block, Fitted) else block.shape[1]


def _fitted(features: sp.csr_matrix, seed: int, max_dims: int = MAX_DIMS) -> Fitted | np.ndarray | None:
    """Above FIT_ABOVE rows, the `Fitted` components of `reduce`; the rows themselves (normalised)
    when there are fewer than two dimensions to keep; None otherwise (`reduce` decomposes the
    whole matrix)."""
    n, m = features.shape
    dims = min(max_dims, n - 1, m - 1)
    if dims < 2:
        return l2_normalize(features.toarray() if sp.issparse(features) else features)
    if n <= FIT_ABOVE:
        return None
    return Fitted(features, components(features[_sample(n, seed)], dims, seed).astype(features.dtype, copy=False))


def _sample(n: int, seed: int) -> np.ndarray:
    """The seeded sample of FIT_ROWS of `n` rows (in order) that components are fitted on above
    FIT_ABOVE rows."""
    return np.sort(np.random.default_rng(seed).choice(n, FIT_ROWS, replace=False))


def components(x: sp.spmatrix | np.ndarray, dims: int, seed: int) -> np.ndarray:
    """The `dims` leading right singular vectors of `x` (features × dims): what `reduce` projects
    every row on when it fits on a sample. From the features × features Gram matrix when there
    are at most EXACT_SIDE features (exact), else by the randomized SVD; one BLAS thread, and
    each vector's sign fixed (largest entry positive) so that results do not depend on the
    LAPACK build."""
    from pipeline.parallel import single_threaded

    m = x.shape[1]
    with single_threaded():
        if m <= EXACT_SIDE:
            if sp.issparse(x):
                xs = sp.csr_matrix(x, dtype=np.float64)
                gram = (xs.T @ xs).toarray()
            else:
                xd = np.asarray(x, dtype=np.float64)
                gram = xd.T @ xd
            _, basis = _leading_eigenvectors(gram, dims)
        else:
            basis = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=4,
                                 random_state=seed).fit(x).components_.T
    return _signed(basis)


def _leading_eigenvectors(gram: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """The `dims` largest eigenvalues of a symmetric Gram matrix and their eigenvectors, largest
    first (the matrix is overwritten)."""
    import scipy.linalg

    side = gram.shape[0]
    values, vectors = scipy.linalg.eigh(gram, subset_by_index=[side - dims, side - 1], overwrite_a=True,
                                        check_finite=False)
    return values[::-1], vectors[:, ::-1]


def _signed(columns: np.ndarray) -> np.ndarray:
    """Each column with its sign fixed (largest entry positive), so that results do not depend
    on the LAPACK build."""
    signs = np.sign(columns[np.argmax(np.abs(columns), axis=0), np.arange(columns.shape[1])])
    return columns * np.where(signs == 0, 1, signs)


def top_components(x: sp.spmatrix | np.ndarray, dims: int) -> np.ndarray:
    """U·S of the `dims` leading singular triplets of `x`, exact and seed-free, from the
    eigendecomposition of the smaller Gram matrix: X Xᵀ = U S² Uᵀ (n × n) when `x` is wide,
    Xᵀ X = V S² Vᵀ (m × m, then U S = X V) when it is tall. Answers × features are wide: on the
    bundled survey's 333 × 5,067 character block a dense SVD took 0.15 s of CPU on one BLAS thread
    (0.4 s on two; 10 s within a run on a busy machine), the Gram matrix and its top eigenvectors
    0.01–0.03 s, agreeing with the SVD to 1e-12. Squaring the matrix squares its condition number,
    harmless for the leading components kept here.
    One BLAS thread (the eigensolver syncs its threads after every column; under `EXACT_SIDE` the
    Gram matrix is at most 2,000 × 2,000), which also makes the result independent of the number
    of cores. Each component's sign is fixed (largest entry positive) so that results do not
    depend on the LAPACK build."""
    from pipeline.parallel import single_threaded

    dense = not sp.issparse(x)
    x = np.asarray(x) if dense else sp.csr_matrix(x, dtype=np.float64)
    n, m = x.shape
    with single_threaded():
        gram = x @ x.T if n <= m else x.T @ x
        gram = np.asarray(gram, dtype=np.float64) if dense else gram.toarray()
        values, vectors = _leading_eigenvectors(gram, dims)
        if n <= m:
            us = vectors * np.sqrt(np.clip(values, 0.0, None))
        else:
            us = np.asarray(x @ vectors)
    return _signed(us)


def lexical(docs: list[tuple[str, ...]], seed: int, dtype=np.float64,
            fit_only: bool = False) -> Fitted | np.ndarray | None:
    """TF-IDF of the terms (words seen once left out), sublinear, reduced by SVD (`reduce`); with
    `fit_only`, above FIT_ABOVE rows, its `Fitted` components, not yet projected. None without
    a term."""
    counts, vocab = _counts(docs)
    if not vocab:
        return None
    n = len(docs)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    # Words seen once cannot link two answers; on large enough sets they only add noise.
    cols = np.flatnonzero(df >= (2 if n >= 50 else 1))
    if not cols.size:
        return None
    tf = counts[:, cols].astype(dtype)
    tf.data = 1.0 + np.log(tf.data)
    idf = (np.log((1 + n) / (1 + df[cols])) + 1.0).astype(dtype)
    features = l2_normalize(tf @ sp.diags(idf)).tocsr()
    fitted = _fitted(features, seed) if fit_only else None
    return fitted if fitted is not None else reduce(features, seed)


CHAR_FEATURES = 30_000  # most frequent character n-grams kept; the SVD needs no more


def characters(texts: list[str], seed: int, fit_only: bool = False) -> Fitted | np.ndarray | None:
    """TF-IDF over the character 2–3-grams of the words of `texts` (`char_ngram_counts`),
    sublinear, reduced by SVD (`reduce`; with `fit_only`, as `lexical`)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = char_ngram_counts(texts, min_df=2 if len(texts) >= 50 else 1, max_features=CHAR_FEATURES)
    if len(texts) > TRIM_ABOVE:
        from pipeline.parallel import release_free_memory

        release_free_memory()  # the n-grams' many mid-sized arrays, freed into the heap
    if counts is None:  # no n-gram at all
        return None
    features = TfidfTransformer(sublinear_tf=True).fit(counts).transform(counts, copy=False).tocsr()
    fitted = _fitted(features, seed) if fit_only else None
    return fitted if fitted is not None else reduce(features, seed)


_CODE_BASE = 0x110001  # above every code point (and one for "no third character")
CHAR_CHUNK = 4_000  # texts whose n-grams are listed at a time (the arrays are ~10 per n-gram)
# Texts above which the heap's freed pages are given back after the n-grams: on smaller questions
# what stays is small, and pages given back cost page faults when taken again.
TRIM_ABOVE = 5 * CHAR_CHUNK


def char_ngram_counts(texts: list[str], *, min_df: int = 1, max_features: int | None = None) -> sp.csr_matrix | None:
    """Counts (float32) of the character 2- and 3-grams of each text's words, lowercased and
    padded with a space each side (" 駐車場 " → " 駐", "駐車", …, "場 "; scikit-learn's
    `char_wb` analyzer): n-grams in at least `min_df` texts, the `max_features` most frequent
    (ties as scikit-learn breaks them), columns in the n-grams' alphabetical order. The same
    matrix, bit for bit, as CountVectorizer(analyzer="char_wb", ngram_range=(2, 3),
    dtype=np.float32) gives, made with array operations instead of a Python string per n-gram
    (10,000 answers: 0.1 s instead of 0.57 s), CHAR_CHUNK texts at a time. None when no text
    has a word."""
    n_docs = len(texts)
    chunks = [_chunk_ngrams(texts[i:i + CHAR_CHUNK]) for i in range(0, n_docs, CHAR_CHUNK)]
    if not any(len(c[0]) for c in chunks):
        return None
    # Each n-gram's first appearance over all texts: scikit-learn numbers n-grams as it meets
    # them and keeps each row's entries in that order (its columns are renamed afterwards, not
    # reordered), which the column selection below and the sums of the TF-IDF depend on.
    offsets = np.cumsum([0] + [c[2] for c in chunks[:-1]])
    codes = np.concatenate([c[0] for c in chunks])
    firsts = np.concatenate([c[1] + off for c, off in zip(chunks, offsets)])
    # (The chunks' own codes and first places are in these now: each chunk keeps how many
    # codes it had and its entries — a question of 900,000 rows holds 13 million such codes.)
    chunks = [(len(c[0]), c[3], c[4], c[5]) for c in chunks]
    uniq, where = np.unique(codes, return_inverse=True)  # codes sort as the n-gram strings do
    del codes
    first = np.full(len(uniq), np.iinfo(np.int64).max)
    np.minimum.at(first, where, firsts)
    del firsts
    seen = np.empty(len(uniq), dtype=np.int64)
    seen[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    # Document frequencies and total counts first, from the chunks: the kept columns are known
    # before the matrix is made, which then holds only their entries (no full matrix to slice).
    dfs = np.zeros(len(uniq), dtype=np.int64)
    tfs = np.zeros(len(uniq), dtype=np.float64)
    start = 0
    for n_codes, _, local, count in chunks:
        glob = where[start:start + n_codes][local]  # alphabetical column of each entry
        start += n_codes
        dfs += np.bincount(glob, minlength=len(uniq))
        tfs += np.bincount(glob, weights=count, minlength=len(uniq))
    mask = dfs >= min_df
    if max_features is not None and mask.sum() > max_features:
        # float32, as scikit-learn sums its float32 counts (whole numbers, exact either way):
        # the same values in the same dtype break ties in the same order.
        keep = (-tfs.astype(np.float32)[mask]).argsort()[:max_features]
        limited = np.zeros(len(uniq), dtype=bool)
        limited[np.flatnonzero(mask)[keep]] = True
        mask = limited
    kept = np.flatnonzero(mask)
    if not kept.size:
        return None
    column = np.full(len(uniq), -1, dtype=np.int64)
    column[kept] = np.arange(kept.size)
    counts_per_row, cols, values = [], [], []
    start = 0
    while chunks:
        n_codes, per_text, local, count = chunks.pop(0)  # freed as it is used
        row = np.repeat(np.arange(per_text.size, dtype=np.int32), per_text)  # entries come text by text
        glob = where[start:start + n_codes][local]
        start += n_codes
        order = np.lexsort((seen[glob], row))  # by row, then by first appearance
        order = order[mask[glob[order]]]  # the kept columns' entries, in that order
        counts_per_row.append(np.bincount(row[order], minlength=per_text.size))
        cols.append(column[glob[order]].astype(np.int32))
        values.append(count[order])
    indptr = np.concatenate(([0], np.cumsum(np.concatenate(counts_per_row)))).astype(np.int32)
    return sp.csr_matrix((np.concatenate(values), np.concatenate(cols), indptr), shape=(n_docs, kept.size))


def _chunk_ngrams(texts: list[str]):
    """One chunk's n-grams: (distinct codes, the emission index where each first occurs, the
    number of emissions, how many entries each text has, and per text and distinct n-gram, text
    by text: index into the codes, count)."""
    words = [t.lower().split() for t in texts]
    padded = "".join(" " + "  ".join(w) + " " for w in words if w)
    empty = np.zeros(0, dtype=np.int64)
    if not padded:
        return empty, empty, 0, np.zeros(len(texts), dtype=np.int64), empty, empty
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    # The padding spaces alternate: a word's opening space, its characters, its closing space.
    spaces = np.flatnonzero(cp == 32)
    starts, length = spaces[0::2], spaces[1::2] + 1 - spaces[0::2]  # each padded word 3+ long
    # Emission order (scikit-learn's): word by word, its 2-grams left to right, then its 3-grams.
    per_word = (length - 1) + (length - 2)
    base = np.cumsum(per_word) - per_word
    codes = np.empty(int(per_word.sum()), dtype=np.int64)
    for n in (2, 3):
        count = length - (n - 1)
        word = np.repeat(np.arange(len(starts)), count)
        offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        at = starts[word] + offset
        code = cp[at] * (_CODE_BASE * _CODE_BASE) + cp[at + 1] * _CODE_BASE
        if n == 3:
            code += cp[at + 2] + 1  # a 2-gram's third place is 0: it sorts before its 3-grams
        codes[base[word] + (0 if n == 2 else length[word] - 1) + offset] = code
        del word, offset, at, code
    del cp
    docs = np.repeat(np.repeat(np.arange(len(texts)), [len(w) for w in words]), per_word)
    uniq, first, column = np.unique(codes, return_index=True, return_inverse=True)
    pairs, count = np.unique(docs * len(uniq) + column, return_counts=True)
    row, local = np.divmod(pairs, len(uniq))  # (pairs are sorted: rows in order)
    return (uniq, first, len(codes), np.bincount(row, minlength=len(texts)), local.astype(np.int32),
            count.astype(np.float32))


def semantic(docs: list[tuple[str, ...]], vectors: WordVectors, aliases: dict[str, str] | None = None,
             dtype=np.float64) -> np.ndarray | None:
    """IDF-weighted mean word vector per answer, centred over the answers, L2-normalised.
    A word the vectors do not know is looked up by its lemma (`aliases`: つながり → 繋がり)."""
    weighted = _word_weights(docs, vectors, aliases or {}, dtype)
    if weighted is None:
        return None
    pick, table, totals = weighted
    means = _means(pick, table, totals)
    # Centred over the answers with a vector, in place (rows without one are zeros: they add
    # nothing to the sum and stay zeros).
    found = totals > 0
    np.subtract(means, means.sum(axis=0) / max(int(found.sum()), 1), out=means, where=found[:, None])
    return l2_normalize(means, copy=False)


def _word_weights(docs: list[tuple[str, ...]], vectors: WordVectors, aliases: dict[str, str],
                  dtype) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray] | None:
    """Answers × the distinct vector rows used (at most the table's 20,000), IDF weights summed;
    those rows' vectors; each answer's total weight. None when no word has a vector. The vectors
    are gathered once per row, not once per token (450,000 × 300 doubles, 490 MB of peak memory,
    for a question of 22,644 answers)."""
    n = len(docs)
    df: dict[str, int] = {}
    for doc in docs:
        for w in set(doc):
            df[w] = df.get(w, 0) + 1
    # Each token's vector row and weight, answer after answer, in typed arrays (a question of
    # 900,000 rows has 13 million such tokens: as three lists of Python numbers, and their
    # copies as arrays, they took 650 MB); the answers' bounds make the rows of `pick` directly,
    # each row's entries in text order, as a matrix made from (answer, column) pairs has them.
    rows, weights, bounds = array("i"), array("d"), array("q", [0])
    # Every word's row looked up at once (and the rows of the lemmas of those without one).
    row_of = vectors.rows(list(df))
    row_of.update(vectors.rows([aliases[w] for w in df if w not in row_of and w in aliases]))
    found_for: dict[str, tuple[int, float] | None] = {}  # a word's vector row and weight, once a word
    for doc in docs:
        for w in doc:
            if w in found_for:
                hit = found_for[w]
            else:
                r = row_of.get(w)
                if r is None and w in aliases:
                    r = row_of.get(aliases[w])
                hit = found_for[w] = None if r is None else (r, np.log((1 + n) / (1 + df[w])) + 1.0)
            if hit is not None:
                rows.append(hit[0])
                weights.append(hit[1])
        bounds.append(len(rows))
    if not rows:
        return None
    used, column = np.unique(np.frombuffer(rows, dtype=np.int32), return_inverse=True)
    del rows
    data = np.frombuffer(weights, dtype=np.float64).astype(dtype)
    del weights
    pick = sp.csr_matrix((data, column, np.frombuffer(bounds, dtype=np.int64)), shape=(n, len(used)))
    pick.sum_duplicates()
    totals = np.asarray(pick.sum(axis=1)).ravel()
    return pick, np.asarray(vectors.matrix[used], dtype=dtype), totals


def _means(pick: sp.csr_matrix, table: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The weighted mean vector of each row of `pick` (zeros for a row without a word). Each row
    is computed on its own, so a block of rows gives the same numbers as the whole."""
    means = pick @ table
    means /= np.where(totals == 0, 1, totals)[:, None]
    return means


SEMANTIC_DIMS = 100  # as the other blocks: clustering in 300 dimensions, not 500 (see README)
# Rows of mean vectors made at a time above BLOCKS_ABOVE rows (`_semantic_reduced`): about 4 Mi
# values (16 MB in float32), a whole number of 256 rows (the projection's blocks, see
# `cluster.similarities`).
SEMANTIC_BLOCK_ROWS = 4 * 2**20 // 300 // 256 * 256


def _in_blocks(rows: int, vectors: WordVectors) -> bool:
    """Whether `_semantic_reduced` makes the word-vector block a block of rows at a time: above
    BLOCKS_ABOVE rows (and FIT_ABOVE), for vectors of more than SEMANTIC_DIMS dimensions (chiVe's 300)."""
    return rows > max(BLOCKS_ABOVE, FIT_ABOVE) and vectors.dim > SEMANTIC_DIMS


def _semantic_reduced(docs: list[tuple[str, ...]], vectors: WordVectors, aliases: dict[str, str] | None,
                      dtype, seed: int, out: np.ndarray | None = None) -> np.ndarray | None:
    """`semantic`, reduced to SEMANTIC_DIMS by `reduce` (exact: from its 300 × 300 Gram matrix).

    Above BLOCKS_ABOVE rows, where `reduce` projects every row on the components of a sample, the
    same numbers are made a block of rows at a time, without the answers × 300 matrix of means
    (a question of 252,489 answers and their points, 900,000 rows: 1.1 GB in float32): the
    column sums that centre the rows are added up row after row across blocks (as numpy sums a
    matrix along its first axis), the sample's rows are made on their own, and each block is
    centred, normalised and projected (SEMANTIC_BLOCK_ROWS rows, one BLAS thread). There, `out`
    (rows × SEMANTIC_DIMS, a view into the joined matrix of `vectorize`) takes the rows; None
    when no word has a vector."""
    n = len(docs)
    if not _in_blocks(n, vectors):
        block = semantic(docs, vectors, aliases, dtype)
        if block is None or block.shape[1] <= SEMANTIC_DIMS:
            return block
        return reduce(block, seed, SEMANTIC_DIMS)
    from pipeline.parallel import single_threaded

    weighted = _word_weights(docs, vectors, aliases or {}, dtype)
    if weighted is None:
        return None
    pick, table, totals = weighted
    step = max(256, SEMANTIC_BLOCK_ROWS)
    column_sum = _means(pick[:step], table, totals[:step]).sum(axis=0)
    for lo in range(step, n, step):
        block = _means(pick[lo:lo + step], table, totals[lo:lo + step])
        column_sum = np.add.reduce(np.vstack([column_sum[None], block]), axis=0)
    centre = column_sum / max(int((totals > 0).sum()), 1)

    def centred(block: np.ndarray, found: np.ndarray) -> np.ndarray:
        np.subtract(block, centre, out=block, where=found[:, None])
        return l2_normalize(block, copy=False)

    dims = SEMANTIC_DIMS  # (min(SEMANTIC_DIMS, n - 1, dim - 1) in `reduce`: n and dim are larger here)
    rows = _sample(n, seed)  # as `reduce`
    sample = centred(_means(pick[rows], table, totals[rows]), totals[rows] > 0)
    basis = components(sample, dims, seed).astype(sample.dtype, copy=False)
    del sample
    out = np.empty((n, dims), dtype=basis.dtype) if out is None else out
    # Blocks of whole panels, the last one never tiny (a few rows would take OpenBLAS's path
    # for small products, which adds in another order): then each row's projection is the
    # whole matrix's to the last bit (tested at this block size).
    starts = list(range(0, n, step))
    if len(starts) > 1 and n - starts[-1] < 256:
        starts.pop()
    with single_threaded():
        for lo, hi in zip(starts, starts[1:] + [n]):
            block = centred(_means(pick[lo:hi], table, totals[lo:hi]), totals[lo:hi] > 0)
            out[lo:hi] = l2_normalize(block @ basis, copy=False)
    return out


def vectorize(term_lists: list[tuple[str, ...]], texts: list[str], *, seed: int,
              extra_terms: list[tuple[str, ...]] | None = None,
              word_vectors: WordVectors | None = None, aliases: dict[str, str] | None = None) -> Vectors:
    """`term_lists` give the term counts (labels, word clouds); `extra_terms` (compound parts)
    join them in the features that place answers."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.parallel import single_threaded

    n = len(term_lists)
    with contextlib.ExitStack() as beside:
        # Above CHARS_BESIDE_ABOVE rows the character block is made in a thread while this one
        # makes the others: its array work (sorts, counts, the SVD's products) leaves the
        # interpreter free. One BLAS thread for the whole section, so that the blocks' own limits
        # (`reduce`) find and give back the same setting.
        # Word vectors whose block is written into the joined matrix (see below), or None. Then the
        # other two blocks are written into it too, from their `Fitted` components.
        in_place = word_vectors if word_vectors is not None and _in_blocks(n, word_vectors) else None
        chars = None
        if n > CHARS_BESIDE_ABOVE:
            beside.enter_context(single_threaded())
            chars = beside.enter_context(ThreadPoolExecutor(1)).submit(characters, texts, seed, in_place is not None)
        counts, vocabulary = _counts(term_lists)
        features = [tuple(t) + tuple(e) for t, e in zip(term_lists, extra_terms or [()] * n)]
        # One block at a time, weighted in place, normalised in place: the peak memory is the blocks
        # and their concatenation, not four copies of them (350 MB for 22,000 answers).
        # Above EXACT_SIDE rows (the randomized path) the blocks are float32: half the memory of a
        # question's vectors and faster products; below, float64 as the exact path has always been.
        dtype = np.float32 if n > EXACT_SIDE else np.float64
        blocks = []
        # The character block is waited for before the word-vector block is made: their working
        # memories (each about 420 MB on a 75,747-answer question) are not held at once.
        fit_only = in_place is not None
        makers = [(LEXICAL_WEIGHT, lambda: lexical(features, seed, dtype, fit_only)),
                  (CHAR_WEIGHT, chars.result if chars is not None else lambda: characters(texts, seed, fit_only))]
        if word_vectors and in_place is None:
            makers.append((SEMANTIC_WEIGHT, lambda: _semantic_reduced(features, word_vectors, aliases, dtype, seed)))
        fitted: list[tuple[float, Fitted | np.ndarray]] = []
        for weight, make in makers:
            block = make()
            if block is None:
                continue
            if fit_only:
                fitted.append((weight, block))
                continue
            assert isinstance(block, np.ndarray)  # only `fit_only` makes a `Fitted`
            block = block.astype(dtype, copy=False)
            block *= weight
            blocks.append(block)
        if in_place is not None:
            # The joined matrix is made first and every block writes its rows into it: the lexical
            # and character blocks from their fitted components, then the word-vector block. No
            # block is held whole beside it, nor a copy of all three (a question of 252,489 answers,
            # 900,000 rows: 2.25 → 1.9 GB at the peak with the word-vector block written in place).
            # The same numbers as joining them after.
            width = sum(_width(b) for _, b in fitted)
            dense = np.empty((n, width + SEMANTIC_DIMS), dtype=dtype)
            start = 0
            while fitted:
                weight, made = fitted.pop(0)  # its sparse features freed once written
                part = dense[:, start:start + _width(made)]
                start += part.shape[1]
                if isinstance(made, Fitted):
                    made.project(out=part, weight=weight)
                else:  # fewer than two dimensions: the rows themselves, weighted as a held block
                    part[:] = made.astype(dtype, copy=False) * np.asarray(weight, dtype=dtype)
                del made, part
            # The blocks' mid-sized arrays (their sparse features in row blocks), freed into the
            # heap, go back to the system before the word-vector block is made: 250 MB at the
            # peak of a question of 900,000 rows.
            from pipeline.parallel import release_free_memory

            release_free_memory()
            if _semantic_reduced(features, in_place, aliases, dtype, seed, out=dense[:, width:]) is None:
                if not width:
                    return Vectors(np.zeros((n, 1)), counts, vocabulary)
                dense = np.ascontiguousarray(dense[:, :width])
            else:
                dense[:, width:] *= SEMANTIC_WEIGHT
            return Vectors(l2_normalize(dense, copy=False), counts, vocabulary)
    if not blocks:
        return Vectors(np.zeros((n, 1)), counts, vocabulary)
    dense = np.hstack(blocks)
    del blocks
    return Vectors(l2_normalize(dense, copy=False), counts, vocabulary)
