"""What a reader sees first, scored against hand coding (`make eval`, "automatic themes as an
analyst would accept them"): the automatic run of each coded question (the bundled survey and the
real Fukui answers of corpus/fukui) judged theme by theme.

- label names the concern: the label contains a content word (noun, verb, adjective stem; base
  form or lemma) of its theme's majority coded concern — the code's name or its definition;
- label rules broken: two bare words joined by ・ (「話・市」), a word in most of the question's
  labels or in the question's title, a broken token (an ASCII run that is only part of one in
  the answers: 「Fi」 of Wi-Fi), longer than 15 characters, two labels of a question that differ
  only in order;
- quote purity: the share of the quotes in themes.json whose coded concerns (any of `codes`)
  include their theme's majority concern (strict: the quote's dominant code is it);
- the largest theme's purity (the share of its answers whose dominant code is its majority one),
  the share of kept answers in その他, and NMI against the dominant code.
Themes and answers the coding excludes are left out of the scores, as in the other tables.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from evaluate import FUKUI, FUKUI_QUESTIONS, ROOT  # tools/evaluate.py, beside this file
from sklearn.metrics import normalized_mutual_info_score

from pipeline.config import Config, build, read_toml
from pipeline.load import load
from pipeline.normalize import normalize
from pipeline.run import analyse
from pipeline.tokenize import Tokenizer

MAX_LABEL = 15
CONTENT = ("名詞", "動詞", "形容詞", "形状詞")
# Words that carry no concern of their own, in any survey (function-like nouns and verbs).
EMPTY = frozenset("こと もの 事 物 ため 為 よう 様 方 人 など 等 ところ 所 とき 時 場合 する 為る ある 有る 居る いる なる 成る "
                  "できる 出来る 思う いう 言う 欲しい ほしい 良い いい 無い ない 多い 少ない".split())
_ASCII_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_.+&']*")


@dataclass
class Coded:
    """One coded question: its title, answers, the gold per id (dominant code, all codes,
    excluded) and per code its name and definition."""
    name: str
    title: str
    answers: list
    gold: dict[str, tuple[str, tuple[str, ...], str]]
    codes: dict[str, tuple[str, str]]
    config: Config


def bundled() -> list[Coded]:
    config = build(read_toml(ROOT / "corpus" / "survey.toml"))
    answers = load(ROOT / "corpus" / "survey.csv", config)
    book = tomllib.loads((ROOT / "corpus" / "src" / "codebook.toml").read_text(encoding="utf-8"))["questions"]
    by_title = {q["title"]: q for q in book.values()}
    with (ROOT / "corpus" / "survey_coding.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for question in config.text_cols:
        title = config.question_title(question)
        entry = by_title.get(title, {})
        codes, definitions = entry.get("codes", {}), entry.get("definitions", {})
        gold = {r["id"]: (r["code"], tuple(c for c in r["codes"].split(";") if c), r["excluded"])
                for r in rows if r["question"] == question}
        out.append(Coded(f"corpus: {question}", title, [a for a in answers if a.question == question], gold,
                         {c: (name, definitions.get(c, "")) for c, name in codes.items()}, config))
    return out


def fukui() -> list[Coded]:
    out = []
    for q in FUKUI_QUESTIONS:
        files = [FUKUI / f"{q}_{part}" for part in ("sample.csv", "coding.csv", "codebook.toml")]
        if not all(f.is_file() for f in files):
            continue
        book = tomllib.loads(files[2].read_text(encoding="utf-8"))["questions"][q]
        title = book.get("title", q)
        config = Config(id_col="id", text_cols=("text",), question_col="question", attr_cols=("area", "age_band"),
                        question_titles=((q, title),))
        with files[1].open(encoding="utf-8", newline="") as f:
            gold = {r["id"]: (r["code"], tuple(c for c in r["codes"].split(";") if c), r["excluded"])
                    for r in csv.DictReader(f) if r["question"] == q}
        definitions = book.get("definitions", {})
        codes = {c: (name, definitions.get(c, "")) for c, name in book["codes"].items()}
        out.append(Coded(f"fukui: {q}", title, [a for a in load(files[0], config) if a.question == q], gold, codes,
                         config))
    return out


def content_words(text: str, tokenizer: Tokenizer) -> set[str]:
    """Nouns, verbs, adjectives (surface, base form, lemma) that carry a concern; one-character
    words only when they are non-ASCII nouns (駅, 道)."""
    words = set()
    for t in tokenizer.tokens(normalize(text)):
        if t.pos1 not in CONTENT or t.pos2 in ("数詞", "非自立可能"):
            continue
        for w in (t.surface, t.base, t.lemma):
            if w and w not in EMPTY and (len(w) > 1 or t.pos1 == "名詞" and not w.isascii()):
                words.add(w)
    return words


def names_concern(label: str, code: str, coded: Coded, tokenizer: Tokenizer) -> bool:
    """Does the label contain a content word of the code's name or definition?"""
    name, definition = coded.codes.get(code, ("", ""))
    wanted = content_words(f"{name}。{definition}", tokenizer)
    norm = normalize(label)
    have = content_words(label, tokenizer)
    return bool(wanted & have) or any(len(w) > 1 and w in norm for w in wanted)


def rule_problems(labels: list[str], title: str, answers_text: str, tokenizer: Tokenizer) -> list[str]:
    """The label rules of the issue that `labels` (one question's, その他 left out) break."""
    problems = []
    words_of = [content_words(label, tokenizer) for label in labels]
    title_words = content_words(title, tokenizer)
    counts = Counter(w for ws in words_of for w in ws)
    common = {w for w, n in counts.items() if len(labels) >= 3 and n > len(labels) / 2}
    runs = {m.group() for m in _ASCII_RUN.finditer(normalize(answers_text))}
    seen_parts: dict[frozenset, str] = {}
    for label, words in zip(labels, words_of):
        parts = [p for p in label.split("・") if p]
        if len(parts) == 2 and all(len(tokenizer.tokens(normalize(p))) == 1 for p in parts):
            problems.append(f"「{label}」: two bare words joined by ・")
        if words & title_words:
            problems.append(f"「{label}」: a word of the question's title ({'・'.join(sorted(words & title_words))})")
        if words & common:
            problems.append(f"「{label}」: a word in most labels ({'・'.join(sorted(words & common))})")
        for m in _ASCII_RUN.finditer(normalize(label)):
            if m.group() not in runs and any(m.group() in r for r in runs):
                problems.append(f"「{label}」: a broken token ({m.group()})")
        if len(label) > MAX_LABEL:
            problems.append(f"「{label}」: longer than {MAX_LABEL} characters")
        key = frozenset(parts)
        if len(parts) > 1 and key in seen_parts:
            problems.append(f"「{label}」: the same words as 「{seen_parts[key]}」 in another order")
        seen_parts.setdefault(key, label)
    return problems


def score(coded: Coded, tokenizer: Tokenizer, seed: int = 0) -> tuple[dict, list[str]]:
    """One question's row of the table, and the label problems found."""
    result = analyse(coded.answers, dataclasses.replace(coded.config, seed=seed))[0]
    truth, found = [], []
    members: dict[int, list[str]] = {}
    other_ids = {t.theme_id for t in result.themes if t.key == "other"}
    kept = 0
    for a in result.assignments:
        code, _, excluded = coded.gold.get(a.answer.id, ("", (), "x"))
        if a.theme_id < 0 or excluded or not code or code == "none":
            continue
        kept += 1
        truth.append(code)
        found.append(a.theme_id)
        members.setdefault(a.theme_id, []).append(a.answer.id)
    themes = [t for t in result.themes if t.theme_id not in other_ids and members.get(t.theme_id)]
    majority = {t.theme_id: Counter(coded.gold[i][0] for i in members[t.theme_id]).most_common(1)[0][0]
                for t in themes}
    named = sum(names_concern(t.label, majority[t.theme_id], coded, tokenizer) for t in themes)
    in_majority = sum(Counter(coded.gold[i][0] for i in members[t.theme_id]).most_common(1)[0][1] for t in themes)
    quotes = [(t.theme_id, q.id) for t in themes for q in t.quotes if q.id in coded.gold]
    pure = sum(majority[c] in coded.gold[i][1] for c, i in quotes)
    strict = sum(majority[c] == coded.gold[i][0] for c, i in quotes)
    largest = max(themes, key=lambda t: len(members[t.theme_id])) if themes else None
    largest_purity = (Counter(coded.gold[i][0] for i in members[largest.theme_id]).most_common(1)[0][1]
                      / len(members[largest.theme_id])) if largest else float("nan")
    in_other = sum(len(members.get(c, [])) for c in other_ids)
    answers_text = "\n".join(a.raw for a in coded.answers)
    problems = rule_problems([t.label for t in result.themes if t.theme_id not in other_ids], coded.title,
                             answers_text, tokenizer)
    row = {"data": coded.name, "n": len(truth), "_themes": len(themes), "_named": named, "_quotes": len(quotes),
           "theme purity": in_majority / len(truth) if truth else float("nan"),
           "_pure": pure, "_strict": strict,
           "NMI": normalized_mutual_info_score(truth, found) if truth else float("nan"),
           "themes": len(themes), "labels naming the concern": named / len(themes) if themes else float("nan"),
           "label rules broken": len(problems),
           "quote purity": pure / len(quotes) if quotes else float("nan"),
           "quote purity (dominant)": strict / len(quotes) if quotes else float("nan"),
           "largest theme": f"{largest.label} {len(members[largest.theme_id]) / kept:.0%}" if largest else "",
           "largest purity": largest_purity, "in その他": in_other / kept if kept else float("nan")}
    return row, [f"{coded.name} {p}" for p in problems] + [
        f"{coded.name} label 「{t.label}」 ≠ {majority[t.theme_id]} {coded.codes.get(majority[t.theme_id], ('?',))[0]}"
        for t in themes if not names_concern(t.label, majority[t.theme_id], coded, tokenizer)]


COLUMNS = ("data", "n", "NMI", "themes", "labels naming the concern", "label rules broken", "quote purity",
           "quote purity (dominant)", "theme purity", "largest theme", "largest purity", "in その他")


def evaluate(seed: int = 0) -> tuple[str, list[str]]:
    """The table (one row per coded question, then the totals of the bundled survey and of the
    real answers: NMI weighted by answers, the smallest largest-theme purity) and the label
    problems and misses, one line each. (Other seeds give the same themes on these sets: their
    SVDs are exact and k-means starts from Ward's partition.)"""
    tokenizer = Tokenizer()
    rows, notes = [], []
    for coded in bundled() + fukui():
        row, problems = score(coded, tokenizer, seed)
        rows.append(row)
        notes += problems
    for name, prefix in (("bundled survey (all)", "corpus:"), ("real answers (all)", "fukui:")):
        part = [r for r in rows if r["data"].startswith(prefix)]
        if part:
            rows.append(_total(f"**{name}**", part))
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(_cell(r.get(c, "")) for c in COLUMNS) + " |")
    return "\n".join(lines), notes


IN_CONTEXT_COLUMNS = ("data", "n", "NMI", "themes", "labels naming the concern", "theme purity", "largest theme",
                      "largest purity")


def in_context(data: Path, seed: int = 0) -> str | None:
    """The coded Fukui answers scored where a user meets them: each coded question analysed whole
    (all its answers in fukui_kanko_survey/all_answers.csv, 11,222 and 15,161), only the coded
    answers scored — NMI, how many of the themes they fall in are named for their majority code,
    the share of them in their theme's majority code (theme purity) and the largest theme; then
    the label problems and the labels that miss their concern, one line each. None when the file
    is not there."""
    path = data / "fukui_kanko_survey" / "all_answers.csv"
    coded_questions = fukui()
    if not path.is_file() or not coded_questions:
        return None
    tokenizer = Tokenizer()
    everything = load(path, coded_questions[0].config)
    rows, notes = [], []
    for coded in coded_questions:
        question = coded.answers[0].question
        whole = [a for a in everything if a.question == question]
        row, found = score(dataclasses.replace(coded, name=f"{coded.name} (whole)", answers=whole), tokenizer, seed)
        row["data"] = f"{coded.name} in its {len(whole):,} answers"
        rows.append(row)
        notes += found
    total = _total("**coded real answers in their whole questions**", rows)
    lines = ["| " + " | ".join(IN_CONTEXT_COLUMNS) + " |", "|" + "---|" * len(IN_CONTEXT_COLUMNS)]
    for r in rows + [total]:
        lines.append("| " + " | ".join(_cell(r.get(c, "")) for c in IN_CONTEXT_COLUMNS) + " |")
    return "\n".join(lines + [f"- {n}" for n in notes])


RESAMPLES = 5
LEFT_OUT = 0.02  # of each question's answers, per resample


def resampled(resamples: int = RESAMPLES, seed: int = 0) -> str:
    """How much the totals move when a few answers are missing: the table's totals recomputed
    `resamples` times, each time without a seeded LEFT_OUT of every question's answers (2 %: 3–4
    of 180), as mean and range. On five to ten themes a question, one theme more or less named
    moves a total by 0.05–0.1: a change smaller than these ranges is not shown by one run."""
    import random

    tokenizer = Tokenizer()
    totals: dict[str, list[dict]] = {}
    for r in range(1, resamples + 1):
        rows = []
        for coded in bundled() + fukui():
            rng = random.Random(f"{coded.name}/{r}")
            drop = set(rng.sample([a.id for a in coded.answers], max(1, round(LEFT_OUT * len(coded.answers)))))
            rows.append(score(dataclasses.replace(coded, answers=[a for a in coded.answers if a.id not in drop]),
                              tokenizer, seed)[0])
        for name, prefix in (("bundled survey (all)", "corpus:"), ("real answers (all)", "fukui:")):
            part = [row for row in rows if row["data"].startswith(prefix)]
            if part:
                totals.setdefault(name, []).append(_total(name, part))
    columns = ("NMI", "labels naming the concern", "quote purity", "largest purity")
    lines = [f"| {resamples} resamples, {LEFT_OUT:.0%} of answers left out each | " + " | ".join(columns) + " |",
             "|" + "---|" * (len(columns) + 1)]
    for name, runs in totals.items():
        cells = []
        for c in columns:
            values = [t[c] for t in runs]
            cells.append(f"{sum(values) / len(values):.3f} ({min(values):.3f}–{max(values):.3f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _total(name: str, part: list[dict]) -> dict:
    themes, quotes = sum(r["_themes"] for r in part), sum(r["_quotes"] for r in part)
    return {"data": name, "n": sum(r["n"] for r in part), "themes": themes,
            "NMI": sum(r["NMI"] * r["n"] for r in part) / max(sum(r["n"] for r in part), 1),
            "labels naming the concern": sum(r["_named"] for r in part) / themes if themes else float("nan"),
            "label rules broken": sum(r["label rules broken"] for r in part),
            "quote purity": sum(r["_pure"] for r in part) / quotes if quotes else float("nan"),
            "quote purity (dominant)": sum(r["_strict"] for r in part) / quotes if quotes else float("nan"),
            "theme purity": sum(r["theme purity"] * r["n"] for r in part) / max(sum(r["n"] for r in part), 1),
            "largest purity": min(r["largest purity"] for r in part)}


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.3f}"
    return str(value)


if __name__ == "__main__":  # python tools/theme_quality.py [seed]: these tables alone, in seconds
    import sys

    table, notes = evaluate(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(table)
    print("\n".join(f"- {n}" for n in notes))
    print()
    print(resampled(seed=int(sys.argv[1]) if len(sys.argv) > 1 else 0))
