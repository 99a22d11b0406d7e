"""Guided coding: every answer coded to the codebook theme it fits best, with a Japanese reason.

Evidence, strongest first (see `code`):
(a) an answer listed in a theme's `examples` is always coded to that theme (「例 K0044」);
(b) a theme's `rule` (a KH Coder condition, `rules.parse_condition`) that matches the answer
    (「ルール: 書類 | 報告書（書類）」);
(c) the theme's `keywords` (minus its `exclude`) found in the answer (「キーワード: 書類・報告書」);
when (b) points at several themes, the similarity below decides among those themes only; when
(c) does, among the themes with the most of their keywords in the answer (`multi`);
(d) every other answer by similarity to the themes' prototypes in the answers' vector space:
    each theme's seeds (examples and answers with exactly one theme's rule or keyword evidence)
    make a mean vector; every other answer joins its nearest one and the means are recomputed
    until nothing moves (seeded k-means; seeds never move). The reason names the theme's seed
    closest to the answer (「例 K0120 に近い (0.82)」); an answer too far from every prototype
    goes to その他 (key "other", 「どのテーマにも近くない」). The label and description, when
    vectorised with the answers (`question_vectors(extra=…)`, `code(described=…)`), are half of
    their theme's prototype: the unit mean of the answers plus the unit mean of the theme's own
    words (`ANCHOR_WEIGHT`). They are what staff wrote to say what the theme is, a second source
    of evidence as strong as all the answers together; as one more seed among the answers (the
    earlier rule) they were drowned by the keyword answers, which are many and share the
    keyword's words, not the theme's meaning.

Measured (tools/evaluate.py, "guided coding": mean over 5 draws of the examples, accuracy on the
answers that are not examples; the bundled survey's codebook has names only, the real Fukui
answers' codebooks (corpus/fukui, held out) have one-sentence definitions):

| setting | bundled, before | bundled, now | Fukui, before | Fukui, now |
|---|---|---|---|---|
| keywords + 1 example | 0.751 | 0.773 | 0.570 | 0.629 |
| keywords + 3 examples | 0.770 | 0.784 | 0.581 | 0.635 |
| keywords + 5 examples | 0.781 | 0.801 | 0.606 | 0.641 |
| 3 examples, no keywords | 0.750 | 0.769 | 0.546 | 0.625 |

Of that, the names as half the prototype give +1.0 / +5.0 points (keywords + 3 examples, bundled /
Fukui), the most-keywords rule +0.2 / +0.6 (similarity alone among the keyword themes was right on
44 of 82 such answers of the bundled survey, the most keywords then similarity on 53). The
representation is the limit: a nearest-mean coder given every gold label (leave one out) reaches
only 0.79 on the bundled survey (0.73 on the answers no keyword finds) and 0.74 / 0.57 on the
Fukui questions; with the keywords' answers coded at their measured precision (0.93) and the rest
at that ceiling, the bundled survey would reach about 0.81, so 0.85 is out of reach of any
prototype in this space. Tried and not kept (both sets measured): a logistic regression on the
evidence (examples, keyword answers, names) over the dense vectors with or without the sparse word
and character TF-IDF (0.72–0.74 bundled), with self-training rounds (lower); keywords widened by
word vectors (cosine ≥ 0.6: +0.1 bundled, −0.8 Fukui); dropping keywords whose answers lie nearer
another theme's examples and names (`keyword_check`: −0.9 bundled, +0.4 Fukui); the keywords added
to the theme's text (+1.0 bundled, −0.4 Fukui); coding multi-point answers by their first or best
point (no gain); an example third of the prototype besides the names' (−4 points without
keywords); keywords only as seeds, similarity coding their answers too (`trust_keywords=False`:
−0.4 / −0.2). Keywords stay evidence that decides: coding an answer alone, they are right on 93 %
of the bundled survey's answers but on only 78 % / 67 % of the Fukui answers (generic words such
as 場所・施設・店), and where they and the similarity disagree, each is right about as often.

The similarity method and the その他 threshold were chosen by measurement on the bundled survey;
the alternatives stay selectable for the comparison (tools/evaluate.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.codebook import OTHER_KEY, CodebookTheme
from pipeline.normalize import normalize
from pipeline.records import Prepared
from pipeline.rules import Condition, parse_condition

METHODS = ("centroid", "kmeans", "spreading", "logistic")
DEFAULT_METHOD = "kmeans"  # nearest prototype, refined as seeded k-means: best on the bundled survey
# その他 (rule "prototype", the default): an answer whose score for its best theme is below
# OTHER_FACTOR × the 10th percentile of the seeds' scores for their own theme — relative to how
# close the question's own seeds are to their prototypes, not a fixed cosine. Rules compared:
# "seeds" (OTHER_FACTOR × the median cosine of a seed to its closest seed of the same theme,
# against the answer's closest seed) and "background" (the OTHER_FACTOR quantile of the cosines
# of all pairs of answers, against the answer's closest seed).
OTHER_RULES = ("prototype", "seeds", "background")
DEFAULT_OTHER_RULE = "prototype"
OTHER_FACTOR = 0.5
# Whatever the seeds' own scores, an answer no theme scores at least this high fits none: without it
# a theme known only by its name drew unrelated answers (「資金が足りない」 into 「宇宙開発」). On the
# bundled survey (whose coding has no その他, so every その他 counts as wrong) 0.1 moved 2–3 % of the
# answers to その他 for 0.7–1.1 points of accuracy; 0.2 moved 19–27 %. With the names half of each
# prototype: 0.1 moves 1 % (bundled) and 0.3–0.6 % (Fukui, whose coding has その他 answers: none of
# them among those), 0.2 moves 13–17 % and 5–6 % (9 of the Fukui その他 answers caught in 5 draws,
# for 75 wrongly). Far from the themes is weak evidence of その他 in this space.
MIN_FIT = 0.1
KMEANS_ROUNDS = 20  # at most, for method "kmeans"
KNN = 7  # neighbours of the label-spreading graph
KEYWORD_SCORE = 0.9  # the score of an answer coded by one theme's keywords alone
# The theme's label and description (`described`) make one half of its prototype, the answers the
# other half (`_anchored_scores`); 0: they join the answers' mean as one seed (the earlier rule).
ANCHOR_WEIGHT = 1.0
# An answer with keywords of several themes: "count" keeps the themes with the most keywords in it
# and similarity decides among those; "similarity" decides among all of them.
MULTI_RULES = ("count", "similarity")
DEFAULT_MULTI = "count"
MAX_REASON_WORDS = 3


@dataclass(frozen=True)
class Coded:
    key: str  # a theme key (after merge_into) or "other"
    score: float  # 0..1: how sure
    reason: str  # why, in Japanese


def answer_words(p: Prepared) -> frozenset[str]:
    """The words a rule or a keyword is matched on: terms, compound parts and lemmas."""
    return frozenset(p.terms) | frozenset(p.parts) | frozenset(lemma for _, lemma in p.aliases)


def resolved_keys(themes: Sequence[CodebookTheme]) -> list[str]:
    """Each theme's key after following merge_into among `themes` (a circle stops where it closes)."""
    targets = {t.key: t.merge_into for t in themes}
    out = []
    for t in themes:
        key, seen = t.key, {t.key}
        while targets.get(key) and targets[key] in targets and targets[key] not in seen:
            key = targets[key]
            seen.add(key)
        out.append(key)
    return out


def keyword_hits(theme: CodebookTheme, words: frozenset[str], norm: str,
                 lemmas: Mapping[str, str] | None = None) -> list[str]:
    """The theme's keywords found in the answer: as one of its words, as the lemma of one
    (`lemmas`: written forms → lemma, from the question's answers: the keyword きれい finds
    綺麗, whose lemma 奇麗 is among the answer's words, `answer_words`), or (two characters or
    more) inside its text. `exclude` words are no evidence, and a keyword found only inside an
    excluded word (ページ in ホームページ) does not count."""
    excluded = {normalize(e) for e in theme.exclude if normalize(e)}
    text = norm
    for e in sorted(excluded, key=len, reverse=True):
        text = text.replace(e, "\x00")
    hits = []
    for k in dict.fromkeys(normalize(k) for k in theme.keywords):
        if not k or k in excluded:
            continue
        if k in words or (lemmas is not None and lemmas.get(k, k) in words) or (len(k) > 1 and k in text):
            hits.append(k)
    return hits


def similarity(x: np.ndarray, seeds: list[list[int]], method: str, seed: int = 0,
               anchors: Sequence[Sequence[int]] = (), anchor_weight: float = 0.0) -> np.ndarray:
    """(n, themes) scores in 0..1 of every answer for every theme, from the seed rows of each
    theme. A theme without seeds scores 0 everywhere. `anchors[j]` (rows among `seeds[j]`, the
    theme's own words) with `anchor_weight` > 0: the prototype of methods "centroid" and "kmeans"
    is the answers' unit mean plus anchor_weight × the anchors' unit mean (`_anchored_scores`)."""
    n, t = x.shape[0], len(seeds)
    out = np.zeros((n, t))
    have = [j for j in range(t) if seeds[j]]
    if not have or n == 0:
        return out
    if method in ("centroid", "kmeans") or len(have) == 1:
        members = [list(rows) for rows in seeds]
        fixed = {u for rows in seeds for u in rows}
        free = np.array([u for u in range(n) if u not in fixed], dtype=int)
        previous = None
        for _ in range(KMEANS_ROUNDS if method == "kmeans" else 1):
            out[:] = 0.0
            for j in have:
                # k-means assigns by the full means (plain k-means: measured no worse than leaving
                # each answer out of its own mean while assigning); the scores returned leave it out
                out[:, j] = _prototype_scores(x, members[j], leave_out=method == "centroid",
                                              anchors=anchors[j] if anchors else (), anchor_weight=anchor_weight)
            if method != "kmeans" or not free.size:
                break
            # seeded k-means: the seeds stay, every other answer joins its nearest prototype
            nearest = np.argmax(out[free], axis=1)
            if previous is not None and np.array_equal(nearest, previous):
                break
            previous = nearest
            members = [list(seeds[j]) + free[nearest == j].tolist() if seeds[j] else [] for j in range(t)]
        if method == "kmeans":
            for j in have:
                out[:, j] = _prototype_scores(x, members[j], anchors=anchors[j] if anchors else (),
                                              anchor_weight=anchor_weight)
        return out
    labels = np.full(n, -1)
    for j in have:
        labels[seeds[j]] = j
    if method == "spreading":
        from sklearn.semi_supervised import LabelSpreading

        model = LabelSpreading(kernel="knn", n_neighbors=min(KNN, n - 1), alpha=0.2, max_iter=100)
        model.fit(x, labels)
        dist = np.nan_to_num(model.label_distributions_)
        for c, j in enumerate(model.classes_):  # classes_ leaves the unlabelled -1 out
            out[:, int(j)] = dist[:, c]
        return out
    if method == "logistic":
        from sklearn.linear_model import LogisticRegression

        rows = np.flatnonzero(labels >= 0)
        model = LogisticRegression(C=10.0, max_iter=1000, random_state=seed)
        model.fit(x[rows], labels[rows])
        proba = model.predict_proba(x)
        for c, j in enumerate(model.classes_):
            out[:, int(j)] = proba[:, c]
        return out
    raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")


def _prototype_scores(x: np.ndarray, members: list[int], leave_out: bool = True,
                      anchors: Sequence[int] = (), anchor_weight: float = 0.0) -> np.ndarray:
    """Cosine (clipped to 0..1) of every answer to the mean of `members`; a member is compared
    with the mean of the other members (leave one out), so that it does not look close to a
    prototype because it is part of it."""
    if anchor_weight > 0 and anchors:
        return _anchored_scores(x, members, list(anchors), anchor_weight)
    total = x[members].sum(axis=0)
    norm = np.linalg.norm(total)
    out = x @ (total / norm) if norm > 0 else np.zeros(len(x))
    for u in members if leave_out else ():
        rest = total - x[u]
        rest_norm = np.linalg.norm(rest)
        out[u] = float(x[u] @ rest) / rest_norm if rest_norm > 1e-12 else 0.0
    return np.clip(out, 0.0, 1.0)


def _anchored_scores(x: np.ndarray, members: list[int], anchors: list[int], weight: float) -> np.ndarray:
    """Cosine (clipped to 0..1) of every answer to a prototype in two halves: the unit mean of
    the answers among `members` plus `weight` × the unit mean of the `anchors` (the theme's own
    words). No member is left out: the answers' half is the mean of many answers, and leaving each
    out (measured) only made the answers of small themes look far: 8 % of the bundled survey's
    answers went to その他 (all wrongly), and on the Fukui answers 22 wrongly, none rightly."""

    def unit(v: np.ndarray) -> np.ndarray:
        norm = float(np.linalg.norm(v))
        return v / norm if norm > 1e-12 else np.zeros_like(v)

    fixed = set(anchors)
    rest = [u for u in members if u not in fixed]
    half = unit(x[rest].sum(axis=0)) if rest else np.zeros(x.shape[1])
    return np.clip(x @ unit(half + weight * unit(x[anchors].sum(axis=0))), 0.0, 1.0)


def other_threshold(x: np.ndarray, seeds: list[list[int]], factor: float = OTHER_FACTOR,
                    rule: str = "seeds") -> float:
    """OTHER_FACTOR × the median over seeds of the cosine to the closest other seed of the same
    theme; 0 when no theme has two seeds (then nothing goes to その他 for being far).
    rule "background": the `factor` quantile of the cosines of all pairs of answers."""
    if rule == "background":
        if len(x) < 2 or factor <= 0:
            return 0.0
        sims = x @ x.T
        return float(np.quantile(sims[np.triu_indices(len(x), 1)], factor))
    closest = []
    for rows in seeds:
        rows = sorted(set(rows))
        if len(rows) < 2:
            continue
        sims = x[rows] @ x[rows].T
        np.fill_diagonal(sims, -np.inf)
        closest.extend(sims.max(axis=1).tolist())
    return factor * float(np.median(closest)) if closest else 0.0


def code(reps: list[Prepared], x: np.ndarray, themes: Sequence[CodebookTheme], *, seed: int = 0,
         method: str = DEFAULT_METHOD, other_factor: float = OTHER_FACTOR,
         trust_keywords: bool = True, other_rule: str = DEFAULT_OTHER_RULE,
         described: np.ndarray | None = None, min_fit: float = MIN_FIT, keyword_check: bool = False,
         multi: str = DEFAULT_MULTI, anchor_weight: float = ANCHOR_WEIGHT) -> list[Coded]:
    """Code every answer of `reps` (x: their L2-normalised vectors, row by row) to one theme of
    `themes` (by its key after merge_into) or to "other". Deterministic for a seed.
    `described`: optional vectors of the themes' label and description (row i for themes[i],
    made in the same `vectorize` call as `x`, see `question_vectors`); they are `anchor_weight`
    (default 1: half) of their theme's prototype (0: one more seed; never named in a reason).
    `multi`: how an answer with several themes' keywords is coded (`MULTI_RULES`).
    `method`, `other_rule`, `other_factor`, `min_fit`, `anchor_weight`, `multi`, `keyword_check`
    (drop the keywords the examples and descriptions contradict, `checked_keywords`) and
    `trust_keywords` (False: keywords only make seeds, similarity codes every non-example answer)
    are for the evaluation's comparison of alternatives."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    if multi not in MULTI_RULES:
        raise ValueError(f"unknown rule {multi!r} (one of {', '.join(MULTI_RULES)})")
    n = len(reps)
    if not themes:
        return [Coded(OTHER_KEY, 0.0, "どのテーマにも近くない") for _ in reps]
    resolved = resolved_keys(themes)
    targets = list(dict.fromkeys(resolved))
    index = {k: j for j, k in enumerate(targets)}
    of_theme = [index[k] for k in resolved]
    row_of: dict[str, int] = {}
    for u, p in enumerate(reps):
        row_of.setdefault(p.answer.id, u)

    # (a) examples
    example: dict[int, tuple[int, str]] = {}
    for t, j in zip(themes, of_theme):
        for e in t.examples:
            row = row_of.get(e)
            if row is not None and row not in example:
                example[row] = (j, f"例 {e}")
    # (b) rules and (c) keywords
    conditions: list[Condition | None] = [parse_condition(t.rule) if t.rule.strip() else None for t in themes]
    rule_hits: dict[int, dict[int, str]] = {}
    word_hits: dict[int, dict[int, list[str]]] = {}
    lemmas = dict(itertools.chain.from_iterable(p.aliases for p in reps))  # as `run._lemmas` reads them
    for u, p in enumerate(reps):
        if u in example:
            continue
        words = answer_words(p)
        for t, j, cond in zip(themes, of_theme, conditions):
            if cond is not None and cond.matches(words, p.norm):
                rule_hits.setdefault(u, {}).setdefault(j, cond.explain(words, p.norm))
            found = keyword_hits(t, words, p.norm, lemmas)
            if found:
                got = word_hits.setdefault(u, {}).setdefault(j, [])
                got.extend(k for k in found if k not in got)

    full = x
    if described is not None and len(described):
        full = np.vstack([x, described])
    if keyword_check:
        word_hits = checked_keywords(full, n, example, word_hits, [] if described is None else of_theme, len(targets))
    # Seeds: examples, and answers whose rule or keyword evidence names one theme only.
    seeds: list[list[int]] = [[] for _ in targets]
    for u, (j, _) in sorted(example.items()):
        seeds[j].append(u)
    for u in range(n):
        named = list(rule_hits.get(u) or word_hits.get(u) or ())
        if len(named) == 1:
            seeds[named[0]].append(u)
    if described is not None and len(described):
        for i, j in enumerate(of_theme):
            if np.linalg.norm(described[i]) > 0:
                seeds[j].append(n + i)
    anchors = [[u for u in rows if u >= n] for rows in seeds]
    scores = similarity(full, seeds, method, seed, anchors=anchors, anchor_weight=anchor_weight)
    if other_rule == "prototype":
        own = [scores[u, j] for j, rows in enumerate(seeds) for u in rows]
        threshold = max(other_factor * float(np.quantile(own, 0.1)) if own else 0.0, min_fit)
    else:
        threshold = other_threshold(full, seeds, other_factor, other_rule)
    scores = scores[:n]
    seeds = [[u for u in rows if u < n] for rows in seeds]  # reasons and distances: answers only
    seed_rows = sorted({u for rows in seeds for u in rows})

    out: list[Coded | None] = [None] * n
    pending: list[tuple[int, int, dict[int, str]]] = []  # (answer, its best theme, evidence) for (d)
    for u in range(n):
        if u in example:
            j, why = example[u]
            out[u] = Coded(targets[j], 1.0, why)
            continue
        rules = rule_hits.get(u, {})
        hits = word_hits.get(u, {})
        if rules:
            candidates, evidence = sorted(rules), rules
            if len(candidates) == 1:
                j = candidates[0]
                out[u] = Coded(targets[j], 1.0, rules[j])
                continue
        elif hits and trust_keywords:
            candidates = sorted(hits)
            if multi == "count":  # the themes with the most of their keywords in the answer
                most = max(len(hits[j]) for j in candidates)
                candidates = [j for j in candidates if len(hits[j]) == most]
            evidence = {j: "キーワード: " + "・".join(hits[j][:MAX_REASON_WORDS]) for j in candidates}
            if len(candidates) == 1:
                j = candidates[0]
                out[u] = Coded(targets[j], KEYWORD_SCORE, evidence[j])
                continue
        else:
            candidates, evidence = list(range(len(targets))), {}
        # (d) similarity, among the candidate themes
        pending.append((u, max(candidates, key=lambda j: (scores[u, j], -j)), evidence))
    closest = closest_seeds(x, seeds, [(u, best) for u, best, _ in pending])
    far = [u for u, _, evidence in pending if not evidence]
    anywhere_of = {} if other_rule == "prototype" or not seed_rows else \
        dict(zip(far, closest_seeds(x, [seed_rows], [(u, 0) for u in far], skip_self=False)))
    for (u, best, evidence), (row, sim) in zip(pending, closest):
        if not evidence:
            anywhere = float(scores[u, best]) if other_rule == "prototype" else \
                anywhere_of[u][1] if u in anywhere_of else 0.0
            if not seed_rows or anywhere < threshold or scores[u, best] <= 0:
                out[u] = Coded(OTHER_KEY, round(max(anywhere, 0.0), 4), "どのテーマにも近くない")
                continue
        # 「例 K0120 に近い (0.82)」: the seed of the theme closest to the answer (not the answer itself);
        # a theme known only by its name and description has no answer to name as the example.
        text = f"例 {reps[row].answer.id} に近い ({sim:.2f})" if row >= 0 else \
            f"テーマの名前・説明に近い ({float(np.clip(scores[u, best], 0.0, 1.0)):.2f})"
        reason = " ／ ".join(r for r in (evidence.get(best, ""), text) if r)
        out[u] = Coded(targets[best], round(float(np.clip(scores[u, best], 0.0, 1.0)), 4), reason)
    return [c for c in out if c is not None]


CHUNK = 2048  # answers a block in `closest_seeds`: blocks of CHUNK × seeds cosines, never n × n


def closest_seeds(x: np.ndarray, seeds: list[list[int]], pairs: list[tuple[int, int]],
                  skip_self: bool = True) -> list[tuple[int, float]]:
    """For each (answer u, theme j) of `pairs`: the row of theme j's seed closest to u (the first
    of equals, in seed order; u itself skipped unless not `skip_self`) and its cosine, or (-1, 0.0)
    when there is none. By blocks of answers per theme: linear in the answers for a given number
    of seeds, and no n × n matrix."""
    out: list[tuple[int, float]] = [(-1, 0.0)] * len(pairs)
    by_theme: dict[int, list[int]] = {}
    for i, (_, j) in enumerate(pairs):
        by_theme.setdefault(j, []).append(i)
    for j, indices in by_theme.items():
        rows = np.asarray(seeds[j], dtype=int)
        if not rows.size:
            continue
        for start in range(0, len(indices), CHUNK):
            block = indices[start:start + CHUNK]
            answers = np.array([pairs[i][0] for i in block], dtype=int)
            sims = x[answers] @ x[rows].T
            if skip_self:
                sims[rows[None, :] == answers[:, None]] = -np.inf
            best = np.argmax(sims, axis=1)
            for i, k, row in zip(block, best, sims[np.arange(len(block)), best]):
                if np.isfinite(row):
                    out[i] = (int(rows[k]), float(row))
    return out


def checked_keywords(full: np.ndarray, n: int, example: dict[int, tuple[int, str]],
                     word_hits: dict[int, dict[int, list[str]]], described_of: Sequence[int],
                     themes: int) -> dict[int, dict[int, list[str]]]:
    """`word_hits` without the keywords that the staff's own evidence contradicts: the answers a
    keyword of theme j finds are, on average, closer to another theme's prototype than to j's,
    the prototypes made of the examples and the themes' label and description only (rows
    n + i of `full` for themes[i] → described_of[i]). A theme with no example and no description
    cannot be checked: its keywords stay."""
    seeds: list[list[int]] = [[] for _ in range(themes)]
    for u, (j, _) in example.items():
        seeds[j].append(u)
    for i, j in enumerate(described_of):
        if n + i < len(full) and np.linalg.norm(full[n + i]) > 0:
            seeds[j].append(n + i)
    if sum(1 for rows in seeds if rows) < 2:
        return word_hits
    scores = similarity(full, seeds, "centroid")[:n]
    margins: dict[tuple[int, str], list[float]] = {}
    for u, found in word_hits.items():
        for j, words in found.items():
            if not seeds[j]:
                continue
            other = np.delete(scores[u], j)
            margin = float(scores[u, j] - other.max()) if other.size else 0.0
            for k in words:
                margins.setdefault((j, k), []).append(margin)
    dropped = {key for key, values in margins.items() if float(np.mean(values)) < 0}
    out: dict[int, dict[int, list[str]]] = {}
    for u, found in word_hits.items():
        for j, words in found.items():
            kept = [k for k in words if (j, k) not in dropped]
            if kept:
                out.setdefault(u, {})[j] = kept
    return out


def theme_text(theme: CodebookTheme) -> str:
    """The text of a theme's label and description, to vectorise with the answers (`extra` of
    `question_vectors`, after `run.prepare`) and pass to `code` as `described`."""
    return "。".join(dict.fromkeys(t.strip() for t in (theme.label, theme.description) if t.strip()))


def question_vectors(items: list[Prepared], seed: int, word_vectors=None,
                     extra: Sequence[Prepared] = ()) -> tuple[list[Prepared], np.ndarray]:
    """The kept answers of a question, deduplicated by normalised text (first of each), and their
    vectors: the same `vectorize` call as `run.analyse_question` (segments of multi-point answers
    take part in the fit), so guided coding sees the space the clustering sees."""
    from pipeline.vectorize import vectorize

    reps: list[Prepared] = []
    seen: set[str] = set()
    for p in items:
        if p.kept and p.norm not in seen:
            seen.add(p.norm)
            reps.append(p)
    if not reps:
        return reps, np.zeros((0, 1))
    multi = [s for p in reps if len(p.segments) > 1 for s in p.segments]
    more = list(extra)
    vectors = vectorize([p.terms for p in reps] + [s.terms for s in multi] + [p.terms for p in more],
                        [p.norm for p in reps] + [s.text for s in multi] + [p.norm for p in more], seed=seed,
                        extra_terms=[p.parts for p in reps] + [s.parts for s in multi] + [p.parts for p in more],
                        word_vectors=word_vectors, aliases=dict(a for p in [*reps, *more] for a in p.aliases))
    rows = np.r_[np.arange(len(reps)), len(reps) + len(multi) + np.arange(len(more))].astype(int)
    return reps, vectors.dense[rows]
