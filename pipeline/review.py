"""Staff's choices in quotes.xlsx — picked quotes (採用), renamed labels (ラベル修正), notes
(備考) — read back, checked, and applied to results: to the same run (`report --review`), or
carried over to a new run of `themes`, matching themes by their members, not their numbers.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import UserError
from pipeline.load import cell_text, open_workbook
from pipeline.records import QuestionResult, Quote
from pipeline.sheets import QUOTE_HEADER, uncell

# The 採用 column is read through NFKC, trimmed and case-folded (so ｙｅｓ, ＹＥＳ and １ are yes
# marks too). Only YES_MARKS pick a quote; NO_MARKS (and blank) are read as "not picked" without
# comment; anything else is not picked either, and listed in Review.warnings.
YES_MARKS = frozenset(["○", "〇", "◯", "●", "◎", "1", "y", "yes", "はい", "採用", "✓", "✔"])
NO_MARKS = frozenset(["", "×", "✕", "✖", "✗", "✘", "☓", "x", "n", "no", "いいえ", "不要", "不採用", "0",
                      "-", "‐", "−", "ー", "―", "なし", "無", "false"])
LABEL_MATCH = 0.5  # Jaccard overlap of members for a renamed label to follow a theme
MIN_QUOTES = 3


@dataclass(frozen=True)
class Pick:
    theme_id: int
    rank: int
    id: str
    text: str
    note: str
    where: str  # 「シート名」の N 行目, for messages


@dataclass
class Review:
    picks: dict[str, list[Pick]] = field(default_factory=dict)  # question → picks in sheet order
    labels: dict[tuple[str, int], str] = field(default_factory=dict)  # (question, theme_id) → new label
    notes: dict[tuple[str, str], str] = field(default_factory=dict)  # (question, answer id) → 備考
    warnings: list[str] = field(default_factory=list)  # Japanese lines for the screen (採用 marks not understood)

    def empty(self) -> bool:
        return not (self.picks or self.labels or self.notes)


def _text(value) -> str:
    """A cell's text as we wrote it (`uncell` first, on the cell exactly as stored), trimmed."""
    return uncell(cell_text(value)).strip()


def pick_mark(value: str) -> bool | None:
    """Whether a 採用 cell picks its quote: True for a yes mark, False for blank or an obvious
    no, None for anything else (not picked either, but worth telling staff about)."""
    key = unicodedata.normalize("NFKC", value).strip().casefold()
    if key in YES_MARKS:
        return True
    return False if key in NO_MARKS else None


def read(path: Path, questions: list[str]) -> Review:
    """Read a review file; structural problems (not a workbook, a question without its sheet,
    changed headings, non-numeric theme ids, two labels for one theme) raise one UserError
    listing every problem. A 採用 mark that is neither a yes nor an obvious no is not a problem:
    the quote is not picked and `Review.warnings` says so, for the command line to show."""
    if not path.is_file():
        raise UserError(f"確認用ファイルが見つかりません: {path}", "--review に quotes.xlsx のパスを指定してください。")
    book = open_workbook(path, "分析で書き出した quotes.xlsx を .xlsx 形式のまま保存してください。")
    problems: list[str] = []
    review = Review()
    seen: set[str] = set()
    try:
        for sheet in book.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            head = [_text(v) for v in (rows[0] if rows else ())]
            if len(head) < 2 or head[0] != "設問" or head[1] not in questions:
                problems.append(f"シート「{sheet.title}」の 1 行目が「設問｜設問名」ではないか、設問名が分析結果にありません。")
                continue
            question = head[1]
            seen.add(question)
            header = [_text(v) for v in rows[1]] if len(rows) > 1 else []
            if header[:len(QUOTE_HEADER)] != QUOTE_HEADER:
                problems.append(f"シート「{sheet.title}」の 2 行目（見出し）が変わっています。列の追加・削除・並べ替えはしないでください。")
                continue
            picks: list[Pick] = []
            for n, row in enumerate(rows[2:], start=3):
                cells = [_text(v) for v in row] + [""] * len(QUOTE_HEADER)
                theme, _, _, rank, rid, text, _, picked, label, note = cells[:10]
                if not any(cells[:10]):
                    continue
                where = f"シート「{sheet.title}」の {n} 行目"
                try:
                    theme_id, rank_no = int(theme), int(rank or 0)
                except ValueError:
                    problems.append(f"{where}: テーマID「{theme}」または順位「{rank}」が数字ではありません。")
                    continue
                if label:
                    old = review.labels.get((question, theme_id))
                    if old is not None and old != label:
                        problems.append(f"{where}: テーマ{theme_id}のラベル修正が「{old}」と「{label}」の 2 通りあります。")
                    review.labels[(question, theme_id)] = label
                if note and rid:
                    review.notes[(question, rid)] = note
                mark = pick_mark(picked)
                if mark is None:
                    review.warnings.append(f"{where}: 採用欄の「{picked}」は採用の印として読めないため、採用していません。")
                elif mark:
                    if not rid:
                        problems.append(f"{where}: 採用された行に ID がありません。")
                        continue
                    picks.append(Pick(theme_id, rank_no, rid, text, note, where))
            if picks:
                review.picks[question] = picks
    finally:
        book.close()
    for question in questions:
        if question not in seen:
            problems.append(f"設問「{question}」のシートがありません（シートを削除・改名していませんか）。")
    if problems:
        raise UserError(f"{path.name} に {len(problems)} 件の問題があります:\n" + "\n".join(f"- {p}" for p in problems),
                        "分析で書き出した quotes.xlsx の 採用・ラベル修正・備考 の列だけを編集してください。何も上書きしていません。")
    return review


def apply(results: list[QuestionResult], review: Review, path: Path, limit: int) -> list[QuestionResult]:
    """Apply a review to the run it was made from (`report --review`). Every pick must name an
    answer of that theme; every problem is listed (UserError)."""
    problems: list[str] = []
    out = []
    for r in results:
        answers = {a.answer.id: a for a in r.assignments}
        by_theme: dict[int, list[Pick]] = {}
        for p in review.picks.get(r.question, []):
            a = answers.get(p.id)
            if a is None:
                problems.append(f"{p.where}: ID「{p.id}」の回答は分析結果にありません（ID を書き換えていませんか）。")
            elif a.theme_id != p.theme_id:
                problems.append(f"{p.where}: ID「{p.id}」はテーマ{p.theme_id}の回答ではありません"
                                f"（{'除外された回答' if a.theme_id < 0 else f'テーマ{a.theme_id}'}）。")
            else:
                by_theme.setdefault(p.theme_id, []).append(p)
        ids = {t.theme_id for t in r.themes}
        problems += [f"設問「{r.question}」にテーマ{t}はありません（ラベル修正）。"
                     for (q, t) in review.labels if q == r.question and t not in ids]
        out.append(_with_choices(r, by_theme, {t: lab for (q, t), lab in review.labels.items() if q == r.question},
                                 review, problems, limit))
    if problems:
        raise UserError(f"{path.name} に {len(problems)} 件の問題があります:\n" + "\n".join(f"- {p}" for p in problems),
                        "ID・テーマID・順位の列は書き換えず、採用・ラベル修正・備考 の列だけを編集してください。何も上書きしていません。")
    return out


def carry_over(results: list[QuestionResult], review: Review, old: list[QuestionResult],
               limit: int) -> list[QuestionResult]:
    """Carry a review of an earlier run over to new results: a picked answer goes to the theme
    it now belongs to (if it still exists, unchanged, and is not excluded); a renamed label goes
    to the new theme whose answers overlap most with the old theme's (Jaccard ≥ 0.5). What does
    not fit is listed in `review_log`, never silently dropped."""
    old_by_q = {r.question: r for r in old}
    out = []
    for r in results:
        log: list[str] = []
        answers = {a.answer.id: a for a in r.assignments}
        prior = old_by_q.get(r.question)
        old_text = {a.answer.id: a.masked for a in prior.assignments} if prior else {}
        by_theme: dict[int, list[Pick]] = {}
        for p in review.picks.get(r.question, []):
            a = answers.get(p.id)
            if a is None:
                log.append(f"採用「{p.id}」を引き継げませんでした: この回答は今回の入力にありません。")
            elif a.theme_id < 0:
                log.append(f"採用「{p.id}」を引き継げませんでした: 今回は除外された回答です（{a.excluded_reason}）。")
            elif p.id in old_text and old_text[p.id] != a.masked:
                log.append(f"採用「{p.id}」を引き継げませんでした: 回答の文面が変わっています。")
            else:
                by_theme.setdefault(a.theme_id, []).append(p)
                if a.theme_id != p.theme_id:
                    log.append(f"採用「{p.id}」はテーマ番号が {p.theme_id} から {a.theme_id} に変わりました。")
        labels: dict[int, str] = {}
        if prior is not None:
            old_members = _members(prior)
            new_members = _members(r)
            for (q, old_id), label in sorted(review.labels.items()):
                if q != r.question:
                    continue
                members = old_members.get(old_id, set())
                best, overlap = None, 0.0
                for t, m in sorted(new_members.items()):
                    j = len(members & m) / max(len(members | m), 1)
                    if j > overlap:
                        best, overlap = t, j
                if best is not None and overlap >= LABEL_MATCH and best in labels:
                    log.append(f"ラベル「{label}」（前回のテーマ{old_id}）を引き継げませんでした: 回答の重なりが最も大きい"
                               f"テーマ{best}（{overlap:.0%}）には、すでにラベル「{labels[best]}」を引き継いでいます。")
                elif best is not None and overlap >= LABEL_MATCH:
                    labels[best] = label
                    if best != old_id:
                        log.append(f"ラベル「{label}」はテーマ{old_id}からテーマ{best}に引き継ぎました（回答の重なり {overlap:.0%}）。")
                else:
                    log.append(f"ラベル「{label}」（前回のテーマ{old_id}）を引き継げませんでした: 回答の重なりが十分なテーマがありません"
                               f"（最大 {overlap:.0%}）。")
        elif any(q == r.question for q, _ in review.labels):
            log.append("前回の分類結果（assignments.csv）がないため、ラベル修正を引き継げませんでした。")
        problems: list[str] = []
        result = _with_choices(r, by_theme, labels, review, problems, limit)
        out.append(dataclasses.replace(result, review_log=tuple(log + problems)))
    return out


def _members(r: QuestionResult) -> dict[int, set[str]]:
    members: dict[int, set[str]] = {}
    for a in r.assignments:
        if a.theme_id >= 0:
            members.setdefault(a.theme_id, set()).add(a.answer.id)
    return members


def _with_choices(r: QuestionResult, picks: dict[int, list[Pick]], labels: dict[int, str], review: Review,
                  problems: list[str], limit: int) -> QuestionResult:
    """The themes with staff's labels (the analysis' label where none) and quotes: the picks in
    sheet order, filled up to MIN_QUOTES with the best unpicked candidates; without picks, the
    analysis' own first `limit` candidates."""
    themes = []
    final_labels = {t.theme_id: labels.get(t.theme_id, t.auto_label or t.label) for t in r.themes}
    duplicates = {lab for lab in final_labels.values() if list(final_labels.values()).count(lab) > 1}
    for lab in sorted(duplicates):
        problems.append(f"設問「{r.question}」でラベル「{lab}」が複数のテーマに付いています。テーマごとに別の名前にしてください。")
    answers = {a.answer.id: a for a in r.assignments}
    for t in r.themes:
        chosen = sorted(picks.get(t.theme_id, []), key=lambda p: (p.rank, p.id))
        candidates = {q.id: q for q in t.candidates}
        picked = []
        for p in chosen:
            base = candidates.get(p.id) or Quote(id=p.id, text=answers[p.id].masked, score=answers[p.id].score)
            picked.append(dataclasses.replace(base, picked=True, note=p.note or base.note))
        picked_ids = {q.id for q in picked}
        notes = {i: n for (q, i), n in review.notes.items() if q == r.question}
        cands = [dataclasses.replace(q, picked=q.id in picked_ids, note=notes.get(q.id, "")) for q in t.candidates]
        cands += [q for q in picked if q.id not in candidates]
        rest = [q for q in cands if not q.picked]
        quotes = picked + rest[:max(0, MIN_QUOTES - len(picked))] if picked else rest[:limit]
        label = final_labels[t.theme_id]
        original = t.auto_label or t.label
        themes.append(dataclasses.replace(t, label=label, auto_label=original if label != original else "",
                                          quotes=tuple(quotes), candidates=tuple(cands)))
    return dataclasses.replace(r, themes=tuple(themes))
