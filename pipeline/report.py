"""report.html: the self-contained Japanese report (images embedded, no network when opened)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from pipeline.config import Config
from pipeline.outputs import slug
from pipeline.records import QuestionResult
from pipeline.render import theme_colour

REASONS = {"empty": "空欄・記号のみ", "non_answer": "特になし・無回答など"}

CSS = """
:root { --ink: #222; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font-family: "ReportGothic", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "IPAexGothic", "Noto Sans CJK JP", sans-serif;
       color: var(--ink); line-height: 1.7; max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.5em; border-bottom: 3px solid #0072B2; padding-bottom: .3em; }
h2 { font-size: 1.25em; background: #eef4fa; border-left: 6px solid #0072B2; padding: .3em .6em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 0 0 .3em; }
.meta, .muted { color: var(--muted); font-size: .9em; }
nav ol { padding-left: 1.4em; }
.overview { border: 1px solid #0072B2; border-radius: 6px; padding: .6em 1em; margin: 1em 0; }
.overview ol { margin: .3em 0; padding-left: 1.4em; }
.theme { border: 1px solid var(--line); border-left: 8px solid var(--c); border-radius: 4px; padding: .8em 1em;
         margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
.chip { display: inline-block; width: .9em; height: .9em; border-radius: 2px; background: var(--c);
        vertical-align: middle; margin-right: .3em; }
.kw span { display: inline-block; background: #f3f3f3; border-radius: 3px; padding: 0 .4em; margin: 0 .3em .2em 0; font-size: .9em; }
blockquote { margin: .4em 0; padding: .2em .8em; border-left: 3px solid var(--line); background: #fafafa; white-space: pre-wrap; }
.quote-id { color: var(--muted); font-size: .8em; margin-left: .5em; }
.picked { display: inline-block; font-size: .75em; background: #0072B2; color: #fff; border-radius: 3px;
          padding: 0 .4em; margin-right: .5em; }
.summary { margin: .2em 0 .6em; padding-left: .6em; border-left: 3px solid var(--c); }
.review { border-color: #E69F00; }
img { max-width: 100%; height: auto; }
.figs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.figs figure { margin: 0; flex: 1 1 420px; }
figcaption { font-size: .85em; color: var(--muted); }
table { border-collapse: collapse; font-size: .9em; }
td, th { border: 1px solid var(--line); padding: .2em .6em; text-align: right; }
th { background: #f3f3f3; }
td:first-child, th:first-child { text-align: left; }
@page { size: A4; margin: 15mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { page-break-after: always; }
  section.question { page-break-before: always; }
  h2 { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .theme, .chip { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _img(out: Path, rel: str | None, alt: str) -> str:
    if not rel:
        return ""
    data = base64.b64encode((out / rel).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def font_face(font: Path, text: str) -> str:
    """An @font-face rule embedding the Japanese font, cut down to the characters of `text`, so the
    report shows Japanese on any machine (even one without Japanese fonts) and prints the same."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    ttf = TTFont(str(font), recalcTimestamp=False)  # no timestamp: same input, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(ttf)
    buffer = io.BytesIO()
    ttf.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "ReportGothic"; src: url(data:font/woff;base64,{data}) format("woff"); }}'


def html(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path, input_name: str,
         font: Path | None = None) -> str:
    body = _body(results, config, images, out, input_name)
    face = font_face(font, body + config.title) if font is not None else ""
    head = ("<!DOCTYPE html>\n"
            '<html lang="ja"><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(config.title)}</title><style>{face}{CSS}</style></head><body>\n")
    return head + body + "</body></html>\n"


def _body(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path, input_name: str) -> str:
    parts = [
        f"<h1>{escape(config.title)}</h1>",
        f'<p class="meta">入力: {escape(input_name)}　／　設問数: {len(results)}　／　'
        f'テーマ数: {"自動" if config.k is None else config.k}　／　乱数シード: {config.seed}</p>',
        "<nav><h2>目次</h2><ol>",
    ]
    for i, r in enumerate(results):
        parts.append(f'<li><a href="#{slug(i)}">{escape(r.title)}</a>（回答 {r.n_answers - r.n_excluded} 件、'
                     f"テーマ {len(r.themes)}）</li>")
    parts.append("</ol></nav>")
    for i, r in enumerate(results):
        parts.append(_question(i, r, images, out))
    parts.append('<p class="meta">この報告書は自由記述テーマ分析（jiyu-themes）で自動作成しました。'
                 "テーマ名と抜粋は分析結果の候補です。報告書に使う前に内容を確認してください。"
                 "個人情報（氏名・電話番号・メールアドレス・住所）は〔氏名〕などに置き換えています。</p>")
    return "\n".join(parts) + "\n"


def _question(i: int, r: QuestionResult, images: dict[str, str], out: Path) -> str:
    q = slug(i)
    kept = r.n_answers - r.n_excluded
    reasons: dict[str, int] = {}
    for a in r.assignments:
        if a.excluded_reason:
            reasons[a.excluded_reason] = reasons.get(a.excluded_reason, 0) + 1
    excluded = "、".join(f"{REASONS.get(k, k)} {v} 件" for k, v in sorted(reasons.items()))
    parts = [f'<section class="question" id="{q}">', f"<h2>{escape(r.title)}</h2>"]
    if r.title != r.question:
        parts.append(f'<p class="muted">設問（列名）: {escape(r.question)}</p>')
    parts.append(f"<p>回答欄 {r.n_answers} 件のうち、分析対象は {kept} 件です"
                 + (f"（除外: {escape(excluded)}）。" if excluded else "。") + "</p>")
    if not r.themes:
        parts.append("<p>分析できる回答がありませんでした。</p></section>")
        return "\n".join(parts)
    parts.append('<div class="overview"><strong>主な意見（多い順）</strong><ol>')
    for t in r.themes:
        parts.append(f'<li style="--c:{theme_colour(t.theme_id)}"><span class="chip"></span>'
                     f"{escape(t.label)}　{t.size} 件（{_pct(t.share)}）</li>")
    parts.append("</ol></div>")
    if r.review_log:
        parts.append('<div class="overview review"><strong>前回の採用・ラベル修正の引き継ぎ</strong><ul>')
        parts.extend(f"<li>{escape(line)}</li>" for line in r.review_log)
        parts.append("</ul></div>")
    parts.append('<div class="figs">')
    if f"{q}/chart" in images:
        parts.append(f"<figure>{_img(out, images[f'{q}/chart'], r.title + ' テーマ別の回答数')}"
                     "<figcaption>テーマ別の回答数と割合</figcaption></figure>")
    if f"{q}/all" in images:
        parts.append(f"<figure>{_img(out, images[f'{q}/all'], r.title + ' ワードクラウド')}"
                     "<figcaption>設問全体のワードクラウド（よく使われた語ほど大きく表示）</figcaption></figure>")
    parts.append("</div>")
    for t in r.themes:
        colour = theme_colour(t.theme_id)
        parts.append(f'<div class="theme" style="--c:{colour}">')
        parts.append(f'<h3><span class="chip"></span>テーマ{t.theme_id + 1}：{escape(t.label)}</h3>')
        parts.append(f'<p class="muted">{t.size} 件（分析対象の {_pct(t.share)}）'
                     + (f"　／　分析時のラベル: {escape(t.auto_label)}" if t.auto_label else "") + "</p>")
        if t.summary:
            parts.append('<p class="summary">' + "".join(f"{escape(s)}" for s in t.summary) + "</p>")
        if t.keywords:
            parts.append('<p class="kw">キーワード: ' + "".join(f"<span>{escape(k)}</span>" for k in t.keywords) + "</p>")
        parts.append('<div class="figs"><div style="flex:1 1 480px">')
        parts.append("<p><strong>代表的な意見（抜粋）</strong></p>")
        for qu in t.quotes:
            mark = '<span class="picked">採用</span>' if qu.picked else ""
            parts.append(f'<blockquote>{mark}{escape(qu.text)}<span class="quote-id">（ID: {escape(qu.id)}）</span></blockquote>')
        parts.append("</div>")
        rel = images.get(f"{q}/theme_{t.theme_id:02d}")
        if rel:
            parts.append(f'<figure style="flex:0 1 360px">{_img(out, rel, t.label + " ワードクラウド")}</figure>')
        parts.append("</div></div>")
    parts.append("</section>")
    return "\n".join(parts)
