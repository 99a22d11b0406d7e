"""Answers as vectors: TF-IDF over content terms plus character n-grams, reduced by SVD.

Character n-grams give every real answer a vector even when all its words are stop words or
misspelt; the SVD folds co-occurring terms together so that short answers that share no word
can still be near each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize


def identity_analyzer(terms):
    """Terms are tokenized already. Module-level so the vectorizer can be pickled (sklearn#6184)."""
    return list(terms)


@dataclass(frozen=True)
class Vectors:
    dense: np.ndarray  # (n, d), rows L2-normalised, for clustering and quote ranking
    terms: sp.csr_matrix  # (n, vocabulary) raw term counts, for labels and word clouds
    vocabulary: tuple[str, ...]


def vectorize(term_lists: list[tuple[str, ...]], texts: list[str], *, seed: int,
              extra_terms: list[tuple[str, ...]] | None = None, max_dims: int = 100,
              char_weight: float = 0.3) -> Vectors:
    """`term_lists` give the term counts (labels, word clouds); `extra_terms` (compound parts)
    join them only in the features that place answers."""
    n = len(term_lists)
    counts_vec = TfidfVectorizer(analyzer=identity_analyzer, use_idf=False, norm=None, lowercase=False)
    counts = counts_vec.fit_transform(term_lists) if any(term_lists) else sp.csr_matrix((n, 0))
    vocabulary = tuple(counts_vec.get_feature_names_out()) if counts.shape[1] else ()
    blocks = []
    if extra_terms is not None:
        features_vec = TfidfVectorizer(analyzer=identity_analyzer, use_idf=False, norm=None, lowercase=False)
        merged = [tuple(t) + tuple(e) for t, e in zip(term_lists, extra_terms)]
        feature_counts = features_vec.fit_transform(merged) if any(merged) else sp.csr_matrix((n, 0))
    else:
        feature_counts = counts
    if feature_counts.shape[1]:
        # Words seen once cannot link two answers; on large enough sets they only add noise.
        min_df = 2 if n >= 50 else 1
        df = np.asarray((feature_counts > 0).sum(axis=0)).ravel()
        cols = np.flatnonzero(df >= min_df)
        if cols.size:
            tf = feature_counts[:, cols].astype(np.float64)
            tf.data = 1.0 + np.log(tf.data)
            idf = np.log((1 + n) / (1 + df[cols])) + 1.0
            blocks.append(l2_normalize(tf @ sp.diags(idf)))
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True,
                            min_df=2 if n >= 50 else 1, lowercase=True)
    try:
        blocks.append(chars.fit_transform(texts) * char_weight)
    except ValueError:  # no n-gram at all (every text a single character)
        pass
    if not blocks:
        return Vectors(np.zeros((n, 1)), counts.tocsr(), vocabulary)
    features = sp.hstack(blocks).tocsr()
    dims = min(max_dims, n - 1, features.shape[1] - 1)
    if dims >= 2:
        svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=7, random_state=seed)
        dense = svd.fit_transform(features)
    else:
        dense = features.toarray()
    dense = l2_normalize(dense)
    return Vectors(dense, counts.tocsr(), vocabulary)
