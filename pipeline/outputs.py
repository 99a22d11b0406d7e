"""Writing a run's files — assignments.csv, themes.json, quotes.xlsx, images, report.html —
and reading them back (for `report --review`, which rebuilds without clustering again).

Everything is written into a temporary folder beside `--out` and moved into place only when
complete, so a failed run never leaves a half-written result (see CONTRACT.md).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from pipeline import __version__, network
from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.fonts import font_path
from pipeline.records import Answer, Assignment, QuestionResult, Quote, Theme, slug
from pipeline.sheets import row_cells, uncell, write_quotes_xlsx

ASSIGNMENT_COLUMNS = ["id", "question", "theme_id", "theme_label", "excluded_reason", "score", "text", "theme_ids"]
def write_all(results: list[QuestionResult], config: Config, out: Path, input_name: str,
              reuse_images: Path | None = None) -> None:
    """Write every output into `out`. With `reuse_images` (an earlier output folder) the word
    clouds are copied from there instead of drawn again (they do not depend on labels)."""
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
        raise write_error(out, e) from None
    try:
        font = font_path(config.font_path)
        images: dict[str, str] = {}
        tables: dict[str, list] = {}
        clouds: list = []
        for i, result in enumerate(results):
            q = slug(i)
            colours = {w: render.theme_colour(t) for w, t in result.word_themes}
            wanted = [(f"{q}/all", f"wordclouds/{q}/all.png", result.term_weights, dict(colour=colours))]
            wanted += [(f"{q}/theme_{t.theme_id:02d}", f"wordclouds/{q}/theme_{t.theme_id:02d}.png", t.term_weights,
                        dict(colour=render.theme_colour(t.theme_id), width=560, height=320, max_words=60))
                       for t in result.themes]
            for key, rel, weights, style in wanted:
                if reuse_images is not None:
                    if _copy(reuse_images, tmp, rel, rel.replace(".png", ".svg")):
                        images[key] = rel
                elif weights:
                    clouds.append((key, rel, weights, style))
                    images[key] = rel
            rel = f"networks/{q}.png"
            if result.network is not None:
                network.draw(result.network, tmp / rel, font=font, seed=config.seed, palette=render.PALETTE)
                write_network_csv(result.network, tmp / f"networks/{q}_edges.csv")
                images[f"{q}/network"] = rel
            elif reuse_images is not None and _copy(reuse_images, tmp, rel, f"networks/{q}_edges.csv"):
                images[f"{q}/network"] = rel
            if render.bar_chart(result, tmp / "charts" / f"{q}_themes.png", font=font):
                images[f"{q}/chart"] = f"charts/{q}_themes.png"
            tables[result.question] = write_crosstabs(result, config, tmp, q)
        render.wordclouds([(weights, tmp / rel, style) for _, rel, weights, style in clouds], font=font,
                          seed=config.seed, workers=config.workers)
        write_assignments(results, config, tmp / "assignments.csv")
        write_themes_json(results, config, images, tmp / "themes.json", input_name, tables)
        write_kwic(results, tmp / "kwic.json")
        write_quotes_xlsx(results, tmp / "quotes.xlsx")
        (tmp / "run_config.json").write_text(config.to_json(), encoding="utf-8")
        (tmp / "report.html").write_text(report.html(results, config, images, tmp, input_name, font, tables),
                                         encoding="utf-8")
        _replace(tmp, out)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_error(out, e) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_error(out: Path, e: OSError) -> UserError:
    """A write failure as a message staff can act on; the earlier result is left as it was."""
    import errno

    why = {errno.ENOSPC: "ディスクの空き容量が足りません", errno.EDQUOT: "ディスクの使用量の上限に達しました",
           errno.EACCES: "書き込む権限がありません", errno.EPERM: "書き込む権限がありません",
           errno.EROFS: "読み取り専用の場所です", errno.ENOTDIR: "途中のパスがフォルダではありません"}.get(
        e.errno, e.strerror or type(e).__name__)
    return UserError(f"出力先 {out} に書き込めませんでした（{why}）。前回の結果はそのまま残っています。",
                     "空き容量や権限を確認するか、--out に別のフォルダを指定してください。")


def _copy(source: Path, target: Path, *relatives: str) -> bool:
    """Copy files of an earlier output folder; True when the first one existed."""
    found = False
    for n, rel in enumerate(relatives):
        if (source / rel).is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, target / rel)
            found = found or n == 0
    return found


def write_network_csv(net, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["word_a", "word_b", "jaccard", "community_a", "community_b"])
        for a, b, j in net.edges:
            writer.writerow(row_cells([net.words[a], net.words[b], f"{j:.4f}", net.community[a], net.community[b]]))


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ch.isspace() else ch for ch in name)[:40] or "attr"


def write_crosstabs(result: QuestionResult, config: Config, out: Path, q: str) -> list:
    """Theme × attribute tables as CSV (long form: one row per cell); the tables, for the report."""
    from pipeline.crosstab import crosstab

    tables = []
    for attr in config.attr_cols:
        table = crosstab(result, attr, config.seed)
        if table is None:
            continue
        rel = f"crosstabs/{q}_{_safe(attr)}.csv"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        row_pct, col_pct = table.row_percent(), table.column_percent()
        with (out / rel).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(row_cells(["theme", attr, "count", "row_percent", "column_percent", "expected",
                                  "adjusted_residual", "significant"]))
            for i, theme in enumerate(table.themes):
                for j, value in enumerate(table.values):
                    writer.writerow(row_cells([theme, value, int(table.counts[i, j]), f"{row_pct[i, j]:.1f}",
                                               f"{col_pct[i, j]:.1f}", f"{table.expected[i, j]:.2f}",
                                               f"{table.residuals[i, j]:.2f}", table.cell_flag(i, j)]))
        tables.append((table, rel))
    return tables


def write_kwic(results: list[QuestionResult], path: Path) -> None:
    doc = {r.question: {k: [[l.id, l.left, l.key, l.right] for l in lines] for k, lines in r.kwic}
           for r in results}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


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
        writer.writerow(row_cells(ASSIGNMENT_COLUMNS + attr_names))
        for result in results:
            labels = {t.theme_id: t.label for t in result.themes}
            for a in result.assignments:
                kept = a.theme_id >= 0
                writer.writerow(row_cells([
                    a.answer.id, result.question, a.theme_id, labels.get(a.theme_id, ""), a.excluded_reason,
                    f"{a.score:.4f}" if kept else "", a.masked, ";".join(str(t) for t in a.theme_ids),
                    *[value for _, value in a.answer.attrs],
                ]))


def overview(result: QuestionResult) -> str:
    """The question's themes in order of size with their shares, in one Japanese sentence."""
    return "、".join(f"「{t.label}」{t.size}件（{t.share * 100:.1f}%）" for t in result.themes)


def _quote(q: Quote) -> dict:
    doc = {"id": q.id, "text": q.text, "score": q.score}
    if q.excerpt:
        doc["excerpt"] = True
    if q.picked:
        doc["picked"] = True
    if q.note:
        doc["note"] = q.note
    return doc


def themes_document(results: list[QuestionResult], config: Config, images: dict[str, str], input_name: str,
                    tables: dict[str, list] | None = None) -> dict:
    questions = []
    for i, r in enumerate(results):
        q = slug(i)
        reasons: dict[str, int] = {}
        for a in r.assignments:
            if a.excluded_reason:
                reasons[a.excluded_reason] = reasons.get(a.excluded_reason, 0) + 1
        doc = {
            "question": r.question,
            "title": r.title,
            "slug": q,
            "n_answers": r.n_answers,
            "n_excluded": r.n_excluded,
            "excluded_by_reason": dict(sorted(reasons.items())),
            "k": r.k_chosen,
            "k_auto": config.k is None,
            # --k auto: the number of themes each Louvain run found (k is their median).
            "k_auto_runs": [int(count) for count in r.k_runs],
            "overview": overview(r),
            "wordcloud": images.get(f"{q}/all", ""),
            "chart": images.get(f"{q}/chart", ""),
            "themes": [{
                "theme_id": t.theme_id,
                "label": t.label,
                **({"auto_label": t.auto_label} if t.auto_label else {}),
                "keywords": list(t.keywords),
                "size": t.size,
                "share": t.share,
                "summary": list(t.summary),
                "quotes": [_quote(qu) for qu in t.quotes],
                "candidates": [_quote(qu) for qu in t.candidates],
                "wordcloud": images.get(f"{q}/theme_{t.theme_id:02d}", ""),
            } for t in r.themes],
        }
        doc["network"] = images.get(f"{q}/network", "")
        doc["crosstabs"] = [{
            "attribute": t.attribute, "test": t.test, "statistic": float(f"{t.statistic:.6g}"), "dof": t.dof,
            "p_value": round(t.p_value, 6), "n": t.n, "csv": rel, "findings": t.findings(),
        } for t, rel in (tables or {}).get(r.question, [])]
        if r.review_log:
            doc["review_log"] = list(r.review_log)
        questions.append(doc)
    return {"tool": "jiyu-themes", "version": __version__, "input": input_name, "seed": config.seed,
            "questions": questions}


def write_themes_json(results, config, images, path: Path, input_name: str, tables=None) -> None:
    doc = themes_document(results, config, images, input_name, tables)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_results(out: Path, attr_cols: tuple[str, ...] = ()) -> tuple[list[QuestionResult], dict]:
    """The results of an earlier run from its output folder (themes.json, assignments.csv with
    the `attr_cols` columns, kwic.json)."""
    themes_path, assign_path = out / "themes.json", out / "assignments.csv"
    for path in (themes_path, assign_path):
        if not path.is_file():
            raise UserError(f"{out} に前回の分析結果（{path.name}）がありません。",
                            "先に `python -m pipeline themes … --out` で分析してから実行してください。")
    try:
        doc = json.loads(themes_path.read_text(encoding="utf-8"))
        with assign_path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (ValueError, UnicodeDecodeError, csv.Error) as e:
        raise UserError(f"{out} の分析結果を読めません（{e}）。", "分析をやり直してください。") from None
    by_question: dict[str, list[Assignment]] = {}
    for n, row in enumerate(rows, start=1):
        theme_ids = tuple(int(t) for t in row.get("theme_ids", "").split(";") if t)
        row = {key: uncell(value or "") for key, value in row.items()}
        attrs = tuple((a, row.get(a, "")) for a in attr_cols)
        by_question.setdefault(row["question"], []).append(Assignment(
            answer=Answer(id=row["id"], question=row["question"], row=n, raw="", attrs=attrs), masked=row["text"],
            theme_id=int(row["theme_id"]), excluded_reason=row["excluded_reason"],
            score=float(row["score"] or 0), theme_ids=theme_ids))

    def quote(d: dict) -> Quote:
        return Quote(id=str(d["id"]), text=d["text"], score=float(d.get("score", 0)), excerpt=bool(d.get("excerpt")),
                     picked=bool(d.get("picked")), note=d.get("note", ""))

    from pipeline.kwic import Line

    kwic_path = out / "kwic.json"
    kwic_doc = json.loads(kwic_path.read_text(encoding="utf-8")) if kwic_path.is_file() else {}
    results = []
    for q in doc["questions"]:
        kwic = tuple((k, tuple(Line(i, q["question"], left, key, right) for i, left, key, right in lines))
                     for k, lines in kwic_doc.get(q["question"], {}).items())
        themes = tuple(Theme(
            theme_id=t["theme_id"], label=t["label"], keywords=tuple(t["keywords"]), size=t["size"],
            share=t["share"], quotes=tuple(quote(x) for x in t["quotes"]),
            candidates=tuple(quote(x) for x in t.get("candidates", t["quotes"])),
            summary=tuple(t.get("summary", ())), auto_label=t.get("auto_label", "")) for t in q["themes"])
        results.append(QuestionResult(
            question=q["question"], title=q.get("title", q["question"]), n_answers=q["n_answers"],
            n_excluded=q["n_excluded"], k_chosen=q.get("k", len(themes)), themes=themes,
            assignments=tuple(by_question.get(q["question"], ())),
            k_runs=tuple(q.get("k_auto_runs", [])),
            review_log=tuple(q.get("review_log", ())), kwic=kwic))
    return results, doc
