"""The report's extra views: KWIC, co-occurrence network, SVG word clouds, escaping."""

from __future__ import annotations

import csv
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
])
def test_kwic_matches(word, texts, expected, tokenizer):
    found = kwic.lines(items(texts), word, tokenizer)
    assert [l.id for l in found] == expected


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
    assert len(lines) >= 10 and all("【予算】" in l for l in lines)
    assert "件" in stderr
    prefix = [kwic.columns(l.split("【")[0]) for l in lines]
    assert len(set(prefix)) == 1, "keywords aligned"
    code, _, stderr = run_cli(["kwic", str(CORPUS / "survey.csv"), "  ", "--config", str(CORPUS / "survey.toml")])
    assert code == 2 and "空" in stderr
