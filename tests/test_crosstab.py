"""Cross-tabulation statistics against hand-computed tables; scipy's results are the reference."""

import numpy as np
import pytest
from scipy import stats

from pipeline.crosstab import adjusted_residuals, crosstab, independence_test
from pipeline.records import Answer, Assignment, QuestionResult, Theme


def test_adjusted_residuals_by_hand():
    # 2×2: rows 30/20, columns 25/25, N 50. E11 = 30·25/50 = 15; O11 = 20.
    # Var = 15 · (1 − 30/50) · (1 − 25/50) = 15 · 0.4 · 0.5 = 3 → z = 5 / √3 = 2.8868.
    table = np.array([[20, 10], [5, 15]])
    expected, residuals = adjusted_residuals(table)
    assert expected[0, 0] == pytest.approx(15.0)
    assert residuals[0, 0] == pytest.approx(5 / np.sqrt(3))
    assert residuals[1, 0] == pytest.approx(-5 / np.sqrt(3))
    # In a 2×2 table every |z| is the same and z² equals the uncorrected chi-square.
    assert np.allclose(np.abs(residuals), 5 / np.sqrt(3))
    assert residuals[0, 0] ** 2 == pytest.approx(stats.chi2_contingency(table, correction=False)[0])


def test_chi_square_when_counts_are_large():
    table = np.array([[30, 10, 12], [12, 28, 15], [10, 12, 31]])
    name, statistic, dof, p = independence_test(table, seed=0)
    chi2, p_ref, dof_ref, _ = stats.chi2_contingency(table)
    assert (name, dof) == ("chi2", dof_ref)
    assert statistic == pytest.approx(chi2) and p == pytest.approx(p_ref)


def test_fisher_when_counts_are_small():
    table = np.array([[5, 0], [1, 4]])
    name, statistic, dof, p = independence_test(table, seed=0)
    assert name == "fisher" and p == pytest.approx(stats.fisher_exact(table).pvalue)
    assert p == pytest.approx(0.047619, abs=1e-6)  # hypergeometric by hand: 6/126
    big = np.array([[5, 1, 0], [2, 6, 1], [0, 2, 7]])
    name, _, dof, p = independence_test(big, seed=0)
    assert name == "fisher" and dof == 4 and p < 0.01
    assert independence_test(big, seed=0) == independence_test(big, seed=0)  # seeded


def result_with(theme_of_attr: list[tuple[int, str]], labels=("書類", "会場")) -> QuestionResult:
    assignments = tuple(Assignment(answer=Answer(id=str(i), question="q", row=i, raw="", attrs=(("種別", v),)),
                                   masked="", theme_id=t, excluded_reason="" if t >= 0 else "non_answer", score=1.0)
                        for i, (t, v) in enumerate(theme_of_attr))
    themes = tuple(Theme(theme_id=i, label=l, keywords=(), size=0, share=0.0, quotes=(), candidates=())
                   for i, l in enumerate(labels))
    return QuestionResult("q", "q", len(assignments), 0, len(themes), themes, assignments)


def test_crosstab_of_a_question():
    data = [(0, "町会")] * 20 + [(0, "NPO")] * 5 + [(1, "町会")] * 4 + [(1, "NPO")] * 21 + [(1, "")] * 2 + [(-1, "町会")] * 9
    table = crosstab(result_with(data), "種別")
    assert table.values == ("NPO", "町会", "（無回答）")
    assert table.counts.tolist() == [[5, 20, 0], [21, 4, 2]]
    assert table.n == 52  # excluded answers are not counted
    assert table.row_percent()[0, 1] == pytest.approx(80.0)
    findings = table.findings()
    assert any("「町会」の回答では「書類」が多い" in f for f in findings)
    assert any("「NPO」の回答では「書類」が少ない" in f for f in findings)


def test_no_table_without_two_values():
    assert crosstab(result_with([(0, "町会")] * 5 + [(1, "町会")] * 5), "種別") is None
