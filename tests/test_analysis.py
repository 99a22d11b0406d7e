"""Vectorize, cluster, label and quotes on small hand-made sets."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from pipeline.cluster import cluster
from pipeline.config import Config
from pipeline.label import keywords_and_labels
from pipeline.records import Answer
from pipeline.run import analyse

# Each theme shares a word across its answers: enough for a bag-of-words representation.
PAPER = ["書類が多くて大変", "報告書の書類作成が負担", "申請書類の手続きが煩雑", "書類の提出が面倒", "事務作業と書類が多い",
         "書類を書く時間がない"]
ROOM = ["会場の確保が難しい", "活動する会場がない", "会議室を借りたい", "会場が足りない", "会場の予約がとれない",
        "会議室が狭い"]
MONEY = ["補助金を増やしてほしい", "活動資金が足りない", "補助金の申請", "資金の援助がほしい", "補助金の額が少ない",
         "資金不足"]


def answers(texts, question="q"):
    return [Answer(id=f"a{i}", question=question, row=i + 1, raw=t) for i, t in enumerate(texts)]


def test_three_obvious_themes_are_found():
    texts = PAPER + ROOM + MONEY + ["特になし", "", "同上"]
    result = analyse(answers(texts), Config(k=3))[0]
    assert result.n_answers == 21 and result.n_excluded == 3
    groups = {}
    for a in result.assignments:
        groups.setdefault(a.theme_id, set()).add(a.answer.raw)
    assert groups[-1] == {"特になし", "", "同上"}
    found = [g for k, g in groups.items() if k >= 0]
    # Each true theme lands mostly in one found theme.
    for truth in (PAPER, ROOM, MONEY):
        best = max(len(set(truth) & g) for g in found)
        assert best >= 4, (truth, found)
    labels = [t.label for t in result.themes]
    assert len(set(labels)) == 3
    assert any("書類" in ln for ln in labels) and any("会場" in ln for ln in labels) and any("補助金" in ln or "資金" in ln for ln in labels)
    for theme in result.themes:
        assert 3 <= len(theme.quotes) <= 5
        assert sum(t.size for t in result.themes) == 18
    assert [t.size for t in result.themes] == sorted((t.size for t in result.themes), reverse=True)


def test_equal_reasons_and_theme_lists_are_held_once():
    # Answers repeated, and answers with the same reason: a large survey's records share them.
    result = analyse(answers((PAPER + ROOM + MONEY) * 2 + ["特になし"] * 3), Config(k=3))[0]
    reasons: dict[str, str] = {}
    lists: dict[tuple, tuple] = {}
    for a in result.assignments:
        assert reasons.setdefault(a.reason, a.reason) is a.reason
        assert lists.setdefault(a.theme_ids, a.theme_ids) is a.theme_ids
    assert len(reasons) < len(result.assignments) and "" in reasons


def test_same_seed_same_result_and_auto_k():
    texts = PAPER + ROOM + MONEY
    first = analyse(answers(texts), Config(seed=3))[0]
    second = analyse(answers(texts), Config(seed=3))[0]
    assert [a.theme_id for a in first.assignments] == [a.theme_id for a in second.assignments]
    assert 2 <= first.k_chosen <= 6
    assert all(t.size >= 3 for t in first.themes)


def test_k_larger_than_answers_and_single_answer():
    result = analyse(answers(["書類が多い"]), Config(k=5))[0]
    assert result.k_chosen == 1 and result.themes[0].size == 1
    result = analyse(answers(["特になし", ""]), Config())[0]
    assert result.themes == () and all(a.theme_id == -1 for a in result.assignments)


def test_cluster_merges_small_and_orders_by_size():
    rng = np.random.default_rng(0)
    centres = np.eye(3)
    x = np.vstack([centres[0] + rng.normal(0, .05, (10, 3)), centres[1] + rng.normal(0, .05, (6, 3)),
                   centres[2] + rng.normal(0, .05, (1, 3))])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    result = cluster(x, k=None, k_max=5, min_size=3, seed=0)
    sizes = np.bincount(result.labels)
    assert sizes.min() >= 3 and list(sizes) == sorted(sizes, reverse=True)
    assert ((0 <= result.scores) & (result.scores <= 1)).all()


def test_labels_are_distinctive_and_unique():
    vocab = ("予算", "書類", "会場", "多い", "事務作業")
    counts = sp.csr_matrix(np.array([
        [1, 1, 0, 1, 0], [1, 1, 0, 0, 1], [0, 1, 0, 1, 1],  # theme 0: paperwork
        [1, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 1, 0, 0],  # theme 1: rooms
    ]))
    keywords, labels, _ = keywords_and_labels(counts, vocab, np.array([0, 0, 0, 1, 1, 1]), 2)
    assert keywords[0][0] in ("書類", "事務作業") and keywords[1][0] == "会場"
    assert "多い" not in labels[0] and len(set(labels)) == 2


def test_lexical_path_without_word_vectors():
    texts = PAPER + ROOM + MONEY
    result = analyse(answers(texts), Config(k=3, word_vectors=False))[0]
    assert result.k_chosen == 3 and sum(t.size for t in result.themes) == 18


def test_paraphrases_meet_through_word_vectors():
    """書類 and 報告書, 会場 and 会議室 share no word: only the word vectors can group them."""
    from pipeline import wordvectors

    if wordvectors.load() is None:
        pytest.skip("ja-ginza (word vectors) is not installed")
    paper = ["書類が多い", "報告書の作成が負担", "申請手続きが煩雑", "精算の手間がかかる", "ハンコを何個も押す", "提出書類が面倒"]
    room = ["会場が足りない", "会議室を借りたい", "集会所の予約がとれない", "活動場所がない", "公民館が狭い", "部屋の確保"]
    result = analyse(answers(paper + room), Config(k=2))[0]
    by_theme = {}
    for a in result.assignments:
        by_theme.setdefault(a.theme_id, set()).add(a.answer.raw)
    best = max(len(set(paper) & g) + len(set(room) - g) for g in by_theme.values())
    assert best >= 10, by_theme


def test_multi_point_answers_list_every_theme():
    texts = PAPER + ROOM + MONEY + ["・書類が多くて大変\n・会場が足りない"]
    result = analyse(answers(texts), Config(k=3))[0]
    last = result.assignments[-1]
    assert last.theme_id == last.theme_ids[0]
    assert len(last.theme_ids) == 2


def _blob(rng, centre, n, noise=0.05):
    v = np.asarray(centre, dtype=float) + rng.normal(0, noise, (n, len(centre)))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_theme_mixing_two_groups_is_split_and_a_coherent_one_is_not():
    from pipeline.cluster import split_mixed

    rng, e = np.random.default_rng(0), np.eye(6)
    # Themes 0 and 1 are close neighbours (cosine 0.7): the question's themes are that distinct.
    # Theme 2 holds two groups as far apart as any two themes: it is a mixture.
    x = np.vstack([_blob(rng, e[0], 10), _blob(rng, e[0] + e[1], 10), _blob(rng, e[2], 8), _blob(rng, e[3], 8)])
    labels = np.array([0] * 10 + [1] * 10 + [2] * 16)
    out = split_mixed(x, labels, min_size=3, k_max=10, seed=0)
    assert len(set(out[20:28])) == 1 and len(set(out[28:])) == 1 and out[20] != out[28]
    assert list(out[:20]) == list(labels[:20])
    assert (split_mixed(x, labels, min_size=3, k_max=3, seed=0) == labels).all()  # at most k_max themes
    assert (split_mixed(x, labels, min_size=9, k_max=10, seed=0) == labels).all()  # halves under min_size


def test_an_answer_that_fits_no_theme_goes_to_other():
    from pipeline.cluster import OTHER, set_aside

    rng, e = np.random.default_rng(0), np.eye(6)
    odd = e[0] * 0.15 + e[1] * 0.1 + e[2] * 0.1 + e[4]  # a little of everything, mostly nothing
    x = np.vstack([_blob(rng, e[0], 12, 0.25), _blob(rng, e[1], 12, 0.25), _blob(rng, e[2], 12, 0.25),
                   odd / np.linalg.norm(odd)])
    labels = np.array([0] * 12 + [1] * 12 + [2] * 12 + [0])  # its nearest theme
    out = set_aside(x, labels, min_size=1)
    assert out[-1] == OTHER
    assert (out[:-1] == OTHER).sum() <= 2  # the odd one out, not the themes' own answers
    # その他 is a theme like the others: never fewer than min_size answers.
    assert (set_aside(x, labels, min_size=3) == OTHER).sum() in (0, 3)


def test_other_is_listed_last_with_key_other(monkeypatch):
    """An automatic run whose clustering sets answers aside shows them as その他, last."""
    from pipeline import run
    from pipeline.cluster import OTHER

    real = run.cluster

    def with_other(x, **kwargs):
        found = real(x, **kwargs)
        labels = found.labels.copy()
        labels[-1] = OTHER
        return dataclasses.replace(found, labels=labels)

    monkeypatch.setattr(run, "cluster", with_other)
    texts = PAPER + ROOM + MONEY + ["猫がかわいい"]
    result = analyse(answers(texts), Config())[0]
    last = result.themes[-1]
    assert (last.key, last.label) == ("other", "その他") and last.size == 1
    assert [t.key for t in result.themes[:-1]] == [f"t{i + 1:02d}" for i in range(len(result.themes) - 1)]
    odd = result.assignments[-1]
    assert odd.theme_id == last.theme_id and "どのテーマにもよく当てはまらない" in odd.reason
    assert all(last.theme_id not in a.theme_ids[1:] for a in result.assignments)


def test_a_boundary_answer_is_never_a_quote():
    """Answers that mention several themes are no theme's clear member: never quoted, though
    novelty would pick them (they still reach the staff's shortlist)."""
    boundary = ["書類も会場も補助金も足りない", "書類と会場の両方が問題"]
    result = analyse(answers(PAPER + ROOM + MONEY + boundary), Config(k=3))[0]
    quoted = {q.id for t in result.themes for q in t.quotes}
    assert quoted and not quoted & {"a18", "a19"}
    assert all(3 <= len(t.quotes) <= 5 for t in result.themes)


def test_questions_analysed_in_worker_processes_give_the_same_result(monkeypatch):
    """With several workers and enough answers, questions are analysed in forked processes; the
    result is the same as in turn, answers and masked texts put back in place."""
    import pipeline.run as run

    texts = [Answer(id=f"{q}{i}", question=q, row=i + 1, raw=t)
             for q in ("q1", "q2", "q3") for i, t in enumerate(PAPER + ROOM + MONEY + ["特になし"])]
    alone = analyse(texts, Config(k=3, workers=1))
    monkeypatch.setattr(run, "PARALLEL_QUESTIONS_ABOVE", 0)
    together = analyse(texts, Config(k=3, workers=2))
    assert together.questions == alone.questions
    assert [a.answer for q in together for a in q.assignments] == texts
    assert {a.masked for q in together for a in q.assignments} >= set(PAPER)


@pytest.mark.parametrize("side_by_side", [False, True])
def test_each_question_lets_its_prepared_answers_go_once_analysed(monkeypatch, side_by_side):
    """A question's prepared answers (terms, points, label candidates) are let go once its result
    is made, in turn or side by side: the next question reuses their memory."""
    import pipeline.run as run

    held: list[int] = []  # at each question's completion, what the questions completed before hold
    done: set[str] = set()
    real = run._completed

    def completed(job, q, result, view):
        held.append(sum(len(job.by_question.get(k) or ()) for k in done))
        done.add(q)
        return real(job, q, result, view)

    monkeypatch.setattr(run, "_completed", completed)
    if side_by_side:
        monkeypatch.setattr(run, "PARALLEL_QUESTIONS_ABOVE", 0)
    texts = [Answer(id=f"{q}{i}", question=q, row=i + 1, raw=t)
             for q in ("q1", "q2", "q3") for i, t in enumerate(PAPER + ROOM + MONEY)]
    result = analyse(texts, Config(k=3, workers=2 if side_by_side else 1))
    assert held == [0, 0, 0] and done == {"q1", "q2", "q3"}
    assert [a.answer for q in result for a in q.assignments] == texts  # the results keep every answer


def test_preparation_imports_no_numerical_library():
    """`api.analyse` forks the preparation's workers before importing the analysis: the
    preparation (and what a run imports before it) must not import numpy, SciPy or scikit-learn."""
    import subprocess
    import sys

    code = ("import sys, pipeline, pipeline.api, pipeline.cli, pipeline.load, pipeline.prepare; "
            "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("mask", [True, False])
def test_questions_side_by_side_equal_questions_in_turn(monkeypatch, mask):
    """Side by side, a worker is sent a question's distinct answers only (and finds the first of
    them that hold each keyword: with --no-mask this process searches every answer) and this
    process places every answer and makes the KWIC lines and the cross-tabs: the results are
    those made in turn in one process (the bundled survey with every answer given three times, so
    repeats are placed from their distinct answer; every matrix is small enough to be analysed on
    one BLAS thread either way)."""
    from conftest import CORPUS

    from pipeline import parallel, run
    from pipeline.config import build, read_toml
    from pipeline.load import load

    if not parallel.can_fork():
        pytest.skip("workers are forked")
    config = dataclasses.replace(build(read_toml(CORPUS / "survey.toml")), mask=mask)
    once = load(CORPUS / "survey.csv", config)
    given = [dataclasses.replace(a, id=f"{a.id}-{k}") for k in range(3) for a in once]
    monkeypatch.setattr(run, "PARALLEL_QUESTIONS_ABOVE", 50)

    def seen(workers: int):
        result = analyse(given, dataclasses.replace(config, workers=workers))
        return [(r.question, r.n_answers, r.n_excluded, r.overview, r.asks, r.network, r.kwic,
                 [(t.label, t.size, t.share, t.keywords, t.quotes, t.candidates, t.summary, t.key) for t in r.themes],
                 [(a.answer.id, a.masked, a.theme_id, a.theme_ids, a.excluded_reason, a.score, a.reason)
                  for a in r.assignments],
                 [(c.attribute, c.themes, c.values, c.counts.tolist()) for c in r.crosstabs])
                for r in result.questions]

    in_turn, side_by_side = seen(1), seen(2)
    assert side_by_side == in_turn
    assert any(a[6].endswith("と同じ回答") for q in in_turn for a in q[8])  # repeats placed as such


def test_largest_by_blocks_is_a_full_sort():
    """`cluster._largest` on rows wide enough for its block maxima gives what sorting each whole
    row gives (by value, largest first; ties to the first column), ties and -inf included; the
    nearest neighbours among a sample come out the same as from a full sort."""
    from pipeline import cluster

    rng = np.random.default_rng(3)
    for extra, k in ((0, 10), (2_440, 10), (161, 15), (3_000, 1)):
        m = max(cluster.LARGEST_BY_BLOCKS_FROM, 2 * k * cluster.LARGEST_BLOCK) + extra
        sims = rng.integers(0, 40, size=(64, m)).astype(np.float32)  # many ties
        sims[np.arange(64), rng.integers(0, m, size=64)] = -np.inf
        want = np.lexsort((np.broadcast_to(np.arange(m), sims.shape), -sims), axis=1)[:, :k]
        assert (cluster._largest(sims, k) == want).all()
    x = rng.standard_normal((3_000, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    among = np.sort(rng.choice(3_000, 2_600, replace=False))
    sims = x @ x[among].T
    sims[np.isin(np.arange(3_000), among), np.searchsorted(among, np.flatnonzero(np.isin(np.arange(3_000), among)))] \
        = -np.inf
    want = among[np.lexsort((np.broadcast_to(np.arange(len(among)), sims.shape), -sims), axis=1)[:, :10]]
    assert (cluster.nearest_neighbours(x, 10, among=among) == want).all()


@pytest.mark.parametrize("mask", [True, False])
def test_kwic_made_beside_the_next_question_is_the_same(monkeypatch, mask):
    """Analysed in turn, a large question's KWIC lines are made in a child process while the next
    question is analysed (`run._analysed_in_turn`, above KWIC_BESIDE_ABOVE distinct answers): the
    same results, in the same order, as made in this process (with --no-mask, or one worker asked
    for, always here)."""
    from conftest import CORPUS

    from pipeline import parallel, run
    from pipeline.config import build, read_toml
    from pipeline.load import load

    config = dataclasses.replace(build(read_toml(CORPUS / "survey.toml")), mask=mask, workers=2)
    monkeypatch.setattr(run, "PARALLEL_QUESTIONS_ABOVE", 10**9)  # analysed in turn, with two workers
    answers = load(CORPUS / "survey.csv", config)
    forks: list[str] = []
    real = parallel.forked
    monkeypatch.setattr(parallel, "forked", lambda function, *args: forks.append(function.__name__)
                        or real(function, *args))

    def seen():
        return [(r.question, r.n_answers, r.overview, r.network, r.kwic,
                 [(t.label, t.size, t.keywords, t.quotes, t.key) for t in r.themes],
                 [(a.answer.id, a.masked, a.theme_id, a.score, a.reason) for a in r.assignments],
                 [(c.attribute, c.themes, c.values, c.counts.tolist(), c.p_value) for c in r.crosstabs])
                for r in analyse(answers, config).questions]

    here = seen()
    assert forks == []
    monkeypatch.setattr(run, "KWIC_BESIDE_ABOVE", 0)
    beside = seen()
    assert forks == (["_kwic_lines"] * len(config.text_cols) if mask and parallel.can_fork() else [])
    assert beside == here
    assert all(q[4] for q in beside)  # every question has KWIC lines
    forks.clear()
    config = dataclasses.replace(config, workers=1)  # one process asked for: no child
    assert seen() == here and forks == []


def test_ward_from_products_is_scikit_learns(monkeypatch):
    """`cluster.ward_labels` (distances from one symmetric product) gives scikit-learn's Ward
    clustering, label for label, on groups near and far apart; `partition` uses it from
    WARD_BY_PRODUCTS_FROM rows."""
    from sklearn.cluster import AgglomerativeClustering

    from pipeline import cluster

    rng = np.random.default_rng(7)
    for n, k, spread in ((1_200, 2, 1.0), (1_500, 9, 0.5), (1_100, 6, 3.0)):
        centres = rng.standard_normal((20, 40))
        x = rng.standard_normal((n, 40)) + spread * centres[rng.integers(0, 20, n)]
        x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
        want = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        assert (cluster.ward_labels(x, k) == want).all()
    calls = []
    real = cluster.ward_labels
    monkeypatch.setattr(cluster, "ward_labels", lambda x, k: calls.append(len(x)) or real(x, k))
    cluster.partition(x, 3, seed=0)
    cluster.partition(x[:cluster.WARD_BY_PRODUCTS_FROM - 1], 3, seed=0)
    assert calls == [len(x)]
