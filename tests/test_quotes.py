"""Quote ranking, diversity, trimming and summaries on small vectors and texts."""

import dataclasses

import numpy as np
import pytest

from pipeline.cluster import clear_members
from pipeline.quotes import Candidate, candidate, near_duplicate, pick, readability, select, summarize


def unit(*v):
    v = np.array(v, dtype=float)
    return v / np.linalg.norm(v)


CENTRES = np.vstack([unit(1, 0, 0), unit(0, 1, 0)])


def test_most_typical_first_and_no_near_duplicates():
    cands = [
        Candidate("a", "書類が多くて大変です。", "書類が多くて大変です。", unit(1, 0.1, 0)),
        Candidate("b", "書類が多くて大変です", "書類が多くて大変です", unit(1, 0.1, 0.01)),
        Candidate("c", "報告書の作成が負担になっている", "報告書の作成が負担になっている", unit(1, 0.3, 0.2)),
        Candidate("d", "精算の手続きが面倒で時間がかかる", "精算の手続きが面倒で時間がかかる", unit(1, 0.2, 0.5)),
    ]
    quotes = pick(cands, 0, CENTRES, 3)
    assert [q.id for q in quotes] == ["a", "d", "c"] or [q.id for q in quotes] == ["a", "c", "d"]
    assert "b" not in [q.id for q in quotes]
    assert quotes[0].score >= quotes[1].score - 0.2


def test_diversity_prefers_another_side():
    # Two near-identical central answers on one side of the centre and one a little less central
    # on the other side: MMR takes the other side second.
    cands = [
        Candidate("a", "会場の確保がとても難しい。", "会場の確保がとても難しい。", unit(1, 0, -0.05)),
        Candidate("b", "会議室の予約がとれない。。", "会議室の予約がとれない。。", unit(1, 0, -0.06)),
        Candidate("c", "駐車場のある会場がほしい。", "駐車場のある会場がほしい。", unit(1, 0, 0.3)),
    ]
    assert [q.id for q in pick(cands, 0, CENTRES, 2)] == ["a", "c"]


def test_answers_closer_to_another_theme_come_last():
    cands = [
        Candidate("own1", "書類が多くて大変だ。", "書類が多くて大変だ。", unit(1, 0.2, 0)),
        Candidate("other", "会場がないのが一番困るが書類も", "会場がないのが一番困るが書類も", unit(0.5, 1, 0)),
        Candidate("own2", "申請の手続きが煩雑すぎる。", "申請の手続きが煩雑すぎる。", unit(1, 0.4, 0.3)),
    ]
    assert [q.id for q in pick(cands, 0, CENTRES, 3)][-1] == "other"


def test_long_answers_are_trimmed_to_their_point():
    points = [("私たちの会は三十年続いています。", "私たちの会は三十年続いています。", unit(0, 0, 1)),
              ("最近は報告書や精算の書類が多く、事務作業が大きな負担になっています。",
               "最近は報告書や精算の書類が多く、事務作業が大きな負担になっています。", unit(1, 0, 0)),
              ("それでも活動は楽しいので続けたいと思います。", "それでも活動は楽しいので続けたいと思います。", unit(0, 0.2, 1))]
    text = "".join(p[0] for p in points) * 2
    c = candidate("x", text, text, unit(0.5, 0, 0.8), points, CENTRES[0])
    assert c.excerpt and c.text == "…最近は報告書や精算の書類が多く、事務作業が大きな負担になっています。…"
    short = candidate("y", "書類が多い。会場もない", "書類が多い。会場もない", unit(1, 0, 0), points[:2], CENTRES[0])
    assert not short.excerpt and short.text == "書類が多い。会場もない"


def test_readability_and_near_duplicates():
    assert readability(30) == 1.0 and readability(4) < readability(10) < 1.0 and readability(400) < 1.0
    assert near_duplicate("書類が多くて大変です。", "書類が多くて大変です")
    assert not near_duplicate("書類が多い", "会場がない")


def test_summary_takes_central_sentences_of_moderate_length():
    sentences = [("書類が多い", "書類が多い", unit(1, 0, 0)),  # too short for a summary
                 ("報告書や精算の書類づくりが大きな負担になっている。", "報告書や精算の書類づくりが大きな負担になっている。", unit(1, 0.1, 0)),
                 ("申請の手続きが複雑でわかりにくい。", "申請の手続きが複雑でわかりにくい。", unit(1, 0.1, 0.6)),
                 ("会場がほしい。とても困っている。", "会場がほしい。とても困っている。", unit(0, 1, 0))]
    summary = summarize(sentences, CENTRES[0], n_answers=10)
    assert summary[0] == "報告書や精算の書類づくりが大きな負担になっている。"
    assert "会場がほしい。とても困っている。" not in summary and len(summary) <= 2
    assert summarize(sentences, CENTRES[0], n_answers=3) == (summary[0],)


def test_a_boundary_answer_is_never_a_quote_even_when_diverse():
    # Three clear members on one side of the centre; a boundary answer (not clear: half its
    # neighbours elsewhere) on another side, so MMR would take it second for novelty.
    cands = [
        Candidate("a", "提出する書類が多くて大変です", "提出する書類が多くて大変です", unit(1, 0, -0.15)),
        Candidate("b", "報告書の作成が負担です", "報告書の作成が負担です", unit(1, 0.05, -0.17)),
        Candidate("c", "申請の手続きが煩雑すぎる", "申請の手続きが煩雑すぎる", unit(1, -0.03, -0.16)),
        Candidate("edge", "書類より会場がないのが困る", "書類より会場がないのが困る", unit(1, 0.1, 0.5), clear=False),
    ]
    # Were it a clear member, novelty would make it the second quote.
    assert [q.id for q in pick([dataclasses.replace(c, clear=True) for c in cands], 0, CENTRES, 2)] == ["a", "edge"]
    shown, shortlist = select(cands, 0, CENTRES, quotes=5, shortlist=10)
    assert [q.id for q in shown][0] == "a" and "edge" not in [q.id for q in shown]
    assert [q.id for q in shortlist][-1] == "edge"  # staff still see it, after the clear members


def test_fewer_than_three_clear_members_are_filled_with_the_best_others():
    cands = [
        Candidate("a", "提出する書類が多くて大変です", "提出する書類が多くて大変です", unit(1, 0.05, 0)),
        Candidate("b", "報告書の作成が大きな負担です", "報告書の作成が大きな負担です", unit(1, 0.3, 0.2), clear=False,
                  relevance=0.2),
        Candidate("c", "申請の手続きが煩雑すぎる", "申請の手続きが煩雑すぎる", unit(1, 0.2, 0.5), clear=False, relevance=0.6),
        Candidate("d", "精算の手続きがとても面倒です", "精算の手続きがとても面倒です", unit(1, 0.2, -0.5), clear=False,
                  relevance=0.5),
    ]
    shown, _ = select(cands, 0, CENTRES, quotes=5, shortlist=10)
    assert [q.id for q in shown][0] == "a" and len(shown) == 3
    assert select(cands[:2], 0, CENTRES, quotes=5, shortlist=10)[0][-1].id == "b"  # as many as there are


@pytest.mark.parametrize("margin, agreement, label, clear", [
    (0.5, 1.0, 0, True),   # best theme by a margin above the question's median, neighbours agree
    (0.5, 0.4, 0, False),  # most neighbours elsewhere
    (0.05, 1.0, 0, False),  # margin below the question's median
    (0.5, 1.0, -1, False),  # その他 has no clear members
])
def test_clear_members(margin, agreement, label, clear):
    margins = np.array([margin, 0.3, 0.2, 0.1, 0.4])
    agreements = np.array([agreement, 1, 1, 1, 1])
    labels = np.array([label, 0, 1, 1, 0])
    assert bool(clear_members(margins, agreements, labels)[0]) is clear


def test_clear_members_that_say_the_label_come_first():
    # The most central clear member does not say the label's words: a member that does is the
    # first quote; then the other clear members; never a boundary answer before them.
    cands = [
        Candidate("central", "手続きがとにかく大変です", "手続きがとにかく大変です", unit(1, 0, 0), says_label=False),
        Candidate("says", "提出する書類が多くて大変です", "提出する書類が多くて大変です", unit(1, 0.3, 0)),
        Candidate("edge", "書類より会場がないのが困る", "書類より会場がないのが困る", unit(1, -0.2, 0.5), clear=False),
    ]
    shown, _ = select(cands, 0, CENTRES, quotes=5, shortlist=10)
    assert [q.id for q in shown] == ["says", "central", "edge"]
    assert [q.id for q in select(cands[:2], 0, CENTRES, quotes=1, shortlist=1)[0]] == ["says"]
