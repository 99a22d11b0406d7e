"""The report's extra views: KWIC, co-occurrence network, SVG word clouds, escaping."""

from __future__ import annotations

import csv
import dataclasses
import json

import pytest
from conftest import CORPUS, run_cli

from pipeline import kwic, network
from pipeline.config import Config
from pipeline.records import Answer
from pipeline.run import prepare


def items(texts):
    return prepare([Answer(id=f"a{i}", question="q", row=i, raw=t) for i, t in enumerate(texts)], Config())


@pytest.mark.parametrize("word,texts,expected", [
    ("予算", ["予算がない", "予算的に厳しい", "会場がない"], ["a0", "a1"]),
    ("増える", ["参加者が増えた", "会員が増えて嬉しい", "増加した"], ["a0", "a1"]),  # by lemma
    ("ホームページ", ["ﾎｰﾑﾍﾟｰｼﾞに載せてほしい", "市報に載った"], ["a0"]),  # normalised
    ("書類", ["書類、書類、また書類"], ["a0", "a0", "a0"]),
    # Forms of the lemma written otherwise, or of a potential verb's plain verb.
    ("おいしい", ["美味しかった", "おいしくない", "お店が多い"], ["a0", "a1"]),
    ("使える", ["カードが使えた", "もっと使わせて", "使用した"], ["a0", "a1"]),
    ("混み合う", ["道が混みあっていた", "混雑した"], ["a0"]),
])
def test_kwic_matches(word, texts, expected, tokenizer):
    found = kwic.lines(items(texts), word, tokenizer)
    assert [ln.id for ln in found] == expected


def test_kwic_tokenizes_only_the_answers_that_can_hold_a_form_of_the_word(tokenizer):
    """A rare verb is looked for by lemma only in the answers holding its stem, not in every
    answer holding its first character (と: most of them)."""
    index = kwic.Index(items(["とても良い", "ところで", "友達と行った", "チーズがとろけた", "とろける食感"]), tokenizer)
    assert [ln.key for ln in index.lines("とろける")] == ["とろけ", "とろける"]
    assert sorted(index._lemmas) == [3, 4]


def test_kwic_lists_every_copy_of_a_repeated_answer_in_input_order(tokenizer):
    """The index searches each distinct text once; its lines are those of every answer looked up
    on its own, in input order, and `limit` cuts the same list."""
    texts = ["予算がない", "特になし", "予算が増えた", "予算がない", "会場\nがない", "予算がない", "増えて嬉しい",
             "予算が増えた", "会場\nがない"] * 3
    answers = items(texts)
    index = kwic.Index(answers, tokenizer)
    for word in ("予算", "増える", "ない", "会場", "特に"):
        alone = [line for p in answers for line in kwic.lines([p], word, tokenizer)]
        assert index.lines(word) == alone
        assert index.lines(word, limit=5) == alone[:5]


def test_kwic_lines_from_the_distinct_answers_equal_a_search_of_every_answer(tokenizer):
    """Masked, a question's KWIC lines are made from the first distinct answers that hold each word
    (`Index.first_texts`, `lines_from`): the same lines as a search of every answer, cut alike."""
    from pipeline.run import distinct_answers

    texts = ["予算がない", "特になし", "予算が増えた", "予算がない", "会場\nがない", "予算がない", "増えて嬉しい",
             "予算が増えた", "会場\nがない", "田中さんに予算を相談した"] * 3
    answers = items(texts)
    reps, of = distinct_answers(answers)
    distinct = kwic.Index(reps, tokenizer)
    every = kwic.Index(answers, tokenizer)
    words = ("予算", "増える", "ない", "会場", "特に", "相談")
    for limit in (3, 7, 40):
        hits = tuple((w, distinct.first_texts(w, limit)) for w in words)
        made = kwic.lines_from(hits, answers, reps, of, limit=limit)
        assert made == tuple((w, tuple(every.lines(w, limit=limit))) for w in words)


def test_kwic_alignment_and_masking(tokenizer):
    found = kwic.lines(items(["担当の田中さんに予算を相談した", "予算"]), "予算", tokenizer, width=24)
    assert found[0].key == "予算" and "〔氏名〕" in found[0].left and "田中" not in found[0].left
    assert kwic.columns(found[0].left) == 24 and kwic.columns(found[1].left) == 24


def test_network_links_words_that_appear_together():
    terms = [("書類", "報告書"), ("書類", "報告書", "精算"), ("書類", "報告書"), ("会場", "駐車場"),
             ("会場", "駐車場"), ("会場", "駐車場", "予約"), ("精算",)]
    net = network.build(terms, seed=0)
    pairs = {frozenset((net.words[a], net.words[b])): j for a, b, j in net.edges}
    assert pairs[frozenset(("書類", "報告書"))] == 1.0
    assert frozenset(("書類", "会場")) not in pairs
    c = dict(zip(net.words, net.community))
    assert c["書類"] == c["報告書"] != c["会場"] == c["駐車場"]
    assert network.build([("a",)], seed=0) is None


def test_network_counts_repeated_answers_each_time():
    """Answers with the same terms are counted together; frequencies and links are those of
    counting every answer on its own (a reference count over each answer's set of words)."""
    import random
    from itertools import combinations

    words = ["書類", "報告書", "精算", "会場", "駐車場", "予約", "予算", "人手"]
    rng = random.Random(3)
    distinct = [tuple(rng.sample(words, rng.randint(1, 4))) for _ in range(12)]
    terms = [rng.choice(distinct) for _ in range(200)]
    net = network.build(terms, seed=0)
    df = {w: sum(w in t for t in terms) for w in words}
    assert net.frequency == tuple(df[w] for w in net.words)
    for a, b, j in net.edges:
        both = sum(net.words[a] in t and net.words[b] in t for t in terms)
        assert j == round(both / (df[net.words[a]] + df[net.words[b]] - both), 4)
    strongest = max(combinations(words, 2), key=lambda p: (
        sum(p[0] in t and p[1] in t for t in terms) / max(1, df[p[0]] + df[p[1]] - sum(p[0] in t and p[1] in t for t in terms))))
    assert frozenset(strongest) in {frozenset((net.words[a], net.words[b])) for a, b, _ in net.edges}


def test_views_are_written(corpus_run):
    doc = json.loads((corpus_run / "themes.json").read_text(encoding="utf-8"))
    for q in doc["questions"]:
        assert (corpus_run / q["network"]).is_file()
        assert (corpus_run / q["wordcloud"].replace(".png", ".svg")).read_text(encoding="utf-8").count("@font-face") == 1
        attrs = {t["attribute"] for t in q["crosstabs"]}
        assert attrs == {"団体種別", "活動分野"}
        for t in q["crosstabs"]:
            with (corpus_run / t["csv"]).open(encoding="utf-8-sig", newline="") as f:
                rows = list(csv.DictReader(f))
            assert sum(int(r["count"]) for r in rows) == t["n"] == q["n_answers"] - q["n_excluded"]
            assert t["test"] in ("chi2", "fisher") and 0 <= t["p_value"] <= 1
    kwic_doc = json.loads((corpus_run / "kwic.json").read_text(encoding="utf-8"))
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    assert 'href="#q01-kwic-00"' in html and 'id="q01-kwic-00"' in html
    assert set(kwic_doc) == {q["question"] for q in doc["questions"]}


def test_answers_are_escaped_in_the_report(tmp_path):
    src = tmp_path / "s.csv"
    rows = [["id", "text", "group"]] + [[str(i), t, "NPO" if i % 2 else "町会"] for i, t in enumerate(
        ["<script>alert('x')</script>書類が多い", "書類が多くて大変", "報告書の書類が負担", "会場が足りない",
         "会場の確保が難しい", "会場がない<b>本当に</b>", "書類の提出が面倒", "会場を借りたい"])]
    with src.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "out"
    code, _, err = run_cli(["themes", str(src), "--out", str(out), "--attr-col", "group", "--k", "2"])
    assert code == 0, err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>本当に</b>" not in html


def test_kwic_command(corpus_run):
    code, stdout, stderr = run_cli(["kwic", str(CORPUS / "survey.csv"), "予算", "--config", str(CORPUS / "survey.toml"),
                                    "--results", str(corpus_run), "--width", "12"])
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert len(lines) >= 10 and all("【予算】" in ln for ln in lines)
    assert "件" in stderr
    prefix = [kwic.columns(ln.split("【")[0]) for ln in lines]
    assert len(set(prefix)) == 1, "keywords aligned"
    code, _, stderr = run_cli(["kwic", str(CORPUS / "survey.csv"), "  ", "--config", str(CORPUS / "survey.toml")])
    assert code == 2 and "空" in stderr


# --- The report's rendering: view model, escaping, no process-wide side effects -----------------

HOSTILE = "<script>alert(\"x\")</script> {{ 7*7 }} {% if true %}jinja{% endif %} ' & \" >"


def _hostile_report(tmp_path, font=None):
    """report.html of one question whose every text, and the settings, are hostile."""
    from pipeline import report

    args, kwargs = _hostile_inputs(tmp_path)
    return report.html(*args, font=font, **kwargs), report.build_view(*args, **kwargs)


def _hostile_inputs(tmp_path):
    """The arguments of report.html for `_hostile_report`."""
    import numpy as np

    from pipeline.crosstab import CrossTab
    from pipeline.kwic import Line
    from pipeline.records import QuestionResult, Quote, Theme

    (tmp_path / "img.png").write_bytes(b"\x89PNG not really")
    quote = Quote(id='id"<x>', text=HOSTILE, score=1.0, picked=True)
    themes = tuple(Theme(theme_id=i, label=f"{HOSTILE}{i}", keywords=("予算", '"kw<>'), size=2, share=0.5,
                         quotes=(quote,), candidates=(quote,), summary=(HOSTILE, "二文目"), auto_label="元の'ラベル\"")
                   for i in range(2))
    result = QuestionResult(question='列<"名">', title=f"設問 {HOSTILE}", n_answers=5, n_excluded=1, k_chosen=2,
                            themes=themes, assignments=(), review_log=(HOSTILE,),
                            kwic=(("予算", (Line('k"1', "q", " 左<b>", "予算", "右{{ x }}"),)),))
    empty = QuestionResult(question="空", title="空の設問", n_answers=0, n_excluded=0, k_chosen=0, themes=(),
                           assignments=())
    counts = np.array([[5, 1], [1, 5]])
    table = CrossTab(attribute=f"属性{HOSTILE}", themes=(themes[0].label, themes[1].label), values=("<v1>", '"v2"'),
                     counts=counts, expected=np.full((2, 2), 3.0), residuals=np.array([[2.5, -2.5], [-2.5, 2.5]]),
                     test="chi2", statistic=5.3, dof=1, p_value=0.02, tested=np.ones((2, 2), dtype=bool),
                     p_adjusted=np.full((2, 2), 0.04))
    images = {"q01/chart": "img.png", "q01/all": "img.png", "q01/network": "img.png", "q01/theme_00": "img.png"}
    config = Config(title=f"報告書 {HOSTILE}")
    args = ([result, empty], config, images, tmp_path, f"入力{HOSTILE}.csv")
    kwargs = dict(tables={result.question: [(table, f"crosstabs/{HOSTILE}.csv")]}, notices=(HOSTILE,))
    return args, kwargs


class _Parsed:
    """The tags, attributes and text of an HTML document, as a browser's parser sees them."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer.tags.append(tag)
                outer.attrs += [(tag, k, v or "") for k, v in attrs]

            def handle_data(self, data):
                outer.text.append(data)

        Parser(convert_charrefs=True).feed(html)


def test_hostile_text_is_escaped_not_interpreted(tmp_path):
    html, _ = _hostile_report(tmp_path)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and "{% if true %}jinja{% endif %}" in html, "Jinja syntax in the text stays text"
    page = _Parsed(html)
    assert "script" not in page.tags and "b" not in page.tags
    text = "".join(page.text)
    assert text.count(HOSTILE) >= 8  # title, notices, labels, quotes, summaries, review log, …
    assert "左<b>" in text and "右{{ x }}" in text and "<v1>" in text and '"v2"' in text
    # Quotes in attribute values do not break out of the attribute.
    alts = [v for tag, k, v in page.attrs if k == "alt"]
    assert f"設問 {HOSTILE} テーマ別の回答数" in alts and f"{HOSTILE}0 ワードクラウド" in alts
    assert all(k in ("src", "alt") for tag, k, v in page.attrs if tag == "img")
    assert ("td", "class", "hi") in page.attrs and ("td", "class", "lo") in page.attrs
    assert "分析できる回答がありませんでした。" in text


def test_report_view_is_plain_data_and_rendering_is_deterministic(tmp_path):
    import dataclasses

    from pipeline import report

    html, view = _hostile_report(tmp_path)

    def leaves(value):
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen, type(value)
            for f in dataclasses.fields(value):
                yield from leaves(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                yield from leaves(v)
        else:
            yield value

    assert all(v is None or type(v) in (str, int, bool) for v in leaves(view))
    q = view.questions[0]
    assert [link.anchor for link in q.contents] == ["q01-themes", "q01-crosstabs", "q01-network", "q01-kwic"]
    assert q.themes[0].keywords[0].anchor == "q01-kwic-00" and q.themes[0].keywords[1].anchor == ""
    assert [c.flag for c in q.crosstabs[0].rows[0].cells] == ["more", "less"]
    assert q.chart.src.startswith("data:image/png;base64,") and q.themes[1].cloud is None
    assert report.render(view) == html == _hostile_report(tmp_path)[0]


def test_report_embeds_a_font_covering_its_text(tmp_path):
    from pipeline.fonts import font_path

    html, _ = _hostile_report(tmp_path, font=font_path(None))
    assert html.count("@font-face") == 1 and 'font-family: "ReportGothic"; src: url(data:font/woff;base64,' in html
    assert "@media print" in html and "&#34;ReportGothic&#34;" not in html  # the CSS is inlined as is


def test_report_and_outputs_do_not_import_each_other():
    import ast
    from pathlib import Path

    import pipeline

    def imports(module: str, module_level: bool) -> set[str]:
        tree = ast.parse((Path(pipeline.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
        nodes, found = list(tree.body), set()
        while nodes:
            node = nodes.pop()
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            if not (module_level and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))):
                nodes.extend(ast.iter_child_nodes(node))
        return found

    assert "pipeline.outputs" not in imports("report", module_level=False)
    assert "pipeline.report" not in imports("outputs", module_level=True)
    assert "pipeline.render" in imports("report", module_level=True)  # the check sees imports at all


def test_drawing_leaves_matplotlib_alone(tmp_path):
    """Importing the pipeline and drawing a chart and a network neither imports pyplot nor switches
    matplotlib's backend (a process-wide setting that belongs to whoever embeds the pipeline)."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    script = f"""
import sys
from pathlib import Path
import matplotlib
from pipeline import network, outputs, render, report, tally
from pipeline.fonts import font_path
from pipeline.records import Answer, QuestionResult, Theme

out = Path({str(tmp_path)!r})
themes = tuple(Theme(theme_id=i, label=f"テーマ{{i}}", keywords=(), size=3 - i, share=(3 - i) / 6, quotes=(),
                     candidates=()) for i in range(3))
result = QuestionResult(question="q", title="q", n_answers=6, n_excluded=0, k_chosen=3, themes=themes, assignments=())
net = network.build([("書類", "報告書"), ("書類", "報告書", "精算"), ("会場", "駐車場"), ("会場", "駐車場")], seed=0)
answers = [Answer(str(i), "q", i, "", (("種別", v),)) for i, v in enumerate(["町会", "NPO法人、町会", ""])]
for n in (1, 2):
    assert render.bar_chart(result, out / f"chart{{n}}.png", font=font_path(None))
    network.draw(net, out / f"net{{n}}.png", font=font_path(None), seed=0, palette=render.PALETTE)
    assert render.tally_chart(tally.tally([], "a"), out / f"none{{n}}.png", font=font_path(None)) is False
    assert render.tally_chart(tally.tally(answers, "種別"), out / f"tally{{n}}.png", font=font_path(None))
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported"
assert matplotlib.rcParams["backend"] == "pdf" and matplotlib.get_backend() == "pdf", matplotlib.get_backend()
"""
    env = dict(os.environ, MPLBACKEND="pdf")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "none1.png").exists()
    for name in ("chart", "net", "tally"):
        first, second = ((tmp_path / f"{name}{n}.png").read_bytes() for n in (1, 2))
        assert first[:8] == b"\x89PNG\r\n\x1a\n" and first == second
        assert b"Software" not in first


def test_bar_chart_bars_are_as_long_as_their_counts(tmp_path):
    """The bar chart (`render._bars`, drawn with Pillow): one bar a label in its colour, from the
    axis, as long as its count on the axis's scale, the largest on top; a label too long for its
    column is cut with …, never dropped."""
    import numpy as np
    from PIL import Image

    from pipeline import canvas, render
    from pipeline.fonts import font_path

    colours = ["#0072B2", "#E69F00", "#009E73"]
    labels = ["短い", "中くらいのラベル", "とても長いラベル" * 12]
    render._bars(tmp_path / "bars.png", font_path(None), labels=labels, counts=[10, 40, 80], colours=colours,
                 notes=["10件", "40件", "80件"], xlabel="回答数", row_height=0.42, room=1.28)
    pixels = np.asarray(Image.open(tmp_path / "bars.png").convert("RGB")).astype(int)
    assert pixels.shape == (round((0.9 + 0.42 * 3) * render.BAR_DPI), round(render.BAR_WIDTH * render.BAR_DPI), 3)
    spans = {}
    for colour in colours:
        ys, xs = np.nonzero((pixels == canvas.rgb(colour)).all(axis=2))
        assert len(xs), colour
        spans[colour] = (xs.min(), xs.max() + 1, ys.mean())
    starts = {start for start, _, _ in spans.values()}
    assert len(starts) == 1  # every bar starts at the axis
    lengths = [spans[c][1] - spans[c][0] for c in colours]
    unit = lengths[2] / 80
    assert all(abs(length - count * unit) <= 2 for length, count in zip(lengths, (10, 40, 80)))
    assert lengths[2] < 0.8 * (pixels.shape[1] - spans[colours[2]][0])  # room for the note (room=1.28)
    assert spans[colours[2]][2] < spans[colours[1]][2] < spans[colours[0]][2]  # drawn from the bottom up
    # The long label is cut to its column: the bars still start inside the left half.
    assert starts.pop() < render.BAR_LABELS * pixels.shape[1] + 40
    face = canvas.font(font_path(None), 16)
    cut = canvas.fitted(labels[2], face, 200)
    assert cut.endswith("…") and face.getlength(cut) <= 200 and labels[2].startswith(cut[:-1])
    assert canvas.fitted("短い", face, 200) == "短い"


def test_bar_chart_shows_a_bar_far_smaller_than_a_pixel(tmp_path):
    """A count thousands of times smaller than the largest (an attribute's rare value) still gets
    a bar a pixel wide, and the chart is drawn (it once stopped the run: x1 < x0)."""
    import numpy as np
    from PIL import Image

    from pipeline import canvas, render
    from pipeline.fonts import font_path

    render._bars(tmp_path / "bars.png", font_path(None), labels=["まれ", "多い", "なし"], counts=[1, 20_000, 0],
                 colours=["#0072B2", "#E69F00", "#009E73"], notes=["1件", "20000件", "0件"], xlabel="回答数",
                 row_height=0.38, room=1.3)
    pixels = np.asarray(Image.open(tmp_path / "bars.png").convert("RGB"))
    assert (pixels == canvas.rgb("#0072B2")).all(axis=2).sum() >= 20  # a sliver a pixel wide
    assert not (pixels == canvas.rgb("#009E73")).all(axis=2).any()  # no bar for 0


@pytest.mark.parametrize(("top", "step"), [(3, 1), (8, 1), (12, 2), (20, 5), (60, 10), (250, 50), (230, 50),
                                           (1000, 200), (2000, 250), (48_000, 10_000)])
def test_count_axes_have_whole_round_steps(top, step):
    from pipeline import canvas

    assert canvas.nice_step(top) == step
    assert top / step <= 8


def test_network_picture_shows_its_words_in_their_colours(tmp_path):
    """The co-occurrence network (`network.draw`, Pillow): the picture's size, and every
    community's colour among its pixels (circles at 35 % over white)."""
    import numpy as np
    from PIL import Image

    from pipeline import canvas, network, render
    from pipeline.fonts import font_path

    net = network.build([("書類", "報告書"), ("書類", "報告書", "精算"), ("会場", "駐車場"), ("会場", "駐車場"),
                         ("会場", "駐車場", "雨")], seed=0)
    network.draw(net, tmp_path / "net.png", font=font_path(None), seed=0, palette=render.PALETTE)
    pixels = np.asarray(Image.open(tmp_path / "net.png").convert("RGB")).astype(int)
    assert pixels.shape == (round(network.HEIGHT * network.DPI), round(network.WIDTH * network.DPI), 3)
    for community in set(net.community):
        alpha = network.NODE_ALPHA  # the circle's colour over white
        tint = np.array([alpha * c + (1 - alpha) * 255 for c in canvas.rgb(render.PALETTE[community])])
        assert (np.abs(pixels - tint).sum(axis=2) <= 3).sum() > 500, community
    assert (pixels.sum(axis=2) < 200).sum() > 50  # the words, in black


def test_font_cut_before_the_pictures_covers_the_finished_page(tmp_path):
    """outputs cuts the report's font subset from `report.characters` while the word clouds are
    drawn: every character of the finished page (pictures embedded) must be among them."""
    from pipeline import report

    _, view = _hostile_report(tmp_path)
    finished = report._environment().get_template("body.html.j2").render(report=view) + view.title
    assert "data:image/png;base64," in finished
    (results, config, images, out, input_name), kwargs = _hostile_inputs(tmp_path)
    page = report.draft(results, config, images, input_name, **kwargs)
    known = set(report.characters(page))
    assert set(finished) <= known


def test_a_draft_finished_is_the_page_rendered_with_its_pictures(tmp_path):
    """outputs renders the page once, before the pictures are drawn, and puts them in after
    (`report.draft`, `report.finish`): the same page as rendering it with the pictures there."""
    from pipeline import report

    (results, config, images, out, input_name), kwargs = _hostile_inputs(tmp_path)
    page = report.draft(results, config, images, input_name, **kwargs)
    assert "data:image/png" not in page.body and report._PLACE in page.body
    direct = report.html(results, config, images, out, input_name, None, font_rule="", **kwargs)
    assert report.finish(page, out, "") == direct
    assert report._PLACE not in direct
    # An answer that writes a picture's place is shown as written.
    said = dataclasses.replace(results[0], review_log=(f"{report._PLACE}img.png",))
    page = report.draft([said, *results[1:]], config, images, input_name, **kwargs)
    assert f"{report._PLACE}img.png" in report.finish(page, out, "")


# --- 回答者の属性（単純集計） and 回答一覧 ---------------------------------------------------------

HOSTILE_ATTR = "<img src=x onerror=alert(1)> \"'& {{ 7*7 }}"  # no separator (、 ; / …) in it


def _answers_inputs(tmp_path, n_kept=5):
    """One question with kept and excluded answers, hostile texts, reasons and attribute values."""
    from pipeline.records import Assignment, QuestionResult, Theme

    (tmp_path / "img.png").write_bytes(b"\x89PNG not really")
    themes = tuple(Theme(theme_id=i, label=f"{HOSTILE}{i}", keywords=(), size=1, share=0.5, quotes=(), candidates=())
                   for i in range(2))
    kinds = ["町会", "NPO法人、町会", "", HOSTILE_ATTR, "ＮＰＯ法人"]
    assignments = []
    for i in range(n_kept):
        answer = Answer(id=f'r{i}"<', question="q", row=i + 1, raw="",
                        attrs=(("種別", kinds[i % len(kinds)]), ("地区", "東'区" if i % 2 else "西区")))
        assignments.append(Assignment(answer=answer, masked=f"回答{i} {HOSTILE}", theme_id=i % 2, excluded_reason="",
                                      score=0.5, reason=f"理由<{i}>" if i == 1 else ""))
    assignments.append(Assignment(answer=Answer("x1", "q", 99, "", (("種別", "除外"), ("地区", "南区"))), masked="",
                                  theme_id=-1, excluded_reason="empty", score=0.0))
    result = QuestionResult(question="q", title="設問", n_answers=n_kept + 1, n_excluded=1, k_chosen=2, themes=themes,
                            assignments=tuple(assignments))
    config = Config(attr_cols=("種別", "地区"))
    images = {"attr/01": "img.png"}
    return [result], config, images


def test_answers_table_view(tmp_path):
    from pipeline import report

    results, config, images = _answers_inputs(tmp_path)
    view = report.build_view(results, config, images, tmp_path, "in.csv")
    q = view.questions[0]
    a = q.answers
    assert q.contents[-1].anchor == "q01-answers" == a.anchor and q.contents[-1].text == "回答一覧"
    assert [r.id for r in a.rows] == [f'r{i}"<' for i in range(5)], "kept answers only, in input order"
    assert a.n_kept == 5 and a.capped == "" and a.has_reason
    assert [r.reason for r in a.rows] == ["", "理由<1>", "", "", ""]
    assert [r.theme for r in a.rows] == ["1", "2", "1", "2", "1"] and a.rows[1].theme_label == f"{HOSTILE}1"
    assert [(o.value, o.text) for o in a.themes] == [("1", f"テーマ1：{HOSTILE}0"), ("2", f"テーマ2：{HOSTILE}1")]
    assert a.attributes == ("種別", "地区")
    assert a.rows[1].attrs == ("NPO法人、町会", "東'区"), "cells shown as written"
    assert a.rows[1].values == (("NPO法人", "町会"), ("東'区",)), "the filter matches split values"
    assert a.rows[2].values[0] == ("（無回答）",)
    assert a.filters[0].attribute == "種別"
    assert a.filters[0].options == ("町会", "NPO法人", HOSTILE_ATTR, "（無回答）"), "by count, then first seen"
    assert a.filters[1].options == ("西区", "東'区")
    # The attribute section counts every respondent, the excluded one too.
    tally = view.tallies[0]
    assert tally.attribute == "種別" and tally.n_respondents == 6 and tally.multi
    assert [(r.value, r.count, r.percent) for r in tally.rows][:2] == [("町会", 2, "33.3%"), ("NPO法人", 2, "33.3%")]
    assert tally.chart.src.startswith("data:image/png;base64,") and view.tallies[1].chart is None
    # Without kept answers or attributes, neither part appears.
    empty = report.build_view([results[0].__class__("e", "e", 0, 0, 0, (), ())], Config(), {}, tmp_path, "in.csv")
    assert empty.tallies == () and empty.questions[0].answers is None


def test_answers_table_and_tallies_are_escaped(tmp_path):
    import json as _json

    from pipeline import report

    results, config, images = _answers_inputs(tmp_path)
    html = report.html(results, config, images, tmp_path, "in.csv")
    page = _Parsed(html)
    assert page.tags.count("script") == 1 and ("script", "id", "answers-filter") in page.attrs, "only the page's own"
    assert page.tags.count("img") == 1 and "<img src=x" not in html, "the tally chart only"
    assert all(k in ("src", "alt") for tag, k, v in page.attrs if tag == "img")
    text = "".join(page.text)
    assert f"回答3 {HOSTILE}" in text and "理由<1>" in text and HOSTILE_ATTR in text
    assert text.index("回答者の属性（単純集計）") < text.index("回答一覧")
    values = [_json.loads(v) for tag, k, v in page.attrs if k == "data-values"]
    assert values[3] == [[HOSTILE_ATTR], ["東'区"]], "data attributes round-trip hostile values"
    options = [v for tag, k, v in page.attrs if tag == "option" and k == "value"]
    assert HOSTILE_ATTR in options and "東'区" in options
    # Progressive enhancement: the form is hidden until the script shows it; every row is in the page.
    assert ("form", "hidden", "") in page.attrs and page.tags.count("tr") >= 5 + 1
    assert "全 5 件" in text and 'href="#attributes"' in html and 'href="#q01-answers"' in html
    # Labelled controls: every select and the search box is inside a <label>.
    form = html[html.index("<form"):html.index("</form>")]
    assert form.count("<label>") == form.count("<select") + form.count("<input") == 4


def test_answers_table_is_capped(tmp_path, monkeypatch):
    from pipeline import report

    results, config, images = _answers_inputs(tmp_path, n_kept=7)
    monkeypatch.setattr(report, "ANSWERS_SHOWN", 3)
    a = report.build_view(results, config, images, tmp_path, "in.csv").questions[0].answers
    assert len(a.rows) == 3 and a.n_kept == 7 and a.capped == "先頭 3 件を表示（全件は assignments.csv）"
    html = report.html(results, config, images, tmp_path, "in.csv")
    assert html.count("<tr data-theme=") == 3 and "先頭 3 件を表示（全件は assignments.csv）" in html
    monkeypatch.setattr(report, "ANSWERS_SHOWN", 2000)
    results, config, images = _answers_inputs(tmp_path, n_kept=2001)
    a = report.build_view(results, config, images, tmp_path, "in.csv").questions[0].answers
    assert len(a.rows) == 2000 and a.capped == "先頭 2,000 件を表示（全件は assignments.csv）"


def test_tally_section_in_the_corpus_report(corpus_run):
    html = (corpus_run / "report.html").read_text(encoding="utf-8")
    for n in (1, 2):
        png = (corpus_run / f"charts/attr_{n:02d}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    section = html.index('<section class="attributes" id="attributes">')
    assert html.index('href="#attributes"') < section < html.index('<section class="question"')
    assert 'alt="団体種別 の単純集計"' in html and 'alt="活動分野 の単純集計"' in html
    for q in ("q01", "q02", "q03"):
        assert f'id="{q}-answers"' in html
