"""Theme labels and keywords: the concern a theme's answers share, in their own words.

Candidates come from the answers (`tokenize.phrases`): noun phrases (交通の便, 新しい取り組み) and
predicate phrases about them in plain form (駐車場が狭い, 予算がない, 窓口の一元化). A candidate scores
by how many of the theme's answers offer it, weighted by how central those answers are
(coverage), times the share of all the answers offering it that are in the theme (specificity).

A label is the best-scoring noun phrase — extended to a longer one that ends with it when most
of its answers say that (本数 → バスの本数) — with its predicate when the answers share one
(駐車場 → 駐車場が狭い), or the two that together are shared (駐車場が少ない・狭い); otherwise the noun
phrase alone. A noun its answers agree about scores higher by the share that says it, so a
concern beats a bare topic. Never in a label: a word of the question's title (or the survey's), a
word spread over most themes of the question, the same words as another label, a word in more
than half of the question's labels, more than 15 characters. Keywords follow the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from pipeline.phrases import Phrase

MAX_LABEL = 15  # characters
MIN_SUPPORT = 2  # answers of the theme that offer a candidate
SHARED = 1 / 3  # a predicate is shared when it is this share of what is said of the noun
EXTEND = 0.5  # a longer noun phrase replaces the noun when this share of its answers say it
OPTIONS = 40  # label options kept per theme, for labels to stay unique
SMOOTHING = 1.0  # answers added to a candidate's total: one answer is weaker evidence than ten


def ctfidf(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """(k, vocabulary) distinctiveness of each term for each theme (BERTopic's c-TF-IDF), for
    the word clouds."""
    if counts.shape[1] == 0:
        return np.zeros((k, 0))
    per_class = np.asarray((_onehot(labels, k) @ counts).todense(), dtype=np.float64)
    totals = per_class.sum(axis=1, keepdims=True)
    tf = per_class / np.where(totals == 0, 1, totals)
    avg_words = per_class.sum() / max(k, 1)
    idf = np.log(1.0 + avg_words / np.maximum(per_class.sum(axis=0), 1.0))
    return tf * idf


def doc_freq(counts: sp.csr_matrix, labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """(k, vocabulary) number of answers of each theme that contain each term (each distinct
    answer counted `weights` times)."""
    if counts.shape[1] == 0:
        return np.zeros((k, 0))
    binary = (counts > 0).astype(np.float64)
    return np.asarray((_onehot(labels, k, weights) @ binary).todense())


def _onehot(labels: np.ndarray, k: int, weights: np.ndarray | None = None) -> sp.csr_matrix:
    n = len(labels)
    values = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    return sp.csr_matrix((values, (labels, np.arange(n))), shape=(k, n))


def in_title(word: str, title: str) -> bool:
    """Is `word` a word of the question's title? A verb or adjective matches by the kanji of its
    stem (感じる, 感ずる ~ 不便に感じたこと); a one-character word only standing alone (市 in 市の協働,
    not 便 in 不便 nor 市 in 市民)."""
    if not title or not word:
        return False
    if len(word) > 1 and word in title:
        return True
    if "\u3041" <= word[-1] <= "\u3096" and len(word) > 1:  # 感じる, 狭い: the stem in kanji
        word = word.rstrip(_HIRAGANA)
        if not word or not all(_is_kanji(ch) for ch in word):
            return False
    if len(word) > 1:
        return word in title
    return any(title[i] == word and not (i > 0 and _is_kanji(title[i - 1]))
               and not (i + 1 < len(title) and _is_kanji(title[i + 1])) for i in range(len(title)))


_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))


def _is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or ch in "々〆"


def generic_words(presence: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Which words (columns of `presence`: the answers of each theme that hold the word) are
    spread over most themes of a question (three themes or more): in more than half of them, at
    least `MIN_SUPPORT` answers hold the word and it is at least half as frequent as in the
    question as a whole, and no theme holds half of its answers. Such a word (市 in a question
    about the city) tells no theme from another."""
    k = presence.shape[0]
    if k < 3 or presence.shape[1] == 0:
        return np.zeros(presence.shape[1], dtype=bool)
    total = presence.sum(axis=0)
    rate = total / max(sizes.sum(), 1e-12)
    theme_rate = presence / np.maximum(sizes, 1e-12)[:, None]
    spread = ((theme_rate >= 0.5 * rate) & (presence >= MIN_SUPPORT)).sum(axis=0)
    return (spread > k / 2) & (presence.max(axis=0) < 0.5 * total)


@dataclass(frozen=True)
class _Option:
    text: str
    words: frozenset[str]
    value: float


class Labelling(NamedTuple):
    """Per theme: keywords (most distinctive first), the label, and which answers say the
    label's words (`carriers`: (themes, answers), boolean); and the c-TF-IDF matrix."""

    keywords: list[tuple[str, ...]]
    labels: list[str]
    scores: np.ndarray
    carriers: np.ndarray


def keywords_and_labels(counts: sp.csr_matrix, vocabulary: tuple[str, ...], labels: np.ndarray, k: int,
                        n_keywords: int = 8, phrase_lists: list[tuple[str, ...]] | None = None, *,
                        weights: np.ndarray | None = None, closeness: np.ndarray | None = None,
                        title: str = "", fixed: list[str] | None = None, lemmas: Mapping[str, str] | None = None,
                        ) -> tuple[list[tuple[str, ...]], list[str], np.ndarray]:
    """Per theme: keywords (most distinctive first), a label, and the c-TF-IDF matrix
    (`label_themes` without the carriers)."""
    out = label_themes(counts, vocabulary, labels, k, n_keywords, phrase_lists, weights=weights,
                       closeness=closeness, title=title, fixed=fixed, lemmas=lemmas)
    return out.keywords, out.labels, out.scores


def label_themes(counts: sp.csr_matrix, vocabulary: tuple[str, ...], labels: np.ndarray, k: int,
                 n_keywords: int = 8, phrase_lists: list[tuple[str, ...]] | None = None, *,
                 weights: np.ndarray | None = None, closeness: np.ndarray | None = None,
                 title: str = "", fixed: list[str] | None = None, lemmas: Mapping[str, str] | None = None) -> Labelling:
    """Per theme: keywords (most distinctive first), a label, the answers that say the label's
    content words (through their candidates or terms: the quotes that say the label's concern
    on their own, `quotes.select`), and the c-TF-IDF matrix.

    `counts`: (answers, vocabulary) term counts; `labels`: the theme of each answer;
    `phrase_lists`: each answer's encoded label candidates (`tokenize.phrases`); `weights`: how
    many answers each row stands for (identical answers are analysed once); `closeness`: each
    answer's closeness to its theme's centre (0..1), so that central answers count more;
    `title`: the question's title (and the survey's), whose words name no theme; `fixed`: per theme a label
    it has already (a codebook's, その他) or "", which it keeps and no other theme takes; `lemmas`:
    written forms → their lemma (おいしい → 美味しい, きれい → 奇麗, 子ども → 子供; `tokenize.aliases`), so
    that a theme's keywords list one word once, as its answers most distinctively write it."""
    labels = np.asarray(labels)
    n = len(labels)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    # Central answers count up to twice as much as peripheral ones.
    z = w * (1.0 + np.clip(np.asarray(closeness, dtype=np.float64), 0.0, 1.0)) if closeness is not None else w
    sizes = np.bincount(labels, weights=w, minlength=k)[:k]
    scores = ctfidf(counts, labels, k)

    phrases, offered = _offered(phrase_lists or [()] * n, w)
    words_of = {ph.key: ph.words for ph in phrases}
    vocab_words = [words_of.get(t, (t,)) for t in vocabulary]
    minor_of = {ph.key: ph.minor for ph in phrases if ph.minor}
    word_index: dict[str, int] = {}
    for ws in [ph.words for ph in phrases] + [ph.minor for ph in phrases] + vocab_words:
        for x in ws:
            word_index.setdefault(x, len(word_index))
    # Answers × words: which content words each answer holds (through its candidates and terms).
    to_words = _incidence([ph.words for ph in phrases], word_index)
    term_words = _incidence(vocab_words, word_index)
    held = (offered @ to_words + (counts > 0).astype(np.float64) @ term_words) > 0
    presence = np.asarray((_onehot(labels, k, w) @ held.astype(np.float64)).todense())
    banned = generic_words(presence, sizes) | np.array([in_title(x, title) for x in word_index], dtype=bool)
    bad = {x for x, j in word_index.items() if banned[j]}

    titled = {t for t in vocabulary if any(in_title(x, title) for x in minor_of.get(t, ()))}
    keywords = _keywords(counts, vocabulary, vocab_words, labels, k, w, bad, n_keywords, titled, lemmas or {})
    # Themes × candidates: the answers offering each (as many as they stand for), the same
    # weighted by centrality, and all the question's answers offering it.
    support = (_onehot(labels, k, w) @ offered).tocsr()
    central = (_onehot(labels, k, z) @ offered).tocsr()
    total = np.asarray(offered.T @ w).ravel()
    # (A title word counts also where it is a stop word: 協働 of 協働事業 in a question on 協働.)
    allowed = np.array([len(ph.text) <= MAX_LABEL and not any(x in bad for x in ph.words)
                        and not any(in_title(x, title) for x in ph.minor) for ph in phrases], dtype=bool)
    central_sizes = np.bincount(labels, weights=z, minlength=k)[:k]
    given = list(fixed) if fixed is not None else [""] * k
    options = [[] if given[c] else _options(phrases, support[c], central[c], total, allowed, sizes[c], central_sizes[c])
               for c in range(k)]
    chosen, chosen_words = _unique(options, keywords, given)
    carriers = np.zeros((k, n), dtype=bool)
    held_csc = held.tocsc()
    for c in range(k):
        words = chosen_words[c] or frozenset(x for x in word_index if (len(x) > 1 or _is_kanji(x))
                                             and x in chosen[c] and x not in bad)
        cols = [word_index[x] for x in words if x in word_index]
        if cols:
            carriers[c] = np.asarray(held_csc[:, cols].sum(axis=1)).ravel() > 0
    return Labelling(keywords, chosen, scores, carriers)


def _offered(phrase_lists: list[tuple[str, ...]], w: np.ndarray) -> tuple[list[Phrase], sp.csr_matrix]:
    """The distinct candidates (by key, first seen first), each shown as the answers most often
    write it, and the answers × candidates matrix."""
    index: dict[str, int] = {}
    phrases: list[Phrase] = []
    spellings: list[dict[str, float]] = []
    rows: list[int] = []
    cols: list[int] = []
    decoded: dict[str, tuple[int, str]] = {}  # an encoded phrase: its candidate and spelling
    for u, encoded in enumerate(phrase_lists):
        seen = set()
        for e in encoded:
            found = decoded.get(e)
            if found is None:
                ph = Phrase.decode(e)
                j = index.get(ph.key)
                if j is None:
                    j = index[ph.key] = len(phrases)
                    phrases.append(ph)
                    spellings.append({})
                found = decoded[e] = (j, ph.text)
            j, text = found
            if j not in seen:
                seen.add(j)
                rows.append(u)
                cols.append(j)
                spellings[j][text] = spellings[j].get(text, 0.0) + w[u]
    # Most written first; on a tie the dictionary's spelling (the key), else the first seen (max
    # keeps the first of equals).
    phrases = [ph._replace(text=max(sp_.items(), key=lambda kv: (kv[1], kv[0] == ph.key))[0])
               for ph, sp_ in zip(phrases, spellings)]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(phrase_lists), len(phrases)))
    return phrases, matrix


def _incidence(word_lists: list[tuple[str, ...]], index: dict[str, int]) -> sp.csr_matrix:
    rows = [i for i, ws in enumerate(word_lists) for _ in ws]
    cols = [index[x] for ws in word_lists for x in ws]
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(word_lists), len(index)))


def _keywords(counts: sp.csr_matrix, vocabulary: tuple[str, ...], vocab_words: list[tuple[str, ...]],
              labels: np.ndarray, k: int, w: np.ndarray, bad: set[str], n_keywords: int,
              titled: AbstractSet[str] = frozenset(), lemmas: Mapping[str, str] | None = None) -> list[tuple[str, ...]]:
    """Per theme, the terms most of its answers use and few other answers do (coverage ×
    specificity, as for labels), without title words or words spread over most themes; one
    spelling of a word (of a lemma in `lemmas`): 美味しい, not also おいしい."""
    if not vocabulary:
        return [() for _ in range(k)]
    dfs = doc_freq(counts, labels, k, w)
    totals = dfs.sum(axis=0)
    sizes = np.bincount(labels, weights=w, minlength=k)[:k]
    allowed = np.array([not any(x in bad for x in ws) and t not in titled for t, ws in zip(vocabulary, vocab_words)],
                       dtype=bool)
    out = []
    for c in range(k):
        value = dfs[c] / max(sizes[c], 1e-12) * dfs[c] / (totals + SMOOTHING)
        cols = np.flatnonzero((dfs[c] > 0) & allowed)
        # Ties broken by the term itself, so results do not depend on vocabulary order.
        order = sorted(cols, key=lambda j: (-round(float(value[j]), 12), vocabulary[j]))
        supported = [j for j in order if dfs[c, j] >= MIN_SUPPORT] or order
        # One spelling a word: the best placed (the written form; UniDic's lemma may be spelled as
        # no answer writes it: 奇麗, 止める for 停める). A codebook keyword in one spelling still
        # finds the others (`guided.keyword_hits`).
        words: dict[str, str] = {}  # lemma → its best-placed spelling
        for j in supported:
            words.setdefault(lemmas.get(vocabulary[j], vocabulary[j]) if lemmas else vocabulary[j], vocabulary[j])
            if len(words) == n_keywords:
                break
        out.append(tuple(words.values()))
    return out


def _options(phrases: list[Phrase], support_row: sp.csr_matrix, central_row: sp.csr_matrix, total: np.ndarray,
             allowed: np.ndarray, size: float, central_size: float) -> list[_Option]:
    """One theme's label options, best first, from the answers of the theme that offer each
    candidate (`support_row`; `central_row` weighted by centrality) and of the question (`total`)."""
    if not support_row.nnz:
        return []
    cols = support_row.indices
    support = dict(zip(cols.tolist(), support_row.data.tolist()))
    central = dict(zip(central_row.indices.tolist(), central_row.data.tolist()))
    # Coverage (central answers count more) × specificity (share of the candidate's answers).
    value = {j: central.get(j, 0.0) / max(central_size, 1e-12) * support[j] / (total[j] + SMOOTHING) for j in support}
    need = MIN_SUPPORT if size >= 2 * MIN_SUPPORT else 1
    ok = [j for j in support if allowed[j] and support[j] >= need] or [j for j in support if allowed[j]]
    nouns = sorted((j for j in ok if not phrases[j].predicate), key=lambda j: (-round(value[j], 12), phrases[j].key))
    by_head: dict[str, list[int]] = {}  # the predicates said of each noun (by `need` answers or more)
    for j in ok:
        if phrases[j].predicate:
            by_head.setdefault(phrases[j].head, []).append(j)
    noun_of = {phrases[j].key: j for j in nouns}

    def with_predicate(j: int) -> list[int]:
        # What most of the noun's answers say about it: one predicate that a third of them say
        # (駐車場が狭い), else two that together do, said the same way (駐車場が少ない・狭い).
        said = sorted(by_head.get(phrases[j].key, []), key=lambda p: (-support[p], -round(value[p], 12), phrases[p].key))
        if not said:
            return []
        mentions = sum(support[p] for p in said)
        if support[said[0]] >= SHARED * mentions:
            return said[:1]
        # (Not two function-like predicates: 少ない・多い, できない・できる may contradict.)
        first, second = said[0], said[1] if len(said) > 1 else -1
        if second >= 0 and support[first] + support[second] >= SHARED * mentions \
                and _link(phrases[first]) == _link(phrases[second]) and len(_joined(phrases, [first, second])) <= MAX_LABEL \
                and len(phrases[first].words) + len(phrases[second].words) > 2 * len(phrases[j].words):
            return [first, second]
        return []

    def extended(j: int) -> int:
        # A longer noun phrase that holds this one when most of its answers say it: one that ends
        # with it (バスの本数 for 本数), or a compound that starts with it (補助金 for 補助; not
        # 道の駅 for 道). For a one-character noun, too vague alone (場), the longer one most say.
        key = phrases[j].key
        enough = need if len(key) == 1 else EXTEND * support[j]
        longer = [p for t, p in noun_of.items() if t != key and support[p] >= enough
                  and (t.endswith(key) or t.startswith(key) and t[len(key)] != "の" and phrases[p].words[0] == key)]
        return min(longer, key=lambda p: (-support[p], -len(phrases[p].key), phrases[p].key)) if longer else j

    out: dict[str, _Option] = {}
    for j in nouns[:OPTIONS]:
        noun = extended(j)
        picked = with_predicate(noun)
        # A noun that its answers say one thing about names a concern, not just a topic: it
        # gains the share of its answers that say it.
        said = sum(support[p] for p in picked) / support[j]
        text = _joined(phrases, picked) if picked else phrases[noun].text
        words = frozenset(x for p in (picked or [noun]) for x in phrases[p].words)
        # A one-character noun alone (場, 面) names little: it counts half.
        light = 0.5 if len(text) == 1 else 1.0
        out.setdefault(text, _Option(text, words, light * float(value[j]) * (1.0 + min(said, 1.0))))
    for j in sorted((j for j in ok if phrases[j].predicate), key=lambda j: (-round(value[j], 12), phrases[j].key))[:OPTIONS]:
        ph = phrases[j]  # a predicate phrase on its own, when its noun names nothing better
        out.setdefault(ph.text, _Option(ph.text, frozenset(ph.words), float(value[j])))
    return sorted(out.values(), key=lambda o: (-round(o.value, 12), o.text))[:OPTIONS]


def _link(ph: Phrase) -> str:
    """The particle between a predicate phrase's noun and its predicate (が in 駐車場が狭い)."""
    return ph.text[len(ph.head):len(ph.head) + 1]


def _joined(phrases: list[Phrase], picked: list[int]) -> str:
    """One predicate phrase, or two about one noun as one: 駐車場が少ない + 駐車場が狭い → 駐車場が少ない・狭い."""
    first = phrases[picked[0]].text
    return first + "".join("・" + phrases[p].text[len(phrases[p].head) + 1:] for p in picked[1:])


def _unique(options: list[list[_Option]], keywords: list[tuple[str, ...]],
            given: list[str]) -> tuple[list[str], list[frozenset[str]]]:
    """One label per theme, the best first: no two with the same words (書類・様式 and 様式・書類
    name one thing), no word in more than half of the labels made here (three or more). A theme
    with a `given` label keeps it; one without an option is named by its leading keyword. Also
    the label's content words, when it is a candidate's (else empty)."""
    k = len(options)
    named = sum(1 for label in given if not label)  # the themes labelled here (not その他)
    cap = named // 2 if named >= 3 else k
    chosen: list[str | None] = [label or None for label in given]
    words_of: list[frozenset[str]] = [frozenset()] * k
    used_sets: set[frozenset[str]] = set()
    uses: dict[str, int] = {}
    pointer = [0] * k

    def taken(option: _Option) -> bool:
        return option.words in used_sets or option.text in chosen or any(uses.get(x, 0) >= cap for x in option.words)

    while True:
        best: tuple[float, int] | None = None
        for c in range(k):
            if chosen[c] is not None:
                continue
            opts = options[c]
            while pointer[c] < len(opts) and taken(opts[pointer[c]]):
                pointer[c] += 1
            if pointer[c] < len(opts) and (best is None or opts[pointer[c]].value > best[0]):
                best = (opts[pointer[c]].value, c)
        if best is None:
            break
        c = best[1]
        option = options[c][pointer[c]]
        chosen[c] = option.text
        words_of[c] = option.words
        used_sets.add(option.words)
        for x in option.words:
            uses[x] = uses.get(x, 0) + 1
    names = set(x for x in chosen if x)
    out = []
    for c in range(k):
        label = chosen[c]
        if label is None:
            label = next((kw for kw in keywords[c] if kw not in names and uses.get(kw, 0) < cap), "その他")
            base, n = label, 2
            while label in names:
                label = f"{base}（{n}）"
                n += 1
            names.add(label)
        out.append(label)
    return out, words_of
