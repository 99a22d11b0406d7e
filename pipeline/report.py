"""report.html: the self-contained Japanese report (images embedded, no network when opened).

Two steps. `build_view` turns results into a typed view model: frozen dataclasses of plain
strings and numbers, images as data URIs, nothing fitted. `render` fills the Jinja2 templates
shipped in pipeline/templates with it (autoescaped: every text from the answers, the
configuration or staff is escaped by the template engine) and inlines the style sheet
pipeline/static/report.css and a subset of the Japanese font, so the file stands alone.

To add to the report: add a field to the view (and fill it in `build_view`), then use it in a
template. Nothing here changes process-wide state; the template environment is cached.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pipeline.config import Config
from pipeline.crosstab import MISSING, RULE_JA
from pipeline.fonts import font_face
from pipeline.records import QuestionResult, Theme, slug
from pipeline.render import theme_colour
from pipeline.tally import Tally, split_values, tallies, tally

REASONS = {"empty": "空欄・記号のみ", "non_answer": "特になし・無回答など",
           "no_issue": "特に不便・要望はない（ほめる・お礼のみを含む）"}
# The no_issue answers as the question's framing words them (pipeline.noissue): what municipal
# reports write, 「特に不便はなかった 212 件」.
NO_ISSUE = {"problems": "特に不便・問題はなかった", "requests": "特に要望はない・満足している",
            "other": "特に問題・要望はない", "good": "特に問題・要望はない"}
# How the question was read, for the reader and for staff who may want to set it.
ASKS_NOTE = {
    "problems": "「不便・問題」をたずねる設問として扱い、不便や問題はなかったという回答と、ほめる・お礼だけの回答を分けて数えています。",
    "requests": "「要望」をたずねる設問として扱い、特に要望はない・今のままで満足という回答と、ほめる・お礼だけの回答を分けて数えています。",
    "good": "「良かった点」をたずねる設問として扱い、ほめる回答も内容として分析しています。",
    "other": "不便や要望に限らない設問として扱い、特に問題・要望はないという回答だけを分けて数えています（ほめる回答は内容として分析しています）。",
}
ASKS_FROM = {"config": "設定ファイルの指定", "title": "設問名から判断", "answers": "回答の内容から判断"}
ASKS_HINT = '違う場合は設定ファイルの [questions."列名"] に asks = "problems"（不便・問題）/ "requests"（要望）/ "good"（良かった点）/ "other" を書いてください。'

FONT_FAMILY = "ReportGothic"  # the embedded subset's name, first in the style sheet's font-family
# Characters any report may show besides its answers: the templates' own text and the words of
# the reasons and theme kinds of every mode. A cached font subset made with them (`cache.face`)
# still covers the report after a codebook edit moves answers between modes.
_REASON_WORDS = ("似た例に近いどのテーマにも近くないキーワードルール名前説明新しい候補まとまり代表同じ回答中心最その他今回新たに見られた意見前回"
                 + "".join(REASONS.values()) + "".join(NO_ISSUE.values()) + "".join(ASKS_NOTE.values())
                 + "".join(ASKS_FROM.values()) + ASKS_HINT + "（）0123456789,.%件記入のあった未満")


@functools.cache
def vocabulary() -> str:
    templates = sorted((Path(__file__).parent / "templates").glob("*.j2"))
    return "".join(sorted(set("".join(p.read_text(encoding="utf-8") for p in templates) + _REASON_WORDS)))
KWIC_SHOWN = 40  # run.MAX_KWIC: a keyword with this many lines may have more (「40 件以上」)
ANSWERS_SHOWN = 2000  # rows of a question's answers table (回答一覧); the rest are in assignments.csv
ATTRIBUTES_ANCHOR = "attributes"  # the section 回答者の属性（単純集計）


# --- The view model ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageView:
    src: str  # data:image/png;base64,…
    alt: str


@dataclass(frozen=True)
class LinkView:
    anchor: str  # id of the target, without #
    text: str


@dataclass(frozen=True)
class QuoteView:
    id: str
    text: str
    picked: bool  # chosen by staff (採用)


@dataclass(frozen=True)
class KeywordView:
    word: str
    anchor: str  # its KWIC block, "" when it has none


@dataclass(frozen=True)
class ThemeView:
    number: int  # 1-based, as staff see it
    label: str
    proposed: bool  # a new theme proposed among the answers that fit no codebook theme
    colour: str  # CSS colour, the same as in the images
    size: int
    share: str  # of the question's kept answers, formatted ("12.3%")
    auto_label: str  # the analysis's label when staff renamed the theme, else ""
    summary: tuple[str, ...]
    keywords: tuple[KeywordView, ...]
    quotes: tuple[QuoteView, ...]
    cloud: ImageView | None


@dataclass(frozen=True)
class CellView:
    count: int
    percent: str  # column percent, formatted ("12")
    residual: str  # adjusted standardised residual, formatted ("+1.23"), or why there is none
    flag: str  # CrossTab.cell_flag: "more", "less" or ""


@dataclass(frozen=True)
class CrossTabRowView:
    theme: str
    cells: tuple[CellView, ...]
    total: int


@dataclass(frozen=True)
class CrossTabView:
    attribute: str
    n: int
    columns: tuple[str, ...]  # the attribute's values
    rows: tuple[CrossTabRowView, ...]
    totals: tuple[int, ...]  # per column
    test: str  # the test's Japanese name
    statistic: str  # "χ² = …、自由度 …、" for chi-square, else ""
    p_value: str  # formatted
    verdict: str  # one Japanese sentence
    csv: str  # the table's CSV, relative to the output folder
    findings: tuple[str, ...]


@dataclass(frozen=True)
class KwicLineView:
    id: str
    left: str
    key: str
    right: str


@dataclass(frozen=True)
class KwicView:
    anchor: str
    keyword: str
    lines: tuple[KwicLineView, ...]
    capped: bool  # the lines stop at KWIC_SHOWN; there may be more


@dataclass(frozen=True)
class TallyRowView:
    value: str
    count: int
    percent: str  # of respondents, formatted ("12.3%")


@dataclass(frozen=True)
class TallyView:
    anchor: str
    attribute: str
    n_respondents: int
    multi: bool  # some respondent gave several values: the percentages may add up to over 100 %
    rows: tuple[TallyRowView, ...]
    chart: ImageView | None


@dataclass(frozen=True)
class OptionView:
    value: str  # the <option>'s value, compared by the filter script
    text: str


@dataclass(frozen=True)
class AttrFilterView:
    attribute: str
    options: tuple[str, ...]  # the attribute's values among the rows (multi-answer cells split)


@dataclass(frozen=True)
class AnswerRowView:
    id: str
    theme: str  # the theme's number as a string: the value of its option in the theme filter
    theme_label: str
    colour: str
    attrs: tuple[str, ...]  # the cells as written (trimmed), in attr_cols order
    values: tuple[tuple[str, ...], ...]  # per attribute, the values the filter matches (split, NFKC)
    text: str  # masked
    reason: str  # why the answer is in its theme, "" when not known


@dataclass(frozen=True)
class AnswersView:
    """The question's table of kept answers (回答一覧), filtered in the browser by the page's script."""

    anchor: str
    n_kept: int
    capped: str  # 「先頭 2,000 件を表示（全件は assignments.csv）」, or "" when every kept answer is shown
    attributes: tuple[str, ...]
    themes: tuple[OptionView, ...]
    filters: tuple[AttrFilterView, ...]
    has_reason: bool  # some row has a reason: the table shows the column
    rows: tuple[AnswerRowView, ...]


@dataclass(frozen=True)
class QuestionView:
    slug: str  # q01…, also the section's anchor
    question: str  # the column name
    title: str
    n_answers: int
    n_kept: int
    excluded: str  # "空欄・記号のみ 3 件、…", "" when nothing was excluded
    contents: tuple[LinkView, ...]  # the parts of the section, for the table of contents
    themes: tuple[ThemeView, ...]
    review_log: tuple[str, ...]
    chart: ImageView | None
    cloud: ImageView | None
    crosstab_rule: str  # how to read the cross tabulations
    crosstabs: tuple[CrossTabView, ...]
    network: ImageView | None
    kwic: tuple[KwicView, ...]
    answers: AnswersView | None = None  # None when no answer was kept
    changes: tuple[ChangeView, ...] = ()  # --previous: 前回と今回, one per theme
    no_issue: str = ""  # 「特に不便・問題はなかった（no_issue）212 件（記入のあった回答 1,160 件の 18.3%）」, or ""
    asks: str = ""  # how the question was read (framing) and where that came from, or ""


@dataclass(frozen=True)
class ChangeView:
    label: str
    previous: str  # "43.4%", or "—" when the theme was not there last time
    now: str
    points: str  # "+3.1", "−2.0", or "—"
    verdict: str  # 増加 / 減少 when significant after Holm's correction, else ""
    p: str  # the corrected p, or "—"


@dataclass(frozen=True)
class ReportView:
    title: str
    input_name: str
    themes_setting: str  # the number of themes asked for, or 自動
    seed: int
    notices: tuple[str, ...]  # what the reader must see first
    questions: tuple[QuestionView, ...]
    masked: bool = True  # personal information masked in every text (False with --no-mask)
    tallies: tuple[TallyView, ...] = ()  # one per --attr-col: 回答者の属性（単純集計）
    attributes_anchor: str = ATTRIBUTES_ANCHOR


# --- Building the view -------------------------------------------------------------------------

def build_view(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path | None, input_name: str,
               tables: dict[str, list] | None = None, notices: tuple[str, ...] = (),
               attribute_tallies: tuple[Tally, ...] | None = None) -> ReportView:
    """The report's content. `images` maps keys (q01/all, q01/chart, q01/network, q01/theme_00,
    attr/01 for the first --attr-col's tally chart) to PNG paths relative to `out`; `tables` maps
    a question to its (CrossTab, CSV path) pairs; `attribute_tallies`: the run's simple tallies
    (`Result.tallies`; computed here when None)."""
    tables = tables or {}
    if attribute_tallies is None:
        attribute_tallies = tallies(results, config.attr_cols, config.multi_separators)
    out = None if out is None else Path(out)
    return ReportView(
        title=config.title,
        input_name=input_name,
        themes_setting="自動" if config.k is None else str(config.k),
        seed=config.seed,
        notices=tuple(notices),
        questions=tuple(_question(i, r, images, out, tables.get(r.question, []), config)
                        for i, r in enumerate(results)),
        masked=config.mask,
        tallies=tuple(_tally(n, t, images, out) for n, t in enumerate(attribute_tallies)),
    )


def tally_image(n: int) -> tuple[str, str]:
    """The `images` key and the relative path of the n-th (0-based) --attr-col's tally chart."""
    return f"attr/{n + 1:02d}", f"charts/attr_{n + 1:02d}.png"


def _tally(n: int, t: Tally, images: dict[str, str], out: Path | None) -> TallyView:
    return TallyView(
        anchor=f"{ATTRIBUTES_ANCHOR}-{n + 1:02d}",
        attribute=t.attribute,
        n_respondents=t.n_respondents,
        multi=t.multi,
        rows=tuple(TallyRowView(v.value, v.count, f"{v.percent:.1f}%") for v in t.values),
        chart=_image(out, images, tally_image(n)[0], f"{t.attribute} の単純集計"),
    )


def _answers(q: str, r: QuestionResult, config: Config) -> AnswersView | None:
    kept = [a for a in r.assignments if a.theme_id >= 0 and not a.excluded_reason]
    if not kept:
        return None
    shown = kept[:ANSWERS_SHOWN]
    labels = {t.theme_id: t.label for t in r.themes}
    attributes = tuple(config.attr_cols)
    seps = config.multi_separators

    def values(cell: str) -> tuple[str, ...]:
        return split_values(cell, seps) or (MISSING,)

    rows = []
    for a in shown:
        cells = dict(a.answer.attrs)
        attrs = tuple(cells.get(name, "").strip() for name in attributes)
        rows.append(AnswerRowView(id=a.answer.id, theme=str(a.theme_id + 1), theme_label=labels.get(a.theme_id, ""),
                                  colour=theme_colour(a.theme_id), attrs=attrs,
                                  values=tuple(values(c) for c in attrs), text=a.masked, reason=a.reason))
    return AnswersView(
        anchor=f"{q}-answers",
        n_kept=len(kept),
        capped=f"先頭 {ANSWERS_SHOWN:,} 件を表示（全件は assignments.csv）" if len(kept) > ANSWERS_SHOWN else "",
        attributes=attributes,
        themes=tuple(OptionView(str(t.theme_id + 1), f"テーマ{t.theme_id + 1}：{t.label}") for t in r.themes),
        # The tally of the rows shown gives the values in the order of the attribute section.
        filters=tuple(AttrFilterView(name, tuple(v.value for v in tally(shown, name, seps).values))
                      for name in attributes),
        has_reason=any(row.reason for row in rows),
        rows=tuple(rows),
    )


def _image(out: Path | None, images: dict[str, str], key: str, alt: str) -> ImageView | None:
    rel = images.get(key)
    if not rel:
        return None
    if out is None:  # a draft (see `draft`): the picture's place, filled in by `finish`
        return ImageView(f"{_PLACE}{rel}", alt)
    data = base64.b64encode((out / rel).read_bytes()).decode("ascii")
    return ImageView(f"data:image/png;base64,{data}", alt)


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _question(i: int, r: QuestionResult, images: dict[str, str], out: Path | None, tables: list,
              config: Config) -> QuestionView:
    q = slug(i)
    reasons: dict[str, int] = {}
    for a in r.assignments:
        if a.excluded_reason:
            reasons[a.excluded_reason] = reasons.get(a.excluded_reason, 0) + 1
    # A keyword's anchor counts every keyword, also those without lines (stable across runs).
    kwic_anchor = {k: f"{q}-kwic-{n:02d}" for n, (k, lines) in enumerate(r.kwic) if lines}
    kwic = tuple(KwicView(kwic_anchor[k], k, tuple(KwicLineView(ln.id, ln.left.strip(), ln.key, ln.right) for ln in lines),
                          len(lines) >= KWIC_SHOWN)
                 for k, lines in r.kwic if lines)
    crosstabs = tuple(_crosstab(table, rel) for table, rel in tables)
    network = _image(out, images, f"{q}/network", r.title + " 共起ネットワーク")
    contents = [LinkView(f"{q}-themes", "テーマ")]
    if crosstabs:
        contents.append(LinkView(f"{q}-crosstabs", "属性別クロス集計"))
    if network:
        contents.append(LinkView(f"{q}-network", "共起ネットワーク"))
    if kwic:
        contents.append(LinkView(f"{q}-kwic", "キーワードの前後（KWIC）"))
    answers = _answers(q, r, config)
    if answers:
        contents.append(LinkView(answers.anchor, "回答一覧"))
    return QuestionView(
        slug=q,
        question=r.question,
        title=r.title,
        n_answers=r.n_answers,
        n_kept=r.n_answers - r.n_excluded,
        excluded="、".join(f"{_reason(k, r.asks)} {v} 件" for k, v in sorted(reasons.items())),
        no_issue=no_issue_line(r),
        asks=f"{ASKS_NOTE[r.asks]}（{ASKS_FROM.get(r.asks_from, r.asks_from)}。{ASKS_HINT}）" if r.asks in ASKS_NOTE else "",
        contents=tuple(contents),
        themes=tuple(_theme(q, t, images, out, kwic_anchor) for t in r.themes),
        review_log=tuple(r.review_log),
        chart=_image(out, images, f"{q}/chart", r.title + " テーマ別の回答数"),
        cloud=_image(out, images, f"{q}/all", r.title + " ワードクラウド"),
        crosstab_rule=RULE_JA,
        crosstabs=crosstabs,
        network=network,
        kwic=kwic,
        answers=answers,
        changes=tuple(_change(c) for c in r.changes),
    )


def _reason(reason: str, asks: str) -> str:
    if reason == "no_issue" and asks in NO_ISSUE:
        return NO_ISSUE[asks]
    return REASONS.get(reason, reason)


def no_issue_line(r: QuestionResult) -> str:
    """The question's no_issue answers as a report states them: 「特に不便・問題はなかった（no_issue）
    212 件（記入のあった回答 1,160 件の 18.3%）」; "" when there are none. The share is of the answers
    written (blank cells left out), as surveys report it."""
    n = sum(1 for a in r.assignments if a.excluded_reason == "no_issue")
    if not n:
        return ""
    written = sum(1 for a in r.assignments if a.excluded_reason != "empty")
    share = n / written * 100
    return (f"{_reason('no_issue', r.asks)}（no_issue）{n:,} 件"
            f"（記入のあった回答 {written:,} 件の {f'{share:.1f}%' if share >= 0.05 else '0.1% 未満'}）")


def _change(c) -> ChangeView:
    """A theme's share last time and now (`previous.Change`), as the report shows it."""
    points = c.points
    return ChangeView(
        label=c.label, previous="—" if c.previous_share is None else _pct(c.previous_share), now=_pct(c.share),
        points="—" if points is None else f"{points:+.1f}".replace("-", "−"), verdict=c.verdict,
        p="—" if c.p_adjusted is None else f"{c.p_adjusted:.3f}")


def _theme(q: str, t: Theme, images: dict[str, str], out: Path | None, kwic_anchor: dict[str, str]) -> ThemeView:
    return ThemeView(
        number=t.theme_id + 1,
        label=t.label,
        proposed=t.proposed,
        colour=theme_colour(t.theme_id),
        size=t.size,
        share=_pct(t.share),
        auto_label=t.auto_label,
        summary=tuple(t.summary),
        keywords=tuple(KeywordView(k, kwic_anchor.get(k, "")) for k in t.keywords),
        quotes=tuple(QuoteView(qu.id, qu.text, qu.picked) for qu in t.quotes),
        cloud=_image(out, images, f"{q}/theme_{t.theme_id:02d}", t.label + " ワードクラウド"),
    )


def _residual(table, i: int, j: int) -> str:
    """The cell's adjusted residual as shown on hover; untested cells (（無回答）) have none."""
    return f"{table.residuals[i, j]:+.2f}" if table.tested[i, j] else "なし（検定の対象外）"


def _crosstab(table, rel: str) -> CrossTabView:
    col_pct = table.column_percent()
    rows = tuple(CrossTabRowView(
        theme=theme,
        cells=tuple(CellView(int(table.counts[i, j]), f"{col_pct[i, j]:.0f}", _residual(table, i, j),
                             table.cell_flag(i, j)) for j in range(len(table.values))),
        total=int(table.counts[i].sum()),
    ) for i, theme in enumerate(table.themes))
    chi2 = table.test == "chi2"
    return CrossTabView(
        attribute=table.attribute,
        n=table.n,
        columns=tuple(table.values),
        rows=rows,
        totals=tuple(int(c) for c in table.counts.sum(axis=0)),
        test="カイ二乗検定" if chi2 else "Fisher の正確確率検定（期待度数が小さいため）",
        statistic=f"χ² = {table.statistic:.2f}、自由度 {table.dof}、" if chi2 else "",
        p_value=f"{table.p_value:.4f}",
        verdict="テーマの分布は属性によって異なります（5% 水準）。" if table.p_value < 0.05
        else "属性によるテーマの分布の違いは統計的にははっきりしません。",
        csv=rel,
        findings=tuple(table.findings()),
    )


# --- Rendering ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("pipeline", "templates"), autoescape=True, undefined=StrictUndefined,
                       keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("pipeline").joinpath("static/report.css").read_text(encoding="utf-8")


_DATA_URI = "data:image/png;base64,ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


# Where a draft holds a picture's place: the picture's relative path after this prefix (letters,
# digits and / . _ - only, which escaping leaves as they are), as an <img>'s src — an answer's
# text cannot hold src=" (its quote is escaped), so only the pictures' places are filled in.
_PLACE = "jiyu-picture:"
_PLACES = re.compile('(?<=src=")' + re.escape(_PLACE) + r'([A-Za-z0-9_./-]+\.png)(?=")')


@dataclass(frozen=True)
class Draft:
    """The report's body rendered before its pictures are drawn, with their places marked."""

    title: str
    body: str


def draft(results: list[QuestionResult], config: Config, images: dict[str, str], input_name: str,
          tables: dict[str, list] | None = None, notices: tuple[str, ...] = (),
          attribute_tallies: tuple[Tally, ...] | None = None) -> Draft:
    """The page of these results, rendered once while the pictures are drawn (`finish` puts
    them in): its characters (`characters`) give the font subset meanwhile (`face`)."""
    view = build_view(results, config, images, None, input_name, tables, notices, attribute_tallies)
    return Draft(view.title, _environment().get_template("body.html.j2").render(report=view))


def characters(page: Draft) -> str:
    """Every character the finished page can hold (its pictures are data: URIs)."""
    return _PLACES.sub("", page.body) + page.title + _DATA_URI


def finish(page: Draft, out: Path, font_rule: str) -> str:
    """The HTML document of a draft, its pictures (PNG files under `out`) embedded."""
    cache: dict[str, str] = {}

    def picture(m: re.Match) -> str:
        rel = m.group(1)
        if rel not in cache:
            cache[rel] = "data:image/png;base64," + base64.b64encode((out / rel).read_bytes()).decode("ascii")
        return cache[rel]

    return _document(page.title, _PLACES.sub(picture, page.body), font_rule)


def face(font: Path, text: str) -> str:
    """The @font-face rule embedding the subset of `font` for `text` (see `characters`)."""
    return font_face(font, text, FONT_FAMILY)


def render(view: ReportView, font: Path | None = None, font_rule: str | None = None) -> str:
    """The HTML document of `view`; with `font`, a subset of it covering every character of the
    page is embedded (`font_rule`: that @font-face rule, made beforehand by `face`)."""
    env = _environment()
    body = env.get_template("body.html.j2").render(report=view)
    if font_rule is not None:
        face_rule = font_rule
    else:
        face_rule = font_face(font, body + view.title, FONT_FAMILY) if font is not None else ""
    return _document(view.title, body, face_rule)


def _document(title: str, body: str, face_rule: str) -> str:
    # Our own values, not user text: the rendered (already escaped) body, the @font-face rule
    # (base64 inside) and the package's style sheet.
    return _environment().get_template("report.html.j2").render(title=title, body=Markup(body),
                                                                font_face=Markup(face_rule), css=Markup(_css()))


def html(results: list[QuestionResult], config: Config, images: dict[str, str], out: Path, input_name: str,
         font: Path | None = None, tables: dict[str, list] | None = None, notices: tuple[str, ...] = (),
         font_rule: str | None = None, attribute_tallies: tuple[Tally, ...] | None = None) -> str:
    """report.html of `results`. `notices`: Japanese lines the reader must see first (e.g. what
    the analysis ran without). `font_rule`: the @font-face rule made beforehand by `face`."""
    return render(build_view(results, config, images, out, input_name, tables, notices, attribute_tallies), font,
                  font_rule)
