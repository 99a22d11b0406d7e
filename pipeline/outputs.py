"""Writing a run's files: assignments.csv, themes.json, quotes.xlsx, images and report.html.

Everything is written into a temporary folder beside `--out` and moved into place only when
complete, so a failed run never leaves a half-written result (see CONTRACT.md).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.fonts import font_path
from pipeline.records import QuestionResult

ASSIGNMENT_COLUMNS = ["id", "question", "theme_id", "theme_label", "excluded_reason", "score", "text", "theme_ids"]


def slug(index: int) -> str:
    """File-system name of the index-th question (question names are free Japanese text)."""
    return f"q{index + 1:02d}"


def write_all(results: list[QuestionResult], config: Config, out: Path, input_name: str) -> None:
    from pipeline import render, report

    out = Path(out)
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    except OSError as e:
        raise UserError(f"出力先 {out} に書き込めません（{e.strerror}）。",
                        "--out に書き込み可能なフォルダを指定してください。") from None
    try:
        font = font_path(config.font_path)
        images: dict[str, str] = {}
        for i, result in enumerate(results):
            q = slug(i)
            if render.wordcloud(result.term_weights, tmp / "wordclouds" / q / "all.png", font=font, seed=config.seed):
                images[f"{q}/all"] = f"wordclouds/{q}/all.png"
            for theme in result.themes:
                rel = f"wordclouds/{q}/theme_{theme.theme_id:02d}.png"
                if render.wordcloud(theme.term_weights, tmp / rel, font=font, seed=config.seed,
                                    colour=render.theme_colour(theme.theme_id), width=560, height=320, max_words=60):
                    images[f"{q}/theme_{theme.theme_id:02d}"] = rel
            if render.bar_chart(result, tmp / "charts" / f"{q}_themes.png", font=font):
                images[f"{q}/chart"] = f"charts/{q}_themes.png"
        write_assignments(results, config, tmp / "assignments.csv")
        write_themes_json(results, config, images, tmp / "themes.json", input_name)
        write_quotes_xlsx(results, tmp / "quotes.xlsx")
        (tmp / "run_config.json").write_text(config.to_json(), encoding="utf-8")
        (tmp / "report.html").write_text(report.html(results, config, images, tmp, input_name, font), encoding="utf-8")
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace(tmp: Path, out: Path) -> None:
    """Move the finished folder into place; an earlier result is removed only after that."""
    old = None
    if out.exists():
        if not out.is_dir():
            raise UserError(f"出力先 {out} はフォルダではありません。", "--out にはフォルダを指定してください。")
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_assignments(results: list[QuestionResult], config: Config, path: Path) -> None:
    attr_names = list(config.attr_cols)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(ASSIGNMENT_COLUMNS + attr_names)
        for result in results:
            labels = {t.theme_id: t.label for t in result.themes}
            for a in result.assignments:
                kept = a.theme_id >= 0
                writer.writerow([
                    a.answer.id, result.question, a.theme_id, labels.get(a.theme_id, ""), a.excluded_reason,
                    f"{a.score:.4f}" if kept else "", a.masked, ";".join(str(t) for t in a.theme_ids),
                    *[value for _, value in a.answer.attrs],
                ])


def themes_document(results: list[QuestionResult], config: Config, images: dict[str, str], input_name: str) -> dict:
    questions = []
    for i, r in enumerate(results):
        q = slug(i)
        reasons: dict[str, int] = {}
        for a in r.assignments:
            if a.excluded_reason:
                reasons[a.excluded_reason] = reasons.get(a.excluded_reason, 0) + 1
        questions.append({
            "question": r.question,
            "title": r.title,
            "slug": q,
            "n_answers": r.n_answers,
            "n_excluded": r.n_excluded,
            "excluded_by_reason": dict(sorted(reasons.items())),
            "k": r.k_chosen,
            "k_auto": config.k is None,
            # --k auto: the number of themes each Louvain run found (k is their median).
            "k_auto_runs": [int(count) for _, count in r.k_scores],
            "wordcloud": images.get(f"{q}/all", ""),
            "chart": images.get(f"{q}/chart", ""),
            "themes": [{
                "theme_id": t.theme_id,
                "label": t.label,
                "keywords": list(t.keywords),
                "size": t.size,
                "share": t.share,
                "quotes": [{"id": qu.id, "text": qu.text, "score": qu.score} for qu in t.quotes],
                "wordcloud": images.get(f"{q}/theme_{t.theme_id:02d}", ""),
            } for t in r.themes],
        })
    return {"tool": "jiyu-themes", "version": __version__, "input": input_name, "seed": config.seed,
            "questions": questions}


def write_themes_json(results, config, images, path: Path, input_name: str) -> None:
    doc = themes_document(results, config, images, input_name)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:28] or "設問"
    base, n = name, 2
    while name in used:
        name = f"{base[:26]}_{n}"
        n += 1
    used.add(name)
    return name


def write_quotes_xlsx(results: list[QuestionResult], path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    book = openpyxl.Workbook()
    book.remove(book.active)
    used: set[str] = set()
    header = ["テーマID", "テーマ", "件数", "順位", "ID", "回答（抜粋候補）", "代表度", "採用", "ラベル修正", "備考"]
    for r in results:
        sheet = book.create_sheet(_sheet_name(r.question, used))
        sheet.append(["設問", r.question])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        for t in r.themes:
            for rank, q in enumerate(t.candidates, start=1):
                sheet.append([t.theme_id, t.label, t.size, rank, q.id, q.text, q.score, "", "", ""])
        for col, width in zip("ABCDEFGHIJ", (8, 24, 6, 6, 10, 70, 8, 6, 20, 20)):
            sheet.column_dimensions[col].width = width
        for row in sheet.iter_rows(min_row=3, min_col=6, max_col=6):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A3"
    book.save(path)
