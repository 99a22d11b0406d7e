"""report.html: the self-contained Japanese report (images embedded, no network when opened)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from pipeline.config import Config
from pipeline.crosstab import RULE_JA
from pipeline.fonts import font_face
from pipeline.records import QuestionResult, slug
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
h3.part { margin-top: 1.6em; border-bottom: 1px solid var(--line); }
.kw a { color: inherit; }
.crosstab { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
.crosstab h4 { margin: .3em 0; }
td.hi { background: #cfe3f5; font-weight: bold; }
td.lo { background: #f8d3cf; }
td small { color: var(--muted); margin-left: .2em; }
table.kwic td { border: none; padding: 0 .3em; font-size: .85em; text-align: left; white-space: nowrap; }
table.kwic td.left { text-align: right; }
table.kwic td.key { font-weight: bold; color: #0072B2; }
table.kwic td.kid { color: var(--muted); }
details { margin: .2em 0; }
@media print { details { display: none; } td.hi, td.lo { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
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


def html(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path, input_name: str,
         font: Path | None = None, tables: dict[str, list] | None = None, notices: tuple[str, ...] = ()) -> str:
    """`notices`: Japanese lines the reader must see first (e.g. what the analysis ran without)."""
    body = _body(results, config, images, out, input_name, tables or {}, notices)
    face = font_face(font, body + config.title, "ReportGothic") if font is not None else ""
    head = ("<!DOCTYPE html>\n"
            '<html lang="ja"><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(config.title)}</title><style>{face}{CSS}</style></head><body>\n")
    return head + body + "</body></html>\n"


def _body(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path, input_name: str,
          tables: dict[str, list], notices: tuple[str, ...] = ()) -> str:
    parts = [
        f"<h1>{escape(config.title)}</h1>",
        f'<p class="meta">入力: {escape(input_name)}　／　設問数: {len(results)}　／　'
        f'テーマ数: {"自動" if config.k is None else config.k}　／　乱数シード: {config.seed}</p>',
    ]
    if notices:
        parts.append('<div class="overview review"><ul>' + "".join(f"<li>{escape(n)}</li>" for n in notices)
                     + "</ul></div>")
    parts.append("<nav><h2>目次</h2><ol>")
    for i, r in enumerate(results):
        q = slug(i)
        subs = [f'<a href="#{q}-themes">テーマ</a>']
        if tables.get(r.question):
            subs.append(f'<a href="#{q}-crosstabs">属性別クロス集計</a>')
        if f"{q}/network" in images:
            subs.append(f'<a href="#{q}-network">共起ネットワーク</a>')
        if r.kwic:
            subs.append(f'<a href="#{q}-kwic">キーワードの前後（KWIC）</a>')
        parts.append(f'<li><a href="#{q}">{escape(r.title)}</a>（回答 {r.n_answers - r.n_excluded} 件、'
                     f"テーマ {len(r.themes)}）<br><span class=\"muted\">{'　'.join(subs)}</span></li>")
    parts.append("</ol></nav>")
    for i, r in enumerate(results):
        parts.append(_question(i, r, images, out, tables.get(r.question, [])))
    parts.append('<p class="meta">この報告書は自由記述テーマ分析（jiyu-themes）で自動作成しました。'
                 "テーマ名と抜粋は分析結果の候補です。報告書に使う前に内容を確認してください。"
                 "個人情報（氏名・電話番号・メールアドレス・住所）は〔氏名〕などに置き換えています。</p>")
    return "\n".join(parts) + "\n"


def _kwic_id(q: str, n: int) -> str:
    return f"{q}-kwic-{n:02d}"


def _question(i: int, r: QuestionResult, images: dict[str, str], out: Path, tables: list) -> str:
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
                     "<figcaption>設問全体のワードクラウド（よく使われた語ほど大きく、色はその語が特徴的なテーマの色）"
                     "</figcaption></figure>")
    parts.append("</div>")
    kwic_anchor = {k: _kwic_id(q, n) for n, (k, lines) in enumerate(r.kwic) if lines}
    parts.append(f'<h3 id="{q}-themes" class="part">テーマ</h3>')
    for t in r.themes:
        parts.append(_theme(q, t, images, out, kwic_anchor))
    if tables:
        parts.append(f'<h3 id="{q}-crosstabs" class="part">属性別クロス集計</h3>')
        parts.append(f'<p class="muted">{escape(RULE_JA)}</p>')
        for table, rel in tables:
            parts.append(_crosstab(table, rel))
    if f"{q}/network" in images:
        parts.append(f'<h3 id="{q}-network" class="part">共起ネットワーク</h3>')
        parts.append(f"<figure>{_img(out, images[f'{q}/network'], r.title + ' 共起ネットワーク')}"
                     "<figcaption>同じ回答によく一緒に出てくる語を線で結んだ図（Jaccard 係数の上位、円の大きさは出現数、"
                     "色はまとまり）</figcaption></figure>")
    if kwic_anchor:
        parts.append(f'<h3 id="{q}-kwic" class="part">キーワードの前後（KWIC）</h3>')
        for k, lines in r.kwic:
            if not lines:
                continue
            parts.append(f'<details id="{kwic_anchor[k]}"><summary>{escape(k)}（{len(lines)} 件'
                         + ("以上" if len(lines) >= 40 else "") + '）</summary><table class="kwic">')
            for line in lines:
                parts.append(f'<tr><td class="kid">{escape(line.id)}</td><td class="left">{escape(line.left.strip())}</td>'
                             f'<td class="key">{escape(line.key)}</td><td>{escape(line.right)}</td></tr>')
            parts.append("</table></details>")
    parts.append("</section>")
    return "\n".join(parts)


def _theme(q: str, t, images: dict[str, str], out: Path, kwic_anchor: dict[str, str]) -> str:
    colour = theme_colour(t.theme_id)
    parts = [f'<div class="theme" style="--c:{colour}">',
             f'<h3><span class="chip"></span>テーマ{t.theme_id + 1}：{escape(t.label)}</h3>',
             f'<p class="muted">{t.size} 件（分析対象の {_pct(t.share)}）'
             + (f"　／　分析時のラベル: {escape(t.auto_label)}" if t.auto_label else "") + "</p>"]
    if t.summary:
        parts.append('<p class="summary">' + "<br>".join(escape(s) for s in t.summary) + "</p>")
    if t.keywords:
        words = [f'<a href="#{kwic_anchor[k]}">{escape(k)}</a>' if k in kwic_anchor else escape(k) for k in t.keywords]
        parts.append('<p class="kw">キーワード: ' + "".join(f"<span>{w}</span>" for w in words) + "</p>")
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
    return "\n".join(parts)


def _crosstab(table, rel: str) -> str:
    col_pct = table.column_percent()
    test = ("カイ二乗検定" if table.test == "chi2" else "Fisher の正確確率検定（期待度数が小さいため）")
    stat = f"χ² = {table.statistic:.2f}、自由度 {table.dof}、" if table.test == "chi2" else ""
    verdict = "テーマの分布は属性によって異なります（5% 水準）。" if table.p_value < 0.05 else \
        "属性によるテーマの分布の違いは統計的にははっきりしません。"
    parts = [f'<div class="crosstab"><h4>テーマ × {escape(table.attribute)}（{table.n} 件）</h4>',
             "<table><tr><th>テーマ</th>" + "".join(f"<th>{escape(v)}</th>" for v in table.values) + "<th>計</th></tr>"]
    for i, theme in enumerate(table.themes):
        cells = []
        for j in range(len(table.values)):
            z = table.residuals[i, j]
            flag = table.cell_flag(i, j)
            cls = ' class="hi"' if flag == "more" else ' class="lo"' if flag == "less" else ""
            cells.append(f'<td{cls} title="調整済み残差 {z:+.2f}">{int(table.counts[i, j])}'
                         f'<small>（{col_pct[i, j]:.0f}%）</small></td>')
        parts.append(f"<tr><td>{escape(theme)}</td>{''.join(cells)}<td>{int(table.counts[i].sum())}</td></tr>")
    totals = table.counts.sum(axis=0)
    parts.append("<tr><th>計</th>" + "".join(f"<th>{int(c)}</th>" for c in totals) + f"<th>{table.n}</th></tr></table>")
    parts.append(f'<p class="muted">{test}: {stat}p = {table.p_value:.4f}。{verdict}（CSV: {escape(rel)}）</p>')
    findings = table.findings()
    if findings:
        parts.append("<ul>" + "".join(f"<li>{escape(f)}</li>" for f in findings) + "</ul>")
    parts.append("</div>")
    return "\n".join(parts)
