"""The batch run: answers in, one `QuestionResult` per question out. No file is written here."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from pipeline import mask as masking
from pipeline import wordvectors
from pipeline.cluster import cluster
from pipeline.config import Config
from pipeline.label import keywords_and_labels
from pipeline.nonanswer import extra_set, reason
from pipeline.normalize import normalize_with_map
from pipeline.quotes import pick
from pipeline.records import Answer, Assignment, Prepared, QuestionResult, Quote, Theme
from pipeline.tokenize import Tokenizer, extractor
from pipeline.vectorize import vectorize


def prepare(answers: list[Answer], config: Config, tokenizer: Tokenizer | None = None) -> list[Prepared]:
    """Normalise, set aside non-answers, mask and extract terms. Each distinct text is processed
    once: real exports repeat answers a lot."""
    tokenizer = tokenizer or Tokenizer()
    terms_of = extractor(config.stop_words, config.user_phrases)
    extra = extra_set(config.non_answers)
    cache: dict[str, tuple[str, str, str, tuple[str, ...], tuple[str, ...]]] = {}
    prepared = []
    for answer in answers:
        done = cache.get(answer.raw)
        if done is None:
            done = cache[answer.raw] = _prepare_text(answer.raw, config, tokenizer, terms_of, extra)
        norm, masked, why, terms, parts = done
        prepared.append(Prepared(answer=answer, norm=norm, masked=masked, excluded_reason=why, terms=terms,
                                 parts=parts))
    return prepared


def _prepare_text(raw: str, config: Config, tokenizer: Tokenizer, terms_of, extra):
    text = raw.replace("\r\n", "\n")
    norm, index = normalize_with_map(text)
    tokens = tokenizer.tokens(norm) if norm else []
    spans = masking.find(norm, tokens) if norm else []
    masked = masking.apply_mapped(text, index, len(norm), spans) if config.mask else text
    norm_masked = masking.apply(norm, spans)
    why = reason(norm_masked, extra)
    terms, parts = terms_of.extract(norm, tokens, spans) if not why else ((), ())
    return norm_masked, masked, why, terms, parts


def analyse(answers: list[Answer], config: Config) -> list[QuestionResult]:
    by_question: OrderedDict[str, list[Prepared]] = OrderedDict()
    for p in prepare(answers, config):
        by_question.setdefault(p.answer.question, []).append(p)
    vectors = wordvectors.load() if config.word_vectors else None
    return [analyse_question(q, items, config, vectors) for q, items in by_question.items()]


def analyse_question(question: str, items: list[Prepared], config: Config,
                     word_vectors: wordvectors.WordVectors | None = None) -> QuestionResult:
    kept = [p for p in items if p.kept]
    themes: list[Theme] = []
    theme_of: dict[int, tuple[int, float]] = {}
    k_scores: tuple = ()
    question_weights: tuple[tuple[str, float], ...] = ()
    if kept:
        vectors = vectorize([p.terms for p in kept], [p.norm for p in kept], seed=config.seed,
                            extra_terms=[p.parts for p in kept], word_vectors=word_vectors)
        result = cluster(vectors.dense, k=config.k, k_max=config.k_max, min_size=config.min_theme_size,
                         seed=config.seed)
        k_scores = result.k_scores
        k = int(result.labels.max()) + 1
        keywords, labels, scores = keywords_and_labels(vectors.terms, vectors.vocabulary, result.labels, k)
        totals = np.asarray(vectors.terms.sum(axis=0)).ravel()
        question_weights = _top_weights(vectors.vocabulary, totals, 150)
        for c in range(k):
            members = np.flatnonzero(result.labels == c)
            ids = [kept[i].answer.id for i in members]
            quotes = pick(ids, [kept[i].masked for i in members], [kept[i].norm for i in members],
                          result.scores[members], max(config.max_quotes, config.n_candidates))
            in_theme = np.asarray(vectors.terms[members].sum(axis=0)).ravel()
            weights = _top_weights(vectors.vocabulary, in_theme * (scores[c] > 0) * (1 + scores[c] / max(scores[c].max(), 1e-12)), 100)
            themes.append(Theme(
                theme_id=c, label=labels[c], keywords=keywords[c], size=len(members),
                share=round(len(members) / len(kept), 3), quotes=tuple(quotes[:config.max_quotes]),
                candidates=tuple(quotes), term_weights=weights,
            ))
            for i in members:
                theme_of[id(kept[i])] = (c, round(float(result.scores[i]), 4))
    assignments = []
    for p in items:
        c, score = theme_of.get(id(p), (-1, 0.0))
        assignments.append(Assignment(answer=p.answer, masked=p.masked, theme_id=c,
                                      excluded_reason=p.excluded_reason, score=score))
    return QuestionResult(
        question=question, title=config.question_title(question), n_answers=len(items),
        n_excluded=len(items) - len(kept), k_chosen=len(themes), themes=tuple(themes),
        assignments=tuple(assignments), term_weights=question_weights, k_scores=k_scores,
    )


def _top_weights(vocabulary: tuple[str, ...], weights: np.ndarray, limit: int) -> tuple[tuple[str, float], ...]:
    order = sorted(np.flatnonzero(weights > 0), key=lambda j: (-weights[j], vocabulary[j]))[:limit]
    return tuple((vocabulary[j], round(float(weights[j]), 6)) for j in order)
