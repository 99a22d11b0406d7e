"""`vectorize.reduce` via the Gram matrix and the BLAS-thread limits of `parallel` (no timings:
speed is measured by `make bench`)."""

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info

from pipeline import parallel, vectorize
from pipeline.vectorize import components, reduce, top_components


def _sparse(n, m, seed=0):
    rng = np.random.default_rng(seed)
    return sp.random(n, m, density=0.03, format="csr", random_state=rng, data_rvs=rng.random)


def _svd_components(x, dims):
    u, s, _ = np.linalg.svd(x.toarray(), full_matrices=False)
    return u[:, :dims] * s[:dims]


def _projector(a):
    q, _ = np.linalg.qr(a)
    return q @ q.T


def test_top_components_match_the_svd_on_wide_and_tall_matrices():
    for shape in [(60, 900), (900, 60)]:
        x = _sparse(*shape)
        dims = 20
        got, want = top_components(x, dims), _svd_components(x, dims)
        # Same singular values, same components up to sign, same subspace.
        np.testing.assert_allclose(np.linalg.norm(got, axis=0), np.linalg.norm(want, axis=0), rtol=1e-9)
        np.testing.assert_allclose(np.abs(got), np.abs(want), atol=1e-8)
        np.testing.assert_allclose(_projector(got), _projector(want), atol=1e-8)
        # The sign fix: each component's largest entry is positive.
        assert (got[np.argmax(np.abs(got), axis=0), np.arange(dims)] > 0).all()


def test_reduce_is_deterministic_and_seed_free_when_exact():
    x = _sparse(80, 1500, seed=1)
    a = reduce(x, seed=0)
    assert a.shape == (80, 79)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0)
    assert a.tobytes() == reduce(x, seed=0).tobytes()
    assert a.tobytes() == reduce(x, seed=7).tobytes()  # exact: the seed only moves the clustering


def test_components_are_the_right_singular_vectors_with_fixed_signs():
    for shape in [(300, 50), (200, 2500)]:  # exact (Gram of the features) and randomized
        x = _sparse(*shape, seed=2)
        dims = 10
        got = components(x, dims, seed=0)
        _, s, vt = np.linalg.svd(x.toarray(), full_matrices=False)
        assert got.shape == (shape[1], dims)
        # The same subspace as the SVD's leading vectors; the exact path the same vectors up to sign.
        np.testing.assert_allclose(_projector(got), _projector(vt[:dims].T), atol=1e-6 if shape[1] <= 2000 else 0.05)
        if shape[1] <= 2000:
            np.testing.assert_allclose(np.abs(got), np.abs(vt[:dims].T), atol=1e-8)
        assert (got[np.argmax(np.abs(got), axis=0), np.arange(dims)] > 0).all()


def test_reduce_above_fit_above_projects_every_row_on_a_sample_s_components(monkeypatch):
    monkeypatch.setattr(vectorize, "FIT_ABOVE", 100)
    monkeypatch.setattr(vectorize, "FIT_ROWS", 40)
    rng = np.random.default_rng(3)
    # Rows of rank 5: the components of any 40 of them span every row, so the projection keeps
    # every cosine between rows, including rows outside the sample.
    x = (rng.random((400, 5)) @ rng.random((5, 60))).astype(np.float32)
    got = reduce(x, seed=0, max_dims=5)
    assert got.shape == (400, 5) and got.dtype == np.float32
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(got @ got.T, unit @ unit.T, atol=1e-4)
    assert got.tobytes() == reduce(x, seed=0, max_dims=5).tobytes()  # one seed, one result
    # Below FIT_ABOVE rows the components come from every row, as before.
    monkeypatch.setattr(vectorize, "FIT_ABOVE", 1000)
    np.testing.assert_allclose(np.abs(reduce(x, seed=0, max_dims=5) @ reduce(x, seed=0, max_dims=5).T),
                               np.abs(unit @ unit.T), atol=1e-4)


def _threads():
    return sorted((i["filepath"], i["num_threads"]) for i in threadpool_info())


def test_single_threaded_limits_only_inside_the_block():
    before = _threads()
    with parallel.single_threaded(100):
        assert all(n == 1 for _, n in _threads())
    assert _threads() == before
    with parallel.single_threaded(parallel.SMALL_ROWS + 1):  # large: no change
        assert _threads() == before


def test_no_collection_pauses_the_collector_and_restores_it_as_it_was():
    import gc

    assert gc.isenabled()
    with parallel.no_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself keeps it paused
    try:
        with parallel.no_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(ValueError), parallel.no_collection():
        raise ValueError
    assert gc.isenabled()


def test_frozen_leaves_objects_out_inside_the_block_only():
    import gc

    assert gc.get_freeze_count() == 0
    with parallel.frozen() as settle:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        kept = [[i] for i in range(1000)]
        settle()  # what exists now is left out too
        assert gc.get_freeze_count() >= frozen + 1000
    assert gc.get_freeze_count() == 0 and len(kept) == 1000
    gc.freeze()  # frozen by someone else: left as it is
    try:
        count = gc.get_freeze_count()
        with parallel.frozen() as settle:
            settle()
        assert gc.get_freeze_count() == count
    finally:
        gc.unfreeze()


def _frozen_input(data: bytes) -> tuple[int, int, list]:
    import gc

    before = gc.get_freeze_count()
    value = parallel.task_input(data)
    return before, gc.get_freeze_count(), value


def test_packed_values_travel_to_a_worker_and_are_frozen_there():
    import gc

    value = [{"terms": ("駐車場", "狭い"), "n": i} for i in range(1000)]
    assert parallel.unpacked(parallel.packed(value)) == value
    with parallel.pool(1) as pool:
        before, after, back = pool.submit(_frozen_input, parallel.packed(value)).result()
    assert back == value and after >= before + 1000  # the input's objects are frozen in the worker
    assert gc.get_freeze_count() == 0  # never in the caller's process


def test_pool_workers_use_one_thread():
    with parallel.pool(2) as pool:
        found = pool.submit(threadpool_info).result()
    assert found and all(i["num_threads"] == 1 for i in found)


_TEXTS = [
    "駐車場が狭い", "駐車場がせまくて  停められない", "バスの本数が少ない。\n駅から遠い", "Wi-Fi が ない",
    "ＡＢＣ abc Abc", "ﾃﾞｼﾞﾀﾙ化", "特になし", "", "　", "a", "トイレ　トイレ　トイレ", "𠮷野家で食べた",
    "案内板が少なく、道がわかりにくい", "お土産の種類を増やしてほしい", "駐車場", "駐車場が遠い",
]


@pytest.mark.parametrize("chunk", [4_000, 3])
@pytest.mark.parametrize("min_df,max_features", [(1, None), (2, None), (1, 25), (2, 10)])
def test_char_ngram_counts_are_scikit_learns_bit_for_bit(monkeypatch, chunk, min_df, max_features):
    """The array-made counts are CountVectorizer's char_wb 2–3-grams: same columns, same entries in
    the same order, same values (ties of max_features broken alike), in one chunk or many."""
    from sklearn.feature_extraction.text import CountVectorizer

    from pipeline import vectorize

    monkeypatch.setattr(vectorize, "CHAR_CHUNK", chunk)
    texts = _TEXTS * 3 + [t + "です" for t in _TEXTS]
    want = CountVectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=min_df, max_features=max_features,
                           dtype=np.float32).fit_transform(texts).tocsr()
    got = vectorize.char_ngram_counts(texts, min_df=min_df, max_features=max_features)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert got.data.tobytes() == want.data.tobytes()


def test_char_ngram_counts_without_words():
    from pipeline.vectorize import char_ngram_counts

    assert char_ngram_counts(["", "　 ", "\n"]) is None
    assert char_ngram_counts([]) is None
    assert char_ngram_counts(["ab", "cd"], min_df=2) is None  # nothing in two texts


def _write_pid(path):
    import os

    path.write_text(str(os.getpid()))


def test_beside_writes_in_a_child_and_errors_come_back_here(tmp_path):
    """`parallel.beside` runs a writer in a forked child while the caller goes on; waiting gives
    its file; a writer that fails in the child fails again here, with its own error; without
    fork it runs here when waited for. The caller's collector is as it was."""
    import gc
    import os

    from pipeline import parallel

    target = tmp_path / "pid.txt"
    wait = parallel.beside(_write_pid, target)
    wait()
    if parallel.can_fork():
        assert target.read_text() != str(os.getpid())  # written by the child
    wait = parallel.beside(_write_pid, tmp_path / "no such folder" / "pid.txt")
    with pytest.raises(FileNotFoundError):
        wait()
    inline = tmp_path / "inline.txt"
    wait = parallel.beside(_write_pid, inline, fork=False)
    assert not inline.exists()
    wait()
    assert inline.read_text() == str(os.getpid())
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_spawn_is_clean_only_where_no_main_script_would_run_again(monkeypatch):
    import sys
    import types

    from pipeline import parallel

    def main(name, file):
        module = types.ModuleType("__main__")
        module.__spec__ = types.SimpleNamespace(name=name) if name else None
        if file:
            module.__file__ = file
        monkeypatch.setitem(sys.modules, "__main__", module)

    main("pipeline.__main__", "/x/pipeline/__main__.py")  # python -m pipeline
    assert parallel.spawn_is_clean()
    main(None, None)  # an interactive session
    assert parallel.spawn_is_clean()
    main(None, "/home/staff/analyse.py")  # python analyse.py: its top level may be unguarded
    assert not parallel.spawn_is_clean()
    main("analyse", "/home/staff/analyse.py")  # python -m analyse
    assert not parallel.spawn_is_clean()


def test_fresh_pools_spawn_their_workers_where_that_is_clean(monkeypatch):
    """`pool(fresh=True)` starts new interpreters, pinned like forked workers; where spawning would
    run a main script again, it forks as `pool` always does."""
    from pipeline import parallel

    if not parallel.can_fork():
        pytest.skip("no fork here: every pool spawns")
    monkeypatch.setattr(parallel, "spawn_is_clean", lambda: True)
    with parallel.pool(1, fresh=True) as pool:
        assert pool._mp_context.get_start_method() == "spawn"
        assert all(i["num_threads"] == 1 for i in pool.submit(threadpool_info).result())
    monkeypatch.setattr(parallel, "spawn_is_clean", lambda: False)
    with parallel.pool(1, fresh=True) as pool:
        assert pool._mp_context.get_start_method() == "fork"
    with parallel.pool(1) as pool:
        assert pool._mp_context.get_start_method() == "fork"


def test_the_character_block_made_beside_the_others_gives_the_same_vectors(monkeypatch):
    """Above CHARS_BESIDE_ABOVE rows the character block is made in a thread: the same vectors,
    byte for byte, and the process's BLAS threads as they were."""
    texts = [t + s for t in _TEXTS for s in ("", "です", "でした。駐車場")]
    terms = [tuple(t.split()) or ("x",) for t in texts]
    before = _threads()
    monkeypatch.setattr(vectorize, "CHARS_BESIDE_ABOVE", 10**9)
    alone = vectorize.vectorize(terms, texts, seed=0)
    monkeypatch.setattr(vectorize, "CHARS_BESIDE_ABOVE", 0)
    beside = vectorize.vectorize(terms, texts, seed=0)
    assert alone.dense.tobytes() == beside.dense.tobytes() and alone.vocabulary == beside.vocabulary
    assert _threads() == before


def test_centres_and_similarities_in_blocks_are_the_whole_products(monkeypatch):
    """Large float32 inputs are converted to float64 a block at a time (`CONVERTED_CELLS`):
    the same centres to the last bit (columns in blocks: each sum in the same order), the same
    similarities and margins (rows in blocks of 256: equal to the last bit or within 1e-12)."""
    from pipeline import cluster

    rng = np.random.default_rng(5)
    x = rng.standard_normal((3001, 37)).astype(np.float32)
    labels = rng.integers(-1, 6, size=3001)
    whole_centres = cluster.centroids(x, labels)
    whole_sims = cluster.similarities(x, whole_centres)
    assert whole_sims.tobytes() == (x @ whole_centres.T).tobytes()
    whole_margins = cluster.margins(x, labels, whole_centres)
    for cells in (1, 100, 4096, 50_000):
        monkeypatch.setattr(cluster, "CONVERTED_CELLS", cells)
        assert cluster.centroids(x, labels).tobytes() == whole_centres.tobytes()
        np.testing.assert_allclose(cluster.similarities(x, whole_centres), whole_sims, rtol=0, atol=1e-12)
        for got, want in zip(cluster.margins(x, labels, whole_centres), whole_margins):
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert cluster.similarities(x, whole_centres).tobytes() == cluster.similarities(x, whole_centres).tobytes()


def test_term_counts_are_countvectorizers():
    """`_counts` gives, entry for entry, what scikit-learn's CountVectorizer gives for terms
    already tokenized (float64), and its sorted vocabulary; repeated terms, empty rows and
    terms that sort by code point (カナ, 漢字, ASCII) included."""
    import random

    from sklearn.feature_extraction.text import CountVectorizer

    from pipeline.vectorize import _counts

    rng = random.Random(3)
    words = ["駐車場", "バス", "Wi-Fi", "トイレ", "狭い", "ほしい", "予算", "a", "B", "書類", "窓口"]
    docs = [tuple(rng.choice(words) for _ in range(rng.randint(0, 6))) for _ in range(300)]
    counts, vocabulary = _counts(docs)
    reference = CountVectorizer(analyzer=lambda d: list(d), lowercase=False)
    expected = reference.fit_transform(docs).tocsr().astype(np.float64)
    assert vocabulary == tuple(reference.get_feature_names_out())
    assert counts.dtype == np.float64 and counts.shape == expected.shape
    assert np.array_equal(counts.indptr, expected.indptr) and np.array_equal(counts.indices, expected.indices)
    assert np.array_equal(counts.data, expected.data)
    assert _counts([(), ()])[0].shape == (2, 0)


def _random_vectors_and_docs(n_docs: int, seed: int = 5):
    """A small random word-vector table (300 dimensions, as chiVe) and answers of its words,
    some words without a vector, some answers without any."""
    from pipeline.wordvectors import WordVectors

    rng = np.random.default_rng(seed)
    words = [f"語{i}" for i in range(400)]
    table = WordVectors(index={w: i for i, w in enumerate(words[:300])},
                        matrix=rng.standard_normal((300, 300)).astype(np.float32))
    docs = [tuple(words[j] for j in rng.integers(0, 400, size=rng.integers(0, 8))) for _ in range(n_docs)]
    return table, docs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_word_weights_are_the_matrix_of_answer_column_pairs(dtype):
    """`_word_weights` builds its rows from typed arrays: the same matrix, entry for entry, as one
    made from (answer, column) pairs with their duplicates summed (words that share a vector
    row through an alias, a word said twice)."""
    table, docs = _random_vectors_and_docs(300)
    aliases = {f"語{i}": f"語{i - 100}" for i in range(300, 350)}  # these find the row of another word
    pick, rows_used, totals = vectorize._word_weights(docs, table, aliases, dtype)
    n = len(docs)
    df: dict[str, int] = {}
    for doc in docs:
        for w in set(doc):
            df[w] = df.get(w, 0) + 1
    owners, rows, weights = [], [], []
    for i, doc in enumerate(docs):
        for w in doc:
            r = table.row(w)
            r = table.row(aliases[w]) if r is None and w in aliases else r
            if r is not None:
                owners.append(i)
                rows.append(r)
                weights.append(np.log((1 + n) / (1 + df[w])) + 1.0)
    used, column = np.unique(np.asarray(rows), return_inverse=True)
    expected = sp.csr_matrix((np.asarray(weights, dtype=dtype), (owners, column)), shape=(n, len(used)))
    expected.sum_duplicates()
    assert np.array_equal(pick.indptr, expected.indptr) and np.array_equal(pick.indices, expected.indices)
    assert pick.data.dtype == expected.data.dtype and pick.data.tobytes() == expected.data.tobytes()
    assert rows_used.tobytes() == np.asarray(table.matrix[used], dtype=dtype).tobytes()
    assert totals.tobytes() == np.asarray(expected.sum(axis=1)).ravel().tobytes()
    assert any(len(set(d)) < len(d) for d in docs) and any(not d for d in docs)  # repeats and empty answers


def test_word_vector_block_in_row_blocks_is_the_same(monkeypatch):
    """Above BLOCKS_ABOVE rows the word-vector block is made a block of rows at a time (no answers ×
    300 matrix of means): the same numbers, bit for bit, as `reduce` of the whole `semantic`
    block — the column sums added row after row across blocks as numpy adds them in one pass,
    the sample's rows made on their own, the projection in whole blocks of 256 rows."""
    table, docs = _random_vectors_and_docs(3000)
    monkeypatch.setattr(vectorize, "FIT_ABOVE", 1000)
    monkeypatch.setattr(vectorize, "BLOCKS_ABOVE", 1000)
    monkeypatch.setattr(vectorize, "FIT_ROWS", 700)
    monkeypatch.setattr(vectorize, "SEMANTIC_BLOCK_ROWS", 512)
    whole = reduce(vectorize.semantic(docs, table, None, np.float32), 7, vectorize.SEMANTIC_DIMS)
    blocks = vectorize._semantic_reduced(docs, table, None, np.float32, 7)
    # (Blocks this small take OpenBLAS's path for small products, which may round the last bit
    # differently: equal to 1e-6 here, bit for bit at the real block size below.)
    assert blocks.dtype == whole.dtype and np.allclose(blocks, whole, rtol=0, atol=1e-6)
    out = np.full((len(docs), vectorize.SEMANTIC_DIMS), np.nan, dtype=np.float32)
    assert vectorize._semantic_reduced(docs, table, None, np.float32, 7, out=out) is out
    assert np.array_equal(out, blocks)


def test_word_vector_block_in_row_blocks_is_bit_for_bit_at_its_block_size(monkeypatch):
    """At SEMANTIC_BLOCK_ROWS (two blocks here, the last one of 6,176 rows) the rows are the
    whole block's to the last bit."""
    table, docs = _random_vectors_and_docs(20_000, seed=11)
    monkeypatch.setattr(vectorize, "FIT_ABOVE", 1000)
    monkeypatch.setattr(vectorize, "BLOCKS_ABOVE", 1000)
    monkeypatch.setattr(vectorize, "FIT_ROWS", 700)
    whole = reduce(vectorize.semantic(docs, table, None, np.float32), 7, vectorize.SEMANTIC_DIMS)
    assert np.array_equal(vectorize._semantic_reduced(docs, table, None, np.float32, 7), whole)


@pytest.mark.parametrize("project_rows, beside, in_blocks", [(65_536, False, True), (256, False, True),
                                                              (333, True, True), (65_536, False, False)])
def test_joined_matrix_written_in_place_is_the_same(monkeypatch, project_rows, beside, in_blocks):
    """Above BLOCKS_ABOVE rows `vectorize` writes every block straight into the joined matrix (the
    lexical and character blocks from their fitted components, `PROJECT_ROWS` rows at a time,
    the character block's fitted in a thread or not): the same vectors as making the three
    blocks, weighting and joining them. Between FIT_ABOVE and BLOCKS_ABOVE rows the blocks are
    projected on fitted components whole, and joined: the same too."""
    from sklearn.preprocessing import normalize

    table, docs = _random_vectors_and_docs(2500, seed=9)  # above EXACT_SIDE: float32, as large questions
    texts = ["".join(d) or "x" for d in docs]
    monkeypatch.setattr(vectorize, "FIT_ABOVE", 1000)
    monkeypatch.setattr(vectorize, "BLOCKS_ABOVE", 1000 if in_blocks else 10**9)
    monkeypatch.setattr(vectorize, "FIT_ROWS", 700)
    monkeypatch.setattr(vectorize, "SEMANTIC_BLOCK_ROWS", 256)
    monkeypatch.setattr(vectorize, "PROJECT_ROWS", project_rows)
    monkeypatch.setattr(vectorize, "CHARS_BESIDE_ABOVE", 1000 if beside else 10**9)
    in_place = vectorize.vectorize(docs, texts, seed=3, word_vectors=table)
    blocks = [vectorize.lexical(docs, 3, np.float32) * vectorize.LEXICAL_WEIGHT,
              vectorize.characters(texts, 3).astype(np.float32) * vectorize.CHAR_WEIGHT,
              vectorize._semantic_reduced(docs, table, None, np.float32, 3) * vectorize.SEMANTIC_WEIGHT]
    joined = normalize(np.hstack(blocks), copy=False)
    assert in_place.dense.flags.c_contiguous and in_place.dense.dtype == joined.dtype
    assert np.array_equal(in_place.dense, joined)


def _pid_and(value):
    import os

    if value is None:
        raise LookupError("no value")
    return os.getpid(), value


def test_forked_computes_in_a_child_and_errors_come_back_here(monkeypatch):
    """`parallel.forked` computes a value in a forked child while the caller goes on; waiting
    gives it; a function that fails in the child fails again here, with its own error; without
    fork it runs here when waited for. The caller's collector is as it was."""
    import gc
    import os

    from pipeline import parallel

    pid, value = parallel.forked(_pid_and, {"a": [1, 2]})()
    assert value == {"a": [1, 2]}
    assert (pid != os.getpid()) == parallel.can_fork()
    wait = parallel.forked(_pid_and, None)
    with pytest.raises(LookupError):
        wait()
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.forked(_pid_and, 3)() == (os.getpid(), 3)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_word_rows_by_sorted_keys_are_a_dictionary_s():
    """The word vectors' index (`wordvectors.KeyIndex`: binary search among the words' sorted
    64-bit keys) gives every word the row a dictionary of the words gives it, one by one and all
    at once, and None for a word it does not have; words whose keys collide are left out (here two
    equal words stand for a collision: both find no row)."""
    from pipeline.wordvectors import KeyIndex, WordVectors, keyed

    words = [f"語{i}" for i in range(2000)] + ["Wi-Fi", "ボランティア", "重複"]
    rows = [i % 97 for i in range(len(words))]
    index = KeyIndex(*keyed(words + ["重複"], rows + [5]))
    assert len(index) == len(words) - 1
    asked = words + ["ない語", "", "語2000"]
    expected = {w: r for w, r in zip(words, rows) if w != "重複"}
    assert [index.get(w) for w in asked] == [expected.get(w) for w in asked]
    assert index.rows(asked) == [expected.get(w) for w in asked]
    table = WordVectors(index=index, matrix=np.zeros((97, 3), dtype=np.float32))
    assert table.rows(asked) == expected
    assert WordVectors(index=expected, matrix=table.matrix).rows(asked) == expected
    assert KeyIndex(*keyed([], [])).rows(["語1"]) == [None]
