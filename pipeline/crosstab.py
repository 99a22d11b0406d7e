"""Themes × respondent attributes: counts, percentages, a test of independence and adjusted
standardised residuals, so staff can write 「町会では○○が多い」 with confidence.

The test is Pearson's chi-square (scipy.stats.chi2_contingency) unless expected counts are
small (any below 1, or more than 20 % below 5: Cochran's rule); then Fisher's exact test —
exact for 2×2, Monte Carlo over tables with the observed margins (Fisher–Freeman–Halton,
9,999 seeded draws) for larger tables. Cells whose adjusted standardised residual
(O − E) / √(E (1 − row/N)(1 − col/N)) lies beyond ±1.96 differ from independence at the 5 % level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipeline.records import QuestionResult

MISSING = "（無回答）"
OTHER = "その他（少数）"
MAX_LEVELS = 12
SIGNIFICANT = 1.96
MONTE_CARLO = 9999
# How a cell becomes a finding, for the report (Japanese).
RULE_JA = ("件数（列の割合）。色付きのセルは調整済み残差が ±1.96 を超える（5% 水準で多い＝青・少ない＝赤）組み合わせです。")


@dataclass(frozen=True)
class CrossTab:
    attribute: str
    themes: tuple[str, ...]  # row labels, theme order
    values: tuple[str, ...]  # column labels
    counts: np.ndarray  # (themes, values)
    expected: np.ndarray
    residuals: np.ndarray  # adjusted standardised residuals
    test: str  # "chi2" or "fisher"
    statistic: float
    dof: int
    p_value: float

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def row_percent(self) -> np.ndarray:
        return 100 * self.counts / np.maximum(self.counts.sum(axis=1, keepdims=True), 1)

    def column_percent(self) -> np.ndarray:
        return 100 * self.counts / np.maximum(self.counts.sum(axis=0, keepdims=True), 1)

    def cell_flag(self, i: int, j: int) -> str:
        """"more" / "less" when cell (theme i, value j) is a finding, else "" (the report's colours
        and the CSV's `significant` column)."""
        z = self.residuals[i, j]
        return "more" if z > SIGNIFICANT else "less" if z < -SIGNIFICANT else ""

    def rows(self) -> tuple[list[str], list[list]]:
        """The header and the rows of the long-form CSV: one row per cell."""
        row_pct, col_pct = self.row_percent(), self.column_percent()
        header = ["theme", self.attribute, "count", "row_percent", "column_percent", "expected",
                  "adjusted_residual", "significant"]
        rows = [[theme, value, int(self.counts[i, j]), f"{row_pct[i, j]:.1f}", f"{col_pct[i, j]:.1f}",
                 f"{self.expected[i, j]:.2f}", f"{self.residuals[i, j]:.2f}", self.cell_flag(i, j)]
                for i, theme in enumerate(self.themes) for j, value in enumerate(self.values)]
        return header, rows

    def findings(self) -> list[str]:
        """Japanese sentences for the cells beyond ±1.96 (only when the table as a whole differs)."""
        if not self.p_value < 0.05:
            return []
        out = []
        col_pct = self.column_percent()
        for j, value in enumerate(self.values):
            for i, theme in enumerate(self.themes):
                z = self.residuals[i, j]
                if abs(z) > SIGNIFICANT:
                    word = "多い" if z > 0 else "少ない"
                    out.append(f"{self.attribute}が「{value}」の回答では「{theme}」が{word}"
                               f"（{int(self.counts[i, j])}件、{col_pct[i, j]:.1f}%、調整済み残差 {z:+.2f}）")
        return out


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
    else:
        method = stats.MonteCarloMethod(n_resamples=MONTE_CARLO, rng=np.random.default_rng(seed))
        result = stats.fisher_exact(counts, method=method)
    return "fisher", float(result.statistic), dof, float(result.pvalue)


def crosstab(result: QuestionResult, attribute: str, seed: int = 0) -> CrossTab | None:
    """The theme × attribute table of a question's kept answers; None when it has under two
    themes or under two attribute values."""
    pairs = []
    for a in result.assignments:
        if a.theme_id >= 0:
            value = dict(a.answer.attrs).get(attribute, "").strip() or MISSING
            pairs.append((a.theme_id, value))
    if not pairs or len(result.themes) < 2:
        return None
    freq: dict[str, int] = {}
    for _, value in pairs:
        freq[value] = freq.get(value, 0) + 1
    ordered = sorted(freq, key=lambda v: (v == MISSING, -freq[v], v))
    if len(ordered) > MAX_LEVELS:
        keep = set(ordered[:MAX_LEVELS - 1])
        pairs = [(t, v if v in keep else OTHER) for t, v in pairs]
        ordered = ordered[:MAX_LEVELS - 1] + [OTHER]
    if len(ordered) < 2:
        return None
    col = {v: j for j, v in enumerate(ordered)}
    counts = np.zeros((len(result.themes), len(ordered)), dtype=np.int64)
    for t, v in pairs:
        counts[t, col[v]] += 1
    keep_rows = counts.sum(axis=1) > 0
    counts = counts[keep_rows]
    themes = tuple(t.label for t, k in zip(result.themes, keep_rows) if k)
    expected, residuals = adjusted_residuals(counts)
    test, statistic, dof, p = independence_test(counts, seed)
    return CrossTab(attribute, themes, tuple(ordered), counts, expected, residuals, test, statistic, dof, p)
