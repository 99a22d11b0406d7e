"""Themes × respondent attributes: counts, percentages, a test of independence and adjusted
standardised residuals, so staff can write 「町会では○○が多い」 with confidence.

What is tested. The table shows every kept answer, but the test and the residuals use only the
answers that state the attribute: the （無回答） column (MISSING) is shown with its counts and
percentages and is never a category of the test, so it has no expected count, residual or finding.
When an attribute has more than MAX_LEVELS values the rarest are folded into その他（少数）
(OTHER); OTHER is a real group of respondents who stated a value, so it stays in the test and may
carry a finding. A theme with no answers in the tested columns (all its answers lack the
attribute) is shown but left out of the test. The table is None when the tested part is smaller
than 2 × 2.

The test is Pearson's chi-square (scipy.stats.chi2_contingency) unless expected counts are
small (any below 1, or more than 20 % below 5: Cochran's rule); then Fisher's exact test —
exact for 2×2, Monte Carlo over tables with the observed margins (Fisher–Freeman–Halton,
1,999 seeded draws) for larger tables.

When a cell is a finding. Only when the table's test gives p < ALPHA; then each tested cell with
an expected count of at least MIN_EXPECTED has the two-sided normal p-value of its adjusted
standardised residual z = (O − E) / √(E (1 − row/N)(1 − col/N)), p = 2 (1 − Φ(|z|)), and those
p-values are corrected with Holm's step-down method over the family of such cells (the tested
cells with E ≥ MIN_EXPECTED, counted per table). A cell is a finding when its Holm-adjusted
p-value is below ALPHA. Without the correction a table of 45 cells gives about two cells beyond
±1.96 by chance alone, and small cells (E ≈ 1–3) reach ±2 from one or two answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipeline.records import QuestionResult

MISSING = "（無回答）"
OTHER = "その他（少数）"
MAX_LEVELS = 12  # tested columns at most (OTHER included); MISSING comes on top
ALPHA = 0.05
# A cell with an expected count below 5 never makes a finding: the adjusted residual is
# only approximately normal, and the approximation fails for small expected counts (the same
# threshold as Cochran's rule for the chi-square test). With E below 5 a count of 0 already
# gives z ≈ −2, and two or three answers more than expected give z > +2, so such a "finding"
# would rest on a handful of answers. Those cells are also left out of the Holm family.
MIN_EXPECTED = 5.0
# Random tables of the Monte Carlo Fisher test: the fewest whose smallest p-value, 1 / 2,000, still
# reads 「p < 0.001」 (R's fisher.test draws 2,000 by default). Its standard error at p = 0.05 is
# 0.005. 9,999 draws took 0.1 s a table at a few thousand answers (1.0 s of the first 10,000
# Fukui answers' CPU, on the main process) and nearly all such tables come out at p < 0.01.
MONTE_CARLO = 1999
# How a cell becomes a finding, for the report (Japanese).
RULE_JA = ("数値は件数（列の割合）です。"
           "表全体の独立性の検定（カイ二乗検定、期待度数が小さい表は Fisher の正確確率検定）が 5% 水準で有意な表に限り、"
           f"期待度数が {MIN_EXPECTED:.0f} 以上のセルの調整済み残差を検定し、その表のそのようなセルの数について Holm 法で"
           "補正しても 5% 水準で有意なセルに色を付けています（多い＝青、少ない＝赤）。"
           f"{MISSING}の列は件数の表示のみで、検定には含めていません。")


@dataclass(frozen=True)
class CrossTab:
    attribute: str
    themes: tuple[str, ...]  # row labels, theme order
    values: tuple[str, ...]  # column labels; MISSING, when present, is last
    counts: np.ndarray  # (themes, values), every kept answer
    expected: np.ndarray  # expected counts of the tested part; NaN where not tested
    residuals: np.ndarray  # adjusted standardised residuals of the tested part; NaN where not tested
    test: str  # "chi2" or "fisher"
    statistic: float
    dof: int
    p_value: float  # of the test on the tested part
    tested: np.ndarray  # bool (themes, values): the cell is in the test of independence
    p_adjusted: np.ndarray  # Holm-adjusted p of each cell in the family; NaN outside it

    @property
    def n(self) -> int:
        """Answers shown (MISSING included)."""
        return int(self.counts.sum())

    @property
    def n_tested(self) -> int:
        """Answers in the test of independence (MISSING left out)."""
        return int(self.counts[self.tested].sum())

    def row_percent(self) -> np.ndarray:
        return 100 * self.counts / np.maximum(self.counts.sum(axis=1, keepdims=True), 1)

    def column_percent(self) -> np.ndarray:
        return 100 * self.counts / np.maximum(self.counts.sum(axis=0, keepdims=True), 1)

    def cell_flag(self, i: int, j: int) -> str:
        """"more" / "less" when cell (theme i, value j) is a finding, else "" (the report's colours
        and the CSV's `significant` column)."""
        if not self.p_value < ALPHA or not self.p_adjusted[i, j] < ALPHA:  # NaN outside the family
            return ""
        return "more" if self.residuals[i, j] > 0 else "less"

    def findings(self) -> list[str]:
        """Japanese sentences for the findings, strongest first (Holm-adjusted p, then |z|, then
        column and row order); each says how many answers it rests on."""
        cells = [(i, j) for i in range(len(self.themes)) for j in range(len(self.values)) if self.cell_flag(i, j)]
        cells.sort(key=lambda c: (self.p_adjusted[c], -abs(self.residuals[c]), c[1], c[0]))
        col_pct = self.column_percent()
        col_total = self.counts.sum(axis=0)
        out = []
        for i, j in cells:
            z = self.residuals[i, j]
            word = "多い" if z > 0 else "少ない"
            out.append(f"{self.attribute}が「{self.values[j]}」の回答（{int(col_total[j])}件）では"
                       f"「{self.themes[i]}」が{word}（{int(self.counts[i, j])}件、{col_pct[i, j]:.1f}%、"
                       f"調整済み残差 {z:+.2f}、補正後 p {_p_ja(self.p_adjusted[i, j])}）")
        return out

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and rows of the long-form CSV, one row per cell, as strings; expected,
        adjusted_residual and p_adjusted are empty where the cell is not tested / not in the
        Holm family."""
        header = ["theme", self.attribute, "count", "row_percent", "column_percent", "expected",
                  "adjusted_residual", "p_adjusted", "significant"]
        row_pct, col_pct = self.row_percent(), self.column_percent()
        out = []
        for i, theme in enumerate(self.themes):
            for j, value in enumerate(self.values):
                out.append([theme, value, str(int(self.counts[i, j])), f"{row_pct[i, j]:.1f}", f"{col_pct[i, j]:.1f}",
                            _num(self.expected[i, j], ".2f"), _num(self.residuals[i, j], ".2f"),
                            _num(self.p_adjusted[i, j], ".4g"), self.cell_flag(i, j)])
        return header, out


def _num(x: float, fmt: str) -> str:
    return "" if np.isnan(x) else format(x, fmt)


def _p_ja(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def adjusted_residuals(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(expected counts, adjusted standardised residuals) of a contingency table."""
    counts = np.asarray(counts, dtype=float)
    n = counts.sum()
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True)
    expected = rows @ cols / n
    variance = expected * (1 - rows / n) * (1 - cols / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        residuals = np.where(variance > 0, (counts - expected) / np.sqrt(variance), 0.0)
    return expected, residuals


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (same shape; NaN entries are not in the family and stay
    NaN): the k-th smallest of m gets max over l ≤ k of min(1, (m − l + 1) p_(l))."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    idx = np.flatnonzero(~np.isnan(flat))
    if idx.size == 0:
        return out
    order = idx[np.argsort(flat[idx], kind="stable")]
    m = order.size
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * flat[order]))
    out.ravel()[order] = adjusted
    return out


def independence_test(counts: np.ndarray, seed: int) -> tuple[str, float, int, float]:
    """(test name, statistic, degrees of freedom, p-value)."""
    counts = np.asarray(counts, dtype=np.int64)
    expected, _ = adjusted_residuals(counts)
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    small = expected.min() < 1 or (expected < 5).mean() > 0.2
    if not small:
        chi2, p, dof, _ = stats.chi2_contingency(counts)
        return "chi2", float(chi2), int(dof), float(p)
    if counts.shape == (2, 2):
        result = stats.fisher_exact(counts)
        return "fisher", float(result.statistic), dof, float(result.pvalue)
    statistic, p = fisher_monte_carlo(counts, seed)
    return "fisher", statistic, dof, p


def fisher_monte_carlo(counts: np.ndarray, seed: int, draws: int = MONTE_CARLO) -> tuple[float, float]:
    """Fisher–Freeman–Halton's test of an r × c table by Monte Carlo: (the probability of the table
    under independence given its margins, the share of `draws` random tables with those margins
    that are as probable or less, the table itself counted once). The same figures, from the same
    random tables, as scipy.stats.fisher_exact(counts, method=MonteCarloMethod(n_resamples=draws,
    rng=default_rng(seed))), which guesses whether it was given one table or a batch by comparing
    the number of cells with the number of answers: a table of more answers than the batch has
    cells (an 11 × 9 table of over 197,901 answers at 1,999 draws, a question of a million
    answers) was taken for one table and failed."""
    if min(counts.shape) < 2 or not counts.any():
        return 1.0, 1.0
    table = stats.random_table(counts.sum(axis=1), counts.sum(axis=0), seed=np.random.default_rng(seed))
    # Read as SciPy reads it (C order, floats): the sums of log-factorials in the same order.
    observed = float(table.pmf(np.ascontiguousarray(counts, dtype=np.float64)))
    null = table.pmf(table.rvs(size=draws))  # (draws, r, c) → draws probabilities
    tolerance = abs(np.finfo(np.float64).eps * 100 * observed)  # equal up to rounding counts as equal
    p = (np.count_nonzero(null <= observed + tolerance) + 1) / (draws + 1)
    return min(observed, 1.0), min(float(p), 1.0)


def theme_attributes(result: QuestionResult) -> Counter[tuple[int, tuple[tuple[str, str], ...]]]:
    """How many of a question's kept answers have each (theme, attributes) pair: what every
    attribute's table is counted from (a national survey has a million answers and a few
    hundred such pairs)."""
    return Counter((a.theme_id, a.answer.attrs) for a in result.assignments if a.theme_id >= 0)


def crosstab(result: QuestionResult, attribute: str, seed: int = 0,
             counted: Counter[tuple[int, tuple[tuple[str, str], ...]]] | None = None) -> CrossTab | None:
    """The theme × attribute table of a question's kept answers; None when it has under two
    themes or under two attribute values among the answers that state one (the tested part is
    smaller than 2 × 2). `counted`: `theme_attributes(result)`, when made already (for the
    question's other attributes)."""
    seen = theme_attributes(result) if counted is None else counted
    if not seen or len(result.themes) < 2:
        return None
    pairs: Counter[tuple[int, str]] = Counter()
    for (theme, attrs), times in seen.items():
        pairs[theme, dict(attrs).get(attribute, "").strip() or MISSING] += times
    freq: Counter[str] = Counter()
    for (_, value), times in pairs.items():
        freq[value] += times
    stated = sorted((v for v in freq if v != MISSING), key=lambda v: (-freq[v], v))
    if len(stated) > MAX_LEVELS:  # fold the rarest stated values into OTHER; MISSING is never folded
        stated = stated[:MAX_LEVELS - 1] + [OTHER]
    ordered = stated + ([MISSING] if MISSING in freq else [])
    col = {v: j for j, v in enumerate(ordered)}
    counts = np.zeros((len(result.themes), len(ordered)), dtype=np.int64)
    for (t, v), times in pairs.items():
        counts[t, col[v] if v in col else col[OTHER]] += times
    keep_rows = counts.sum(axis=1) > 0
    counts = counts[keep_rows]
    themes = tuple(t.label for t, k in zip(result.themes, keep_rows) if k)

    # The tested part: stated values only, themes with at least one answer there.
    test_cols = np.array([v != MISSING for v in ordered])
    test_rows = counts[:, test_cols].sum(axis=1) > 0
    if test_cols.sum() < 2 or test_rows.sum() < 2:
        return None
    tested = np.outer(test_rows, test_cols)
    part = counts[np.ix_(test_rows, test_cols)]
    expected = np.full(counts.shape, np.nan)
    residuals = np.full(counts.shape, np.nan)
    part_expected, part_residuals = adjusted_residuals(part)
    expected[tested] = part_expected.ravel()
    residuals[tested] = part_residuals.ravel()
    test, statistic, dof, p = independence_test(part, seed)

    family = tested & (np.nan_to_num(expected) >= MIN_EXPECTED)
    raw_p = np.where(family, 2 * stats.norm.sf(np.abs(np.nan_to_num(residuals))), np.nan)
    return CrossTab(attribute, themes, tuple(ordered), counts, expected, residuals, test, statistic, dof, p,
                    tested, holm(raw_p))
