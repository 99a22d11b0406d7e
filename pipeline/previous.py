"""The previous wave: each theme's share in an earlier run (`--previous DIR`, matched by question
and theme key) beside this run's, with a test of each change.

The test is the two-proportion z-test (pooled, two-sided) of the theme's count among the kept
answers now against then, and the p-values of a question's themes are corrected with Holm's
step-down method for the number of themes compared, as the cross-tabs correct for their cells.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UserError

ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    previous_share: float | None  # None: no theme with this key last time
    share: float
    previous_n: int  # kept answers of the question last time
    n: int  # kept answers now
    p_adjusted: float | None  # Holm-corrected p of the change; None when not compared

    @property
    def points(self) -> float | None:
        """The change in percentage points."""
        return None if self.previous_share is None else round(100 * (self.share - self.previous_share), 1)

    @property
    def verdict(self) -> str:
        """増加 / 減少 when the change is significant after correction, else ""."""
        if self.p_adjusted is None or not self.p_adjusted < ALPHA or self.points is None:
            return ""
        return "増加" if self.points > 0 else "減少"


def read(out: Path) -> dict[str, tuple[int, dict[str, float]]]:
    """question → (kept answers, {theme key: share}) from an earlier run's themes.json."""
    path = Path(out) / "themes.json"
    if not path.is_file():
        raise UserError(f"--previous に指定した {out} に前回の分析結果（themes.json）がありません。",
                        "前回 `themes` を実行したときの出力フォルダを指定してください。")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {q["question"]: (int(q["n_answers"]) - int(q["n_excluded"]),
                                {t["key"]: float(t["share"]) for t in q["themes"] if t.get("key")})
                for q in doc["questions"]}
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"前回の分析結果 {path} を読めません（{e}）。", "前回の出力フォルダを指定し直してください。") from None


def changes(themes, n: int, previous: tuple[int, dict[str, float]] | None) -> tuple[Change, ...]:
    """Each theme (`records.Theme`) now against the same key last time."""
    previous_n, shares = previous if previous is not None else (0, {})
    raw = [two_proportion_p(t.size, n, round(shares[t.key] * previous_n), previous_n)
           if t.key in shares and previous_n and n else None for t in themes]
    adjusted = holm([p for p in raw if p is not None])
    it = iter(adjusted)
    return tuple(Change(t.key, t.label, shares.get(t.key), t.share, previous_n, n, None if p is None else next(it))
                 for t, p in zip(themes, raw))


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z-test of x1/n1 against x2/n2."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return math.erfc(abs(z) / math.sqrt(2))


def holm(ps: list[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    out = [0.0] * len(ps)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        out[i] = running
    return out
