"""Cross-tabulation statistics against hand-computed tables; scipy's results are the reference."""

import numpy as np
import pytest
from scipy import stats

from pipeline.crosstab import MAX_LEVELS, MISSING, OTHER, RULE_JA, adjusted_residuals, crosstab, holm, independence_test
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
    name, _, dof, p = independence_test(table, seed=0)
    assert name == "fisher" and p == pytest.approx(stats.fisher_exact(table).pvalue)
    assert p == pytest.approx(0.047619, abs=1e-6)  # hypergeometric by hand: 6/126
    big = np.array([[5, 1, 0], [2, 6, 1], [0, 2, 7]])
    name, _, dof, p = independence_test(big, seed=0)
    assert name == "fisher" and dof == 4 and p < 0.01
    assert independence_test(big, seed=0) == independence_test(big, seed=0)  # seeded


def result_with(theme_of_attr: list[tuple[int, str]], labels=("書類", "会場"), attr="種別") -> QuestionResult:
    assignments = tuple(Assignment(answer=Answer(id=str(i), question="q", row=i, raw="", attrs=((attr, v),)),
                                   masked="", theme_id=t, excluded_reason="" if t >= 0 else "non_answer", score=1.0)
                        for i, (t, v) in enumerate(theme_of_attr))
    themes = tuple(Theme(theme_id=i, label=ln, keywords=(), size=0, share=0.0, quotes=(), candidates=())
                   for i, ln in enumerate(labels))
    return QuestionResult("q", "q", len(assignments), 0, len(themes), themes, assignments)


def test_crosstab_of_a_question():
    data = [(0, "町会")] * 20 + [(0, "NPO")] * 5 + [(1, "町会")] * 4 + [(1, "NPO")] * 21 + [(1, "")] * 2 + [(-1, "町会")] * 9
    table = crosstab(result_with(data), "種別")
    assert table.values == ("NPO", "町会", "（無回答）")
    assert table.counts.tolist() == [[5, 20, 0], [21, 4, 2]]
    assert table.n == 52  # excluded answers are not counted
    assert table.row_percent()[0, 1] == pytest.approx(80.0)
    assert table.n_tested == 50  # the two answers without a value are shown, not tested
    findings = table.findings()
    assert any("「町会」の回答（24件）では「書類」が多い（20件、" in f for f in findings)
    assert any("「NPO」の回答（26件）では「書類」が少ない（5件、" in f for f in findings)


def test_no_table_without_two_values():
    assert crosstab(result_with([(0, "町会")] * 5 + [(1, "町会")] * 5), "種別") is None


def result_from(table, values, labels=None, attr="種別") -> QuestionResult:
    """A question whose kept answers form `table` (themes × values, the values in the table's
    column order: most answers first, MISSING last); MISSING is written as an empty attribute."""
    table = np.asarray(table)
    labels = labels or tuple(f"テーマ{i}" for i in range(table.shape[0]))
    data = [(i, "" if v == MISSING else v) for i in range(table.shape[0]) for j, v in enumerate(values)
            for _ in range(int(table[i, j]))]
    return result_with(data, labels, attr)


def finding_cells(table) -> set:
    return {(i, j, table.cell_flag(i, j)) for i in range(len(table.themes)) for j in range(len(table.values))
            if table.cell_flag(i, j)}


def holm_by_hand(p):
    """Reference: sort, multiply the k-th smallest (0-based) by m − k, carry the running maximum, cap at 1."""
    items = sorted((x, k) for k, x in enumerate(p) if not np.isnan(x))
    out, running = [float("nan")] * len(p), 0.0
    for rank, (x, k) in enumerate(items):
        running = max(running, min(1.0, (len(items) - rank) * x))
        out[k] = running
    return out


@pytest.mark.parametrize("p,expected", [
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4) → 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
    # NaN is outside the family: m = 2
    ([0.02, float("nan"), 0.04], [0.04, float("nan"), 0.04]),
    ([0.5, 0.6], [1.0, 1.0]),  # capped at 1
    ([float("nan")], [float("nan")]),
])
def test_holm_by_hand(p, expected):
    assert np.allclose(holm(np.array(p)), expected, equal_nan=True)
    assert np.allclose(holm_by_hand(p), expected, equal_nan=True)


def test_holm_against_reference_and_shape():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 0.1, size=(4, 5))
    p[rng.uniform(size=p.shape) < 0.3] = np.nan
    got = holm(p)
    assert got.shape == p.shape
    assert np.allclose(got.ravel(), holm_by_hand(list(p.ravel())), equal_nan=True)


def test_missing_column_is_shown_but_not_tested():
    # テーマ2 has only answers without the attribute: shown, but no row of the test.
    counts = [[5, 20, 7], [21, 4, 3], [0, 0, 2]]
    table = crosstab(result_from(counts, ("NPO", "町会", MISSING)), "種別")
    assert table.values == ("NPO", "町会", MISSING)
    assert table.counts.tolist() == counts and table.n == 62 and table.n_tested == 50
    chi2, p, dof, _ = stats.chi2_contingency([[5, 20], [21, 4]])
    assert table.test == "chi2" and table.dof == dof == 1
    assert table.statistic == pytest.approx(chi2) and table.p_value == pytest.approx(p)
    assert table.tested.tolist() == [[True, True, False], [True, True, False], [False, False, False]]
    assert np.isnan(table.expected[:, 2]).all() and np.isnan(table.residuals[2]).all()
    expected, residuals = adjusted_residuals(np.array([[5, 20], [21, 4]]))
    assert np.allclose(table.expected[:2, :2], expected) and np.allclose(table.residuals[:2, :2], residuals)
    assert [table.cell_flag(i, 2) for i in range(3)] == ["", "", ""]
    assert table.column_percent()[0, 2] == pytest.approx(100 * 7 / 12)  # still shown with percentages
    header, rows = table.rows()
    assert header == ["theme", "種別", "count", "row_percent", "column_percent", "expected",
                      "adjusted_residual", "p_adjusted", "significant"]
    missing = rows[2]  # テーマ0 × （無回答）
    assert missing[:5] == ["テーマ0", MISSING, "7", "21.9", "58.3"] and missing[5:] == ["", "", "", ""]
    assert rows[0][5] == f"{expected[0, 0]:.2f}" and rows[0][8] == "less"
    assert all(r[5:8] == ["", "", ""] for r in rows[6:])  # テーマ2: not tested


def test_uncorrected_cells_do_not_survive_holm_but_a_strong_one_does():
    # χ² = 11.21, dof 4, p = 0.024. Every expected count ≥ 16, so all 9 cells are in the family.
    # (0,0) z = +2.98 → raw p 0.0028 × 9 = 0.026 < 0.05: a finding.
    # (2,0) z = −2.36, (2,1) +2.35, (0,1) −2.16 are beyond ±1.96 but Holm gives 0.15–0.19: not findings.
    counts = [[40, 20, 20], [20, 20, 20], [18, 31, 20]]
    table = crosstab(result_from(counts, ("A", "B", "C")), "種別")
    assert table.test == "chi2" and table.p_value == pytest.approx(0.0243, abs=1e-4)
    uncorrected = {(i, j) for i in range(3) for j in range(3) if abs(table.residuals[i, j]) > 1.96}
    assert uncorrected == {(0, 0), (0, 1), (2, 0), (2, 1)}
    raw = 2 * stats.norm.sf(table.residuals[0, 0])
    assert table.p_adjusted[0, 0] == pytest.approx(9 * raw)
    assert finding_cells(table) == {(0, 0, "more")}
    assert len(table.findings()) == 1


def test_large_residual_with_tiny_expected_count_is_no_finding():
    # Column X has 10 answers: E(テーマ0, X) = 10·10/92 = 1.09, O = 8, z = +7.44, yet E < 5.
    # Cells of column X with E = 4.46 are out of the family too; Y's cells (E ≥ 8.9) are in it.
    counts = [[2, 8], [40, 1], [40, 1]]
    table = crosstab(result_from(counts, ("Y", "X")), "種別")
    assert table.expected[0, 1] == pytest.approx(10 * 10 / 92) and table.residuals[0, 1] > 7
    assert table.p_value < 0.05
    assert table.cell_flag(0, 1) == "" and np.isnan(table.p_adjusted[:, 1]).all()
    assert np.isfinite(table.p_adjusted[:, 0]).all()
    # Holm over m = 3: (0,0) z = −7.44 → 3 · 1e-13; (1,0), (2,0) z = +2.33 → 2 · 0.0198 = 0.040.
    assert finding_cells(table) == {(0, 0, "less"), (1, 0, "more"), (2, 0, "more")}
    assert table.p_adjusted[1, 0] == pytest.approx(2 * 2 * stats.norm.sf(table.residuals[1, 0]))


def test_no_findings_when_the_table_is_not_significant():
    # One column 32/8 among seven 20/20 columns: z = ±3.56 and Holm over 16 cells gives 0.006,
    # but the table as a whole (χ² on 7 dof) has p = 0.081, so there is no finding at all.
    counts = np.array([[32] + [20] * 7, [8] + [20] * 7])
    table = crosstab(result_from(counts, tuple("ABCDEFGH")), "種別")
    assert table.test == "chi2" and table.p_value == pytest.approx(0.0805, abs=1e-3)
    assert np.nanmin(table.p_adjusted) < 0.01
    assert finding_cells(table) == set() and table.findings() == []
    assert all(r[8] == "" for r in table.rows()[1])


def test_findings_say_how_many_answers_they_rest_on():
    counts = [[40, 20, 20], [20, 20, 20], [18, 31, 20]]
    table = crosstab(result_from(counts, ("A", "B", "C"), labels=("書類", "会場", "予算")), "種別")
    z, p = table.residuals[0, 0], table.p_adjusted[0, 0]
    assert table.findings() == [(f"種別が「A」の回答（78件）では「書類」が多い（40件、51.3%、調整済み残差 {z:+.2f}、"
                                 f"補正後 p = {p:.3f}）")]


def test_issue_table_gives_no_findings_from_small_cells():
    # The bundled sample's 協働したくない理由 × 活動分野 (45 cells, Fisher p ≈ 0.03): without a
    # correction 7 cells were beyond ±1.96, from counts of 0 to 9. Six have expected counts below 5;
    # the seventh (9 of the 12 スポーツ answers, E = 5.21, z = +2.31, raw p = 0.021) is one of the
    # 10 cells of the family, and Holm gives 10 · 0.021 = 0.21.
    counts = [[8, 6, 7, 5, 6, 6, 9, 5, 7],
              [9, 4, 6, 5, 1, 3, 0, 0, 3],
              [2, 4, 1, 2, 2, 3, 2, 4, 2],
              [5, 1, 2, 2, 0, 1, 1, 0, 0],
              [0, 4, 1, 0, 4, 0, 0, 3, 0]]
    values = ("福祉", "国際交流", "防災・防犯", "まちづくり", "その他", "子育て・教育", "スポーツ", "文化・芸術", "環境")
    table = crosstab(result_from(counts, values, attr="活動分野"), "活動分野")
    assert table.test == "fisher" and table.p_value < 0.05
    assert (np.abs(table.residuals) > 1.96).sum() == 7
    beyond = np.abs(table.residuals) > 1.96
    assert (beyond & (table.expected >= 5)).sum() == 1 and table.counts[0, 6] == 9 and beyond[0, 6]
    assert table.p_adjusted[0, 6] == pytest.approx(10 * 2 * stats.norm.sf(table.residuals[0, 6]))
    assert int(np.isfinite(table.p_adjusted).sum()) == (table.expected >= 5).sum() == 10
    assert table.findings() == []


def test_many_values_fold_into_other_which_is_tested():
    # 14 stated values (v00 largest … v13) and some answers without one: v00–v10 stay, v11–v13
    # fold into OTHER, which is tested; MISSING is never folded.
    data = []
    for j in range(14):
        data += [(j % 2, f"v{j:02d}")] * (30 - j)
    data += [(0, "")] * 3 + [(1, "")] * 2
    table = crosstab(result_with(data), "種別")
    assert table.values == tuple(f"v{j:02d}" for j in range(MAX_LEVELS - 1)) + (OTHER, MISSING)
    assert table.counts[:, -2].tolist() == [18, 19 + 17] and table.counts[:, -1].tolist() == [3, 2]
    assert table.tested[:, -2].all() and not table.tested[:, -1].any()
    assert table.dof == MAX_LEVELS - 1


def test_one_stated_value_gives_no_table():
    assert crosstab(result_with([(0, "町会")] * 5 + [(1, "町会")] * 5 + [(1, "")] * 3), "種別") is None
    # answers with a value all in one theme: nothing to compare either
    assert crosstab(result_with([(0, "町会")] * 5 + [(0, "NPO")] * 5 + [(1, "")] * 3), "種別") is None


def test_rule_text_names_the_rule():
    for word in ("件数（列の割合）", "Holm", "期待度数が 5 以上", MISSING, "Fisher"):
        assert word in RULE_JA


def test_fisher_on_a_two_row_table_with_many_columns():
    """A 2 × c table with small counts (a small survey, one attribute with many values): SciPy
    returns the statistic as a one-element array, which used to stop the run."""
    table = np.array([[2, 1, 1, 0, 0, 1, 1], [0, 1, 0, 1, 1, 0, 0]])
    name, statistic, dof, p = independence_test(table, seed=0)
    assert name == "fisher" and dof == 6 and 0 < statistic <= 1 and 0 < p <= 1


def test_counts_equal_a_count_answer_by_answer():
    # Answers are counted by (theme, attributes) before the attribute is read: the table is the
    # one an answer-by-answer count gives, folding and （無回答） included.
    rng = np.random.default_rng(3)
    values = [f"v{j:02d}" for j in range(MAX_LEVELS + 4)] + ["", " "]
    data = [(int(rng.integers(-1, 3)), values[int(rng.integers(len(values)))]) for _ in range(2000)]
    table = crosstab(result_with(data, labels=("書類", "会場", "予算")), "種別")
    kept = [(t, v.strip() or MISSING) for t, v in data if t >= 0]
    for i, theme in enumerate(table.themes):
        t = ("書類", "会場", "予算").index(theme)
        for j, value in enumerate(table.values):
            folded = [v for tt, v in kept if tt == t and (v == value or (value == OTHER and v not in table.values))]
            assert table.counts[i, j] == len(folded)


def test_monte_carlo_fisher_is_scipys_test_and_takes_any_number_of_answers():
    """`fisher_monte_carlo` gives SciPy's statistic and p-value from the same random tables, and
    also for a table of more answers than the random tables have cells, which SciPy's
    fisher_exact takes for a single table and fails on (a question of a million answers)."""
    from scipy import stats

    from pipeline.crosstab import fisher_monte_carlo

    for table in (np.array([[4, 3, 5, 2], [6, 5, 5, 2], [6, 5, 2, 5], [5, 5, 1, 7]]),
                  np.asfortranarray([[3, 0, 1], [0, 4, 2]]), np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])):
        scipy_result = stats.fisher_exact(table, method=stats.MonteCarloMethod(n_resamples=999,
                                                                               rng=np.random.default_rng(3)))
        assert fisher_monte_carlo(table, 3, draws=999) == (float(np.ravel(scipy_result.statistic)[0]),
                                                           float(np.ravel(scipy_result.pvalue)[0]))
    large = np.array([[19990, 3, 2], [4, 1, 0], [3, 0, 2]])  # 20,005 answers, 1,999 × 9 cells drawn
    with pytest.raises(ValueError):
        stats.fisher_exact(large, method=stats.MonteCarloMethod(n_resamples=1999, rng=np.random.default_rng(0)))
    statistic, p = fisher_monte_carlo(large, 0, draws=1999)
    assert 0 < statistic < 1 and p == 1 / 2000  # nothing as improbable among the random tables
    assert independence_test(large, 0)[0] == "fisher"
