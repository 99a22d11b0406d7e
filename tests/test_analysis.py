"""Vectorize, cluster, label and quotes on small hand-made sets."""

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
