"""`make eval`: theme quality against labelled data.

    python tools/evaluate.py [--data ../shared/data] [--seeds 5] [--guided-only]

- the bundled survey (`corpus/`), `--k auto`, against our own coding (corpus/survey_coding.csv):
  NMI, ARI and V-measure per question, themes found vs coded, stability across seeds (ARI of
  each seed's themes against seed 0's), and non-answer precision and recall;
- guided coding (`pipeline.guided.code`) of the bundled survey with the codes of
  corpus/src/codebook.toml as the codebook: accuracy and macro-F1 against the dominant code with
  keywords (corpus/src/guided_keywords.toml) and 1, 3 or 5 examples per code, and with 3 examples
  and no keywords; then the method alternatives; the same for the hand-coded real answers of
  corpus/fukui/ (held out: the method was not chosen on them alone; their codebooks' definitions
  are the descriptions, their その他 code is scored as その他, their excluded answers left out);
- MewsC-16-ja (JMTEB's clustering set) with `--k 12` and livedoor news titles with `--k 9`
  (series tags 【…】 stripped: they give the category away), from `--data`;
- no_issue on real answers: the hand-coded Fukui samples (corpus/fukui/inconv_coding.csv and
  facreq_coding.csv, `excluded` = non_answer / no_issue / empty): precision and recall of setting
  answers aside, and every real concern set aside, with the question's framing read from its
  answers and from its title.
Answers are scored by their dominant theme against their dominant code; answers the coding
excludes are left out of the theme scores (they are scored by the non-answer figures).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import re
import sys
import time
import tomllib
from collections import OrderedDict
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, adjusted_rand_score, f1_score, normalized_mutual_info_score, v_measure_score

from pipeline import guided, wordvectors
from pipeline.codebook import OTHER_KEY, CodebookTheme
from pipeline.config import Config, build, read_toml
from pipeline.load import load
from pipeline.records import Answer
from pipeline.run import analyse, prepare

ROOT = Path(__file__).resolve().parent.parent
SERIES_TAG = re.compile(r"【[^】]*】")


def scores(truth: list[str], found: list[int]) -> dict[str, float]:
    return {"NMI": normalized_mutual_info_score(truth, found), "ARI": adjusted_rand_score(truth, found),
            "V": v_measure_score(truth, found)}


def evaluate_corpus(seeds: int) -> list[dict]:
    config = build(read_toml(ROOT / "corpus" / "survey.toml"))
    answers = load(ROOT / "corpus" / "survey.csv", config)
    with (ROOT / "corpus" / "survey_coding.csv").open(encoding="utf-8", newline="") as f:
        coding = {(r["id"], r["question"]): r for r in csv.DictReader(f)}
    runs = [analyse(answers, dataclasses.replace(config, seed=s)) for s in range(seeds)]
    rows = []
    tp = fp = fn = 0
    for qi, result in enumerate(runs[0]):
        truth, found = [], []
        for a in result.assignments:
            code = coding[(a.answer.id, result.question)]
            excluded_truth = bool(code["excluded"])
            tp += bool(a.excluded_reason) and excluded_truth
            fp += bool(a.excluded_reason) and not excluded_truth
            fn += (not a.excluded_reason) and excluded_truth
            if a.theme_id >= 0 and code["code"]:
                truth.append(code["code"])
                found.append(a.theme_id)
        stability = [adjusted_rand_score([a.theme_id for a in result.assignments],
                                         [a.theme_id for a in run[qi].assignments]) for run in runs[1:]]
        rows.append({"data": f"corpus: {result.question}", "n": len(truth), **scores(truth, found),
                     "k found": result.k_chosen, "k coded": len(set(truth)),
                     "stability (min ARI)": min(stability) if stability else float("nan")})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    rows.append({"data": "corpus: non-answers", "n": tp + fn, "precision": precision, "recall": recall})
    return rows


GUIDED_SETTINGS = [("keywords + 1 example", True, 1), ("keywords + 3 examples", True, 3),
                   ("keywords + 5 examples", True, 5), ("3 examples, no keywords", False, 3)]
# Method alternatives compared with keywords + 3 examples: (name, code() options).
GUIDED_ALTERNATIVES: list[tuple[str, dict]] = [
    # the chosen method; what each of its parts adds (the names as one seed among the answers, the
    # similarity alone for answers with several themes' keywords); the similarity methods with and
    # without the code names (nothing to その他, so that only the method differs); then variants
    ("seeded k-means, names half the prototype, most keywords (chosen)", dict(describe=True)),
    ("… names as one seed (before)", dict(describe=True, anchor_weight=0.0)),
    ("… several themes' keywords: similarity alone", dict(describe=True, multi="similarity")),
    ("… names as one seed, similarity alone (before)", dict(describe=True, anchor_weight=0.0, multi="similarity")),
    ("… keywords the examples and names contradict dropped", dict(describe=True, keyword_check=True)),
    ("seeded k-means + names, no その他", dict(method="kmeans", describe=True, other_factor=0.0, min_fit=0.0)),
    ("nearest prototype + names, no その他", dict(method="centroid", describe=True, other_factor=0.0, min_fit=0.0)),
    ("label spreading + names, no その他", dict(method="spreading", describe=True, other_factor=0.0, min_fit=0.0)),
    ("logistic regression + names, no その他", dict(method="logistic", describe=True, other_factor=0.0, min_fit=0.0)),
    ("seeded k-means, no その他", dict(method="kmeans", other_factor=0.0, min_fit=0.0)),
    ("nearest prototype, no その他", dict(method="centroid", other_factor=0.0, min_fit=0.0)),
    ("label spreading, no その他", dict(method="spreading", other_factor=0.0, min_fit=0.0)),
    ("logistic regression, no その他", dict(method="logistic", other_factor=0.0, min_fit=0.0)),
    ("k-means + names, keywords only as seeds", dict(describe=True, trust_keywords=False)),
    ("k-means + names, その他 prototype 0.75", dict(describe=True, other_factor=0.75)),
    ("k-means + names, その他 seeds 0.5", dict(describe=True, other_rule="seeds")),
    ("k-means + names, その他 background 0.9", dict(describe=True, other_rule="background", other_factor=0.9)),
]


def guided_question(question: str, items: list, codes: dict[str, str], descriptions: dict[str, str],
                    keywords: dict[str, list[str]], gold: dict[str, str], config: Config, vectors, seed: int = 0) -> tuple:
    """One question's data for `guided_scores`: (question, its answers, reps, vectors of reps alone,
    id → gold dominant code of every answer the gold coding keeps, code → name, code → keywords,
    the vectors of reps and of the codes' texts when these are vectorised together, the codes'
    descriptions and the prepared codes' texts)."""
    reps, x = guided.question_vectors(items, seed, vectors)
    names = prepare([Answer(id=f"_{c}", question=question, row=0,
                            raw=guided.theme_text(CodebookTheme(key=c, label=label, question=question,
                                                                description=descriptions.get(c, label))))
                     for c, label in codes.items()], config)
    _, both = guided.question_vectors(items, seed, vectors, extra=names)
    return (question, items, reps, x, gold, dict(codes), dict(keywords), both[:len(reps)], both[len(reps):],
            dict(descriptions), names)


def guided_data(seed: int = 0) -> list[tuple]:
    """Per question of the bundled survey (`guided_question`): the codes of corpus/src/codebook.toml
    (names as labels, definitions as descriptions), the keywords of
    corpus/src/guided_keywords.toml and the gold dominant code of corpus/survey_coding.csv."""
    config = build(read_toml(ROOT / "corpus" / "survey.toml"))
    answers = load(ROOT / "corpus" / "survey.csv", config)
    with (ROOT / "corpus" / "survey_coding.csv").open(encoding="utf-8", newline="") as f:
        coding = {(r["id"], r["question"]): r for r in csv.DictReader(f)}
    book = tomllib.loads((ROOT / "corpus" / "src" / "codebook.toml").read_text(encoding="utf-8"))["questions"]
    words = tomllib.loads((ROOT / "corpus" / "src" / "guided_keywords.toml").read_text(encoding="utf-8"))
    by_title = {q["title"]: (name, q["codes"], q.get("definitions", {})) for name, q in book.items()}
    vectors = wordvectors.load() if config.word_vectors else None
    by_question: OrderedDict[str, list] = OrderedDict()
    for p in prepare(answers, config):
        by_question.setdefault(p.answer.question, []).append(p)
    out = []
    for question, items in by_question.items():
        name, codes, definitions = by_title[config.question_title(question)]
        gold = {p.answer.id: coding[(p.answer.id, question)]["code"] for p in items
                if coding[(p.answer.id, question)]["code"] and not coding[(p.answer.id, question)]["excluded"]}
        descriptions = {c: definitions.get(c, label) for c, label in codes.items()}
        out.append(guided_question(question, items, dict(codes), descriptions, dict(words.get(name, {})), gold,
                                   config, vectors, seed))
    return out


FUKUI = ROOT / "corpus" / "fukui"
FUKUI_QUESTIONS = ("inconv", "facreq")


def fukui_data(seed: int = 0) -> list[tuple]:
    """Per question of the hand-coded real answers in corpus/fukui/ (`guided_question`), those whose
    files are all there: the codes of <q>_codebook.toml with their names as labels and their
    definitions as descriptions, the keywords of <q>_guided_keywords.toml, and the dominant code
    of <q>_coding.csv for the answers it does not exclude. The code named その他 is no theme: an
    answer coded to it is right when guided coding puts it in その他 (a check of the threshold)."""
    config = Config(id_col="id", text_cols=("text",), question_col="question", attr_cols=("area", "age_band"),
                    seed=seed)
    vectors = wordvectors.load() if config.word_vectors else None
    out = []
    for q in FUKUI_QUESTIONS:
        files = [FUKUI / f"{q}_{part}" for part in ("sample.csv", "coding.csv", "codebook.toml", "guided_keywords.toml")]
        if not all(f.is_file() for f in files):
            continue
        answers = [a for a in load(files[0], config) if a.question == q]
        with files[1].open(encoding="utf-8", newline="") as f:
            coding = {r["id"]: r for r in csv.DictReader(f) if r["question"] == q}
        book = tomllib.loads(files[2].read_text(encoding="utf-8"))["questions"][q]
        other = {c for c, label in book["codes"].items() if label.strip() == "その他"}
        codes = {c: label for c, label in book["codes"].items() if c not in other}
        words = tomllib.loads(files[3].read_text(encoding="utf-8")).get(q, {})
        gold = {i: (OTHER_KEY if r["code"] in other else r["code"]) for i, r in coding.items()
                if r["code"] and r["code"] != "none" and not r["excluded"]}
        items = [p for p in prepare(answers, config) if p.answer.id in coding]
        out.append(guided_question(q, items, codes, dict(book.get("definitions", {})), dict(words), gold, config,
                                   vectors, seed))
    return out


def guided_scores(data, keywords: bool, n_examples: int, seed: int = 0, describe: bool = False,
                  **options) -> list[dict]:
    """Code every question with `guided.code` and score it against the gold dominant code on the
    answers the gold coding keeps, examples left out; an answer coded その他 (or set aside by
    the pipeline as a non-answer) counts as wrong. `describe`: the code names join the
    prototypes (`code(described=…)`)."""
    rows = []
    for question, items, reps, x, gold, codes, words, x_named, named, descriptions, _ in data:
        if describe:
            x, options = x_named, {**options, "described": named}
        rng = np.random.default_rng(seed)
        rep_ids = {p.answer.id for p in reps}
        themes, examples = [], set()
        for code, label in codes.items():
            pool = sorted(i for i in rep_ids if gold.get(i) == code)
            picked = [str(i) for i in rng.choice(pool, size=min(n_examples, len(pool)), replace=False)]
            examples.update(picked)
            themes.append(CodebookTheme(key=code, label=label, question=question,
                                        description=descriptions.get(code, label),
                                        keywords=tuple(words.get(code, ())) if keywords else (),
                                        examples=tuple(sorted(picked))))
        coded = guided.code(reps, x, themes, seed=seed, **options)
        by_norm = {p.norm: c.key for p, c in zip(reps, coded)}
        truth, found = [], []
        for p in items:
            if p.answer.id in gold and p.answer.id not in examples:
                truth.append(gold[p.answer.id])
                found.append(by_norm.get(p.norm, OTHER_KEY) if p.kept else OTHER_KEY)
        # macro-F1 over the codes that are in the gold or coded: a code whose few answers were all
        # drawn as examples (Fukui F11 has 3) would add an F1 of 0 that says nothing of the coding
        labels = sorted(c for c in codes if c in truth or c in found)
        rows.append({"question": question, "n": len(truth), "accuracy": accuracy_score(truth, found),
                     "macro-F1": f1_score(truth, found, labels=labels, average="macro", zero_division=0),
                     "other": float(np.mean([f == OTHER_KEY for f in found]))})
    return rows


def evaluate_guided(seeds: int = 5, data: list[tuple] | None = None, title: str = "the bundled survey") -> str:
    """The guided-coding tables (markdown) of `data` (default `guided_data()`): settings, then
    method alternatives; each figure is the mean over `seeds` draws of the examples."""
    data = guided_data() if data is None else data

    def averaged(keywords: bool, n_examples: int, **options) -> list[dict]:
        runs = [guided_scores(data, keywords, n_examples, seed=s, **options) for s in range(seeds)]
        return [{k: (float(np.mean([r[i][k] for r in runs])) if k in ("accuracy", "macro-F1", "other") else v)
                 for k, v in row.items()} for i, row in enumerate(runs[0])]

    def lines(rows: list[dict], first: str) -> list[str]:
        out = []
        for r in rows + [{"question": "(mean)", "n": sum(r["n"] for r in rows),
                          **{k: float(np.mean([r[k] for r in rows])) for k in ("accuracy", "macro-F1", "other")}}]:
            out.append(f"| {r['question']} | {first} | {r['n']} | {r['accuracy']:.3f} | {r['macro-F1']:.3f} | {r['other']:.3f} |")
        return out

    head = ["| question | {} | n | accuracy | macro-F1 | share その他 |", "|---|---|---|---|---|---|"]
    text = [f"guided coding of {title} (mean over {seeds} draws of the examples; method {guided.DEFAULT_METHOD},"
            " code names and descriptions vectorised with the answers, half of each prototype)",
            head[0].format("setting"), head[1]]
    for name, keywords, n_examples in GUIDED_SETTINGS:
        text += lines(averaged(keywords, n_examples, describe=True), name)
    text += ["", f"guided coding of {title}, method alternatives (keywords + 3 examples)", head[0].format("method"),
             head[1]]
    for name, options in GUIDED_ALTERNATIVES:
        text += lines(averaged(True, 3, **options), name)
    text += ["", f"guided coding of {title}, method alternatives (3 examples, no keywords)", head[0].format("method"),
             head[1]]
    keyword_options = {"trust_keywords", "multi", "keyword_check"}  # nothing to compare without keywords
    for name, options in [a for a in GUIDED_ALTERNATIVES if not keyword_options & set(a[1])]:
        text += lines(averaged(False, 3, **options), name)
    return "\n".join(text)


def guided_tables() -> str:
    """The guided-coding tables of the bundled survey, then of the real Fukui answers when present."""
    t = time.perf_counter()
    text = evaluate_guided() + f"\n({time.perf_counter() - t:.1f} s)"
    t = time.perf_counter()
    fukui = fukui_data()
    if fukui:
        text += "\n\n" + evaluate_guided(data=fukui, title="the real Fukui answers (corpus/fukui)")
        text += f"\n({time.perf_counter() - t:.1f} s)"
    else:
        print(f"skipped guided coding of the Fukui answers: {FUKUI} incomplete", file=sys.stderr)
    return text


def read_labelled(path: Path, strip_tags: bool = False) -> tuple[list[Answer], list[str]]:
    answers, labels = [], []
    with path.open(encoding="utf-8") as f:
        next(f)
        for n, line in enumerate(f, start=1):
            rid, label, text = line.rstrip("\n").split("\t", 2)
            if strip_tags:
                text = SERIES_TAG.sub(" ", text).strip()
            answers.append(Answer(id=rid, question="text", row=n, raw=text))
            labels.append(label)
    return answers, labels


def evaluate_labelled(name: str, path: Path, k: int, strip_tags: bool = False) -> dict:
    answers, labels = read_labelled(path, strip_tags)
    result = analyse(answers, Config(k=k, seed=0))[0]
    truth, found = [], []
    for a, label in zip(result.assignments, labels):
        if a.theme_id >= 0:
            truth.append(label)
            found.append(a.theme_id)
    return {"data": f"{name} (--k {k})", "n": len(truth), **scores(truth, found), "k found": result.k_chosen,
            "k coded": len(set(labels)), "excluded": len(labels) - len(truth)}


# --- no_issue on real answers ------------------------------------------------------------------

NO_ISSUE_SETS = [("inconv", "不便さの内容"), ("facreq", "施設に求めるもの")]  # sample, its question as FTAS asks it


def no_issue_scores(code: str, title: str | None) -> tuple[dict, list[str]]:
    """Set-aside figures of one hand-coded Fukui sample: (row of the table, lines naming the
    answers coded as real concerns that were set aside, then the coded non-answers and no_issue
    answers that were kept or given the other reason). `title`: the question's title (framing from it), or None (the code name says nothing:
    framing from the answers)."""
    from pipeline.run import set_aside_no_issue

    folder = ROOT / "corpus" / "fukui"
    with (folder / f"{code}_sample.csv").open(encoding="utf-8", newline="") as f:
        sample = list(csv.DictReader(f))
    with (folder / f"{code}_coding.csv").open(encoding="utf-8", newline="") as f:
        gold = {r["id"]: r["excluded"] for r in csv.DictReader(f)}
    config = Config(word_vectors=False, workers=1, question_titles=((code, title),) if title else ())
    answers = [Answer(id=r["id"], question=code, row=n, raw=r["text"]) for n, r in enumerate(sample, start=1)]
    by_question = OrderedDict([(code, prepare(answers, config))])
    framing = set_aside_no_issue(by_question, config)[code]
    found = {p.answer.id: p.excluded_reason for p in by_question[code]}
    text = {r["id"]: r["text"].replace("\n", " ") for r in sample}
    row: dict = {"data": f"{code} ({'title' if title else 'answers'}: {framing.asks})", "n": len(sample)}
    for name, test in (("aside", bool), ("no_issue", lambda why: why == "no_issue")):
        tp, fp, fn = _confusion([(test(found[i]), test(gold[i])) for i in gold])
        row[f"{name} P"] = tp / (tp + fp) if tp + fp else float("nan")
        row[f"{name} R"] = tp / (tp + fn) if tp + fn else float("nan")
        row[f"{name} coded"] = tp + fn
    wrong = [i for i in gold if found[i] and not gold[i]]
    missed = [i for i in gold if gold[i] and gold[i] != found[i]]
    row["concerns set aside"] = len(wrong)
    lines = [f"  {code}: real concern set aside as {found[i]}: {i} 「{text[i]}」" for i in wrong]
    lines += [f"  {code}: coded {gold[i]}, {found[i] or 'kept'}: {i} 「{text[i]}」" for i in missed]
    return row, lines


def _confusion(pairs: list[tuple[bool, bool]]) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of (found, coded) pairs."""
    return (sum(f and g for f, g in pairs), sum(f and not g for f, g in pairs),
            sum(g and not f for f, g in pairs))


def evaluate_no_issue() -> str:
    """The no_issue section (markdown table, then the answers behind the errors)."""
    rows, lines = [], []
    for code, title in NO_ISSUE_SETS:
        for framed_by in (None, title):
            row, found = no_issue_scores(code, framed_by)
            rows.append(row)
            if framed_by is None:  # the same answers either way unless the framing differs
                lines += found
    cols = ["data", "n", "aside coded", "aside P", "aside R", "no_issue coded", "no_issue P", "no_issue R",
            "concerns set aside"]
    out = ["no_issue on real answers (hand-coded Fukui samples; aside = non_answer + no_issue + empty)",
           "| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        out.append("| " + " | ".join(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + " |")
    return "\n".join(out + lines + ["", made_no_issue()])


MADE = ROOT / "corpus" / "noissue_made.tsv"


def made_no_issue() -> str:
    """Setting aside on the answers written for the purpose by helpers who had not seen the module
    (corpus/noissue_made.tsv: its header names the sets), per set and half: `dev` was read while
    the method was changed, `test` only measured. Each answer is read alone with the framing it was
    written for, as `nonanswer.reason` and then `noissue.kind` read its normalised text in a run
    (masking aside)."""
    from pipeline import noissue
    from pipeline.nonanswer import reason
    from pipeline.normalize import normalize

    with MADE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    out = ["no_issue on answers written for it (corpus/noissue_made.tsv; dev read while changing the method, test only measured)",
           "| set | half | n | aside coded | aside P | aside R | concerns set aside |", "|---|---|---|---|---|---|---|"]
    for group, half in [(g, h) for g in dict.fromkeys(r["set"] for r in rows) for h in ("dev", "test")]:
        part = [r for r in rows if r["set"] == group and r["half"] == half]
        if not part:
            continue
        norms = [normalize(r["text"]) for r in part]
        found = [bool(reason(t)) or noissue.applies(noissue.kind(t), r["asks"]) for t, r in zip(norms, part)]
        tp, fp, fn = _confusion(list(zip(found, (r["expected"] != "keep" for r in part))))
        out.append(f"| {group} | {half} | {len(part)} | {tp + fn} | {tp / max(tp + fp, 1):.3f} | {tp / max(tp + fn, 1):.3f} | {fp} |")
    return "\n".join(out)


COLUMNS = ["data", "n", "NMI", "ARI", "V", "k found", "k coded", "stability (min ARI)", "precision", "recall",
           "excluded", "seconds"]


def table(rows: list[dict]) -> str:
    cols = [c for c in COLUMNS if any(c in r for r in rows)]

    def cell(column: str, value) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.1f}" if column == "seconds" else f"{value:.3f}"
        return str(value)

    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(cell(c, r[c]) if c in r else "" for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/evaluate.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--guided-only", action="store_true", help="only the guided-coding tables")
    args = parser.parse_args(argv)
    data = Path(args.data)
    rows = []
    start = time.perf_counter()
    if args.guided_only:
        print(guided_tables())
        print(f"\ntotal {time.perf_counter() - start:.1f} s")
        return 0
    t = time.perf_counter()
    corpus = evaluate_corpus(args.seeds)
    corpus[0]["seconds"] = time.perf_counter() - t
    rows += corpus
    for name, sub, k, strip in (("MewsC-16-ja", "mewsc16_ja", 12, False), ("livedoor titles", "livedoor_titles", 9, True)):
        path = data / sub / "data.tsv"
        if not path.is_file():
            print(f"skipped {name}: {path} not found", file=sys.stderr)
            continue
        t = time.perf_counter()
        row = evaluate_labelled(name, path, k, strip)
        row["seconds"] = time.perf_counter() - t
        rows.append(row)
    print(table(rows))
    import theme_quality  # tools/theme_quality.py, beside this script (on sys.path when run as one)

    t = time.perf_counter()
    quality, notes = theme_quality.evaluate()
    print("\nautomatic themes as an analyst would judge them (labels, quotes, the largest theme; tools/theme_quality.py)")
    print(quality)
    print("\nthe same totals without a few answers (how far one run's figures can be trusted):")
    print(theme_quality.resampled())
    print(f"({time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    whole = theme_quality.in_context(data)
    if whole is None:
        print(f"skipped the coded answers in their whole questions: {data / 'fukui_kanko_survey'} not found",
              file=sys.stderr)
    else:
        print("\nthe coded real answers where a user meets them: each coded question analysed whole, only its coded"
              " answers scored")
        print(whole)
        print(f"({time.perf_counter() - t:.1f} s)")
    print("\nlabel problems and labels that miss their concern:")
    print("\n".join(f"- {n}" for n in notes) or "- none")
    print("\n" + evaluate_no_issue())
    print("\n" + guided_tables())
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
