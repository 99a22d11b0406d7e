"""The batch run: answers in, one `QuestionResult` per question out. No file is written here."""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import os
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from pipeline import collocations, kwic, network, noissue, parallel, quotes, tally, wordvectors
from pipeline.cache import Cache
from pipeline.cluster import OTHER, centroids, clear_rows, cluster, margins, similarities
from pipeline.codebook import OTHER_KEY
from pipeline.config import Config
from pipeline.crosstab import crosstab, theme_attributes
from pipeline.label import label_themes
from pipeline.prepare import Preparation, prepare, store_pending
from pipeline.progress import Progress
from pipeline.records import Answer, Assignment, Prepared, QuestionResult, Result, Segment, Theme
from pipeline.tokenize import Tokenizer, extractor
from pipeline.vectorize import vectorize

_WORKER: dict = {}  # a question worker's own tagger (`_analyse_in_worker`)


def analyse(answers: list[Answer], config: Config, progress: Progress | None = None,
            input_name: str = "", codebook_path: Path | None = None, previous_path: Path | None = None,
            cache: Cache | None = None, preparation: Preparation | None = None, clouds=None) -> Result:
    """Every question of `answers` analysed: themes, quotes, views, overview and cross-tabs.
    With `codebook_path` (codebook.toml, codebook.xlsx or a KH Coder coding-rule file), the
    questions it has themes for are coded on them (`coded_question`); a codebook with problems
    raises UserError before anything is analysed. With `previous_path` (an earlier run's output), the codebook's
    examples may also be answers of that run (last year's examples for this year's answers):
    their texts join their theme's own words as evidence. With a `cache` (`cache.Cache`), the
    prepared answers of an earlier run on the same texts and settings are reused, and this run's
    are stored there once it has succeeded. `preparation`: the answers' preparation, started
    by the caller (`api.analyse` starts it before importing this module); started here if None.
    `clouds`: an `outputs.EarlyClouds`, given each question's result to draw its word clouds in the
    question workers once no question is left to start (`_analyse_questions`)."""
    progress = progress or Progress(quiet=True)
    preparation = preparation or Preparation(answers, config, None, progress, cache)
    # Forked while the answers are prepared.
    early = _EarlyPool(answers, config, preparation.distinct_per_question if codebook_path is None else None)
    try:
        vectors = wordvectors.load() if config.word_vectors else None  # before the fork: the workers share them
        early.start()
        return _analyse(answers, config, progress, input_name, codebook_path, previous_path, cache, vectors,
                        early.pool, preparation, clouds)
    finally:
        preparation.close()
        early.shutdown(wait=clouds is None)


class _EarlyPool:
    """Worker processes for analysing the questions of a survey side by side, or None
    (`_analyse_questions`), forked (`start`) while the preparation's workers tokenize: the
    parent first imports what every question's analysis imports (igraph with matplotlib, 0.4 s;
    networkx), and the question workers inherit it instead of importing it each. Few answers
    are prepared by then; a worker forked later would share the parent's pages of prepared
    answers, which reading them copies."""

    def __init__(self, answers: list[Answer], config: Config, distinct: dict[str, int] | None = None):
        workers = config.workers or os.cpu_count() or 1
        # Without a codebook a worker is sent only a question's distinct answers (`_analyse_questions`):
        # what a worker holds, and the work, is counted in those (`distinct`: their number per
        # question, which the preparation counted).
        sizes = Counter(distinct) if distinct is not None else Counter(a.question for a in answers)
        largest = sorted(sizes.values(), reverse=True)[:workers]
        self.wanted = workers >= 2 and PARALLEL_QUESTIONS_ABOVE < sum(sizes.values()) <= PARALLEL_QUESTIONS_UP_TO \
            and len(largest) >= 2 and sum(largest) <= PARALLEL_PER_WORKER_UP_TO * len(largest) \
            and parallel.can_fork()
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.wanted and self.pool is None:
            import igraph  # noqa: F401
            import networkx  # noqa: F401

            self.pool = parallel.pool(self.workers)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers; without `wait`, what they are doing goes on (the clouds a worker
        draws when the analysis ends: the writing waits for them only when it takes them)."""
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None


def _analyse(answers: list[Answer], config: Config, progress: Progress, input_name: str, codebook_path: Path | None,
             previous_path: Path | None, cache: Cache | None, vectors: wordvectors.WordVectors | None,
             pool: ProcessPoolExecutor | None, preparation: Preparation, clouds=None) -> Result:
    tokenizer = Tokenizer()
    # The prepared answers are built with the garbage collector paused and frozen at once, before
    # any collection walks them (one collection over a million new records took seconds), and
    # stay frozen, with each question's result once made, until the analysis ends (`parallel`).
    with parallel.frozen() as settle:
        if pool is None and codebook_path is None:
            results = _in_turn(preparation, config, vectors, tokenizer, progress, settle)
            store_pending(cache, preparation.pending)
            return _result(results, config, input_name, vectors)
        by_question: OrderedDict[str, list[Prepared]] = OrderedDict()
        with parallel.no_collection():
            for p in preparation.result():
                by_question.setdefault(p.answer.question, []).append(p)
            settle()
        framings = set_aside_no_issue(by_question, config, progress)
        join_fixed_expressions(by_question, config)
        settle()  # and the records of the answers it set aside
        book = None
        earlier: dict[str, dict[str, str]] = {}  # question → {id: text} of the earlier run's kept answers
        if codebook_path is not None:
            if previous_path is not None:
                from pipeline.outputs import read_results

                earlier = {r.question: {a.answer.id: a.masked for a in r.assignments if a.theme_id >= 0}
                           for r in read_results(Path(previous_path))}
            book = read_codebook(Path(codebook_path), {q: {p.answer.id for p in items if p.kept}
                                                       | set(earlier.get(q, {})) for q, items in by_question.items()})
        job = _QuestionJob(by_question, config, book, vectors, earlier, framings)
        with progress.bar("テーマの抽出", len(by_question), "設問") as bar:
            results = _analyse_questions(job, tokenizer, bar, pool, settle, clouds)
    store_pending(cache, preparation.pending)
    return _result(results, config, input_name, vectors)


def _result(results: list[QuestionResult], config: Config, input_name: str, vectors) -> Result:
    return Result(questions=tuple(results), config=config, input_name=input_name,
                  word_vectors=vectors is not None, notices=notices(config, vectors is not None),
                  tallies=tally.tallies(results, config.attr_cols, config.multi_separators))


def _in_turn(preparation: Preparation, config: Config, vectors: wordvectors.WordVectors | None,
             tokenizer: Tokenizer, progress: Progress, settle: Callable[[], None]) -> list[QuestionResult]:
    """Every question analysed in turn in this process, without a codebook: each question's
    answers prepared (`Preparation.questions`), their no_issue set aside and analysed before the
    next question's records are made, so that only one question's are held at a time (a million
    joined answers: the five questions' records took 2.1 GB at once)."""
    results = []
    finishing: Callable[[], QuestionResult] | None = None  # the question before, its KWIC in a child
    with progress.bar("テーマの抽出", len({a.question for a in preparation.answers}), "設問") as bar:
        for q, items in preparation.questions():
            by_question = OrderedDict([(q, items)])
            del items
            framings = set_aside_no_issue(by_question, config)
            join_fixed_expressions(by_question, config)
            settle()  # the question's records out of the collections its analysis sets off
            job = _QuestionJob(by_question, config, None, vectors, {}, framings)
            finish = _analysed_in_turn(job, q, by_question.pop(q), tokenizer)
            if finishing is not None:
                results.append(finishing())
                bar.update(1)
            finishing = finish
            settle()  # and its result
        if finishing is not None:
            results.append(finishing())
            bar.update(1)
    return results


# Distinct answers above which a question analysed in turn has its KWIC lines made in a child
# process while the next question is analysed (`_analysed_in_turn`): the lines tokenize many of
# the answers again (300,000 joined answers: 14.8 of the 87 s of the five questions), and the
# second core has nothing else to do then. Below, a fork costs more than the lines; with one
# worker asked for (--workers 1) the run stays in one process.
KWIC_BESIDE_ABOVE = 20_000


def _analysed_in_turn(job: _QuestionJob, q: str, items: list[Prepared],
                      tokenizer: Tokenizer) -> Callable[[], QuestionResult]:
    """`_analyse_one` of a question analysed in turn, returned as what completes it: a large
    question's KWIC lines (masked: from its distinct answers) are made in a child process forked
    once its themes are known (`parallel.forked`), and its result is completed when asked for,
    after the next question's analysis; the same lines as made here. The question's records
    are let go here at once: the child has its own view of them."""
    config = job.config
    result = analyse_question(q, items, config, job.vectors, job.framings[q].asks)
    kept = [p for p in items if p.kept]
    del items
    # (Not with one worker asked for: --workers 1 keeps the run in one process.)
    beside = config.mask and len(kept) > KWIC_BESIDE_ABOVE and (config.workers or os.cpu_count() or 1) > 1 \
        and parallel.can_fork()
    reps, of = distinct_answers(kept) if beside else ([], None)
    if of is None or len(reps) <= KWIC_BESIDE_ABOVE:
        done = _completed(job, q, result, views(result, kept, config, tokenizer))
        return lambda: done
    lines = parallel.forked(_kwic_lines, result.themes, kept, reps, of, Tokenizer())  # its own tagger
    net = network.build([p.terms for p in kept], config.seed)
    del kept, reps, of
    return lambda: _completed(job, q, result, {"network": net, "kwic": lines()})


def _kwic_lines(themes: Sequence[Theme], kept: list[Prepared], reps: list[Prepared], of: np.ndarray,
                tokenizer: Tokenizer) -> tuple:
    """KWIC lines of every theme keyword over masked answers `kept`, found among their distinct
    answers `reps` (`of`: each answer's among them; `distinct_answers`)."""
    return kwic.lines_from(_kwic_hits(themes, reps, tokenizer), kept, reps, of, limit=MAX_KWIC)


@dataclass(frozen=True)
class _QuestionJob:
    """What every question's analysis reads."""

    by_question: OrderedDict[str, list[Prepared]]
    config: Config
    book: Any
    vectors: wordvectors.WordVectors | None
    earlier: dict[str, dict[str, str]]
    framings: dict[str, noissue.Framing]


# When questions are analysed side by side, two at a time: above PARALLEL_QUESTIONS_ABOVE answers
# in all (below, starting workers costs more than it saves), up to PARALLEL_QUESTIONS_UP_TO in
# all (the parent holds every prepared answer meanwhile), and while the largest questions, one
# per worker, average at most PARALLEL_PER_WORKER_UP_TO answers (each worker holds one
# question's working set, about 20 KB an answer at its peak) — counted in distinct answers, which
# is what a worker is sent, unless a codebook codes the questions (`_EarlyPool`). Measured on the
# 89,683 Fukui answers (two largest questions 22,644 + 22,542), with float32 vectors above 2,000
# answers and the word-vector block at 100 dimensions: side by side 44.3 s and 1.44 GiB in all,
# in turn 52.5 s and 1.21 GiB (the issue's budget is 1.5 GiB); on 10,000 answers 12 s against
# 17 s.
SEND_TIME = 0.01  # seconds the parent waits after submitting a question before pickling the next
PARALLEL_QUESTIONS_ABOVE = 5_000
PARALLEL_QUESTIONS_UP_TO = 100_000
PARALLEL_PER_WORKER_UP_TO = 23_000


def _analyse_questions(job: _QuestionJob, tokenizer: Tokenizer, bar, pool=None,
                       settle: Callable[[], None] = lambda: None, clouds=None) -> list[QuestionResult]:
    """Every question analysed, in input order: in turn, or in the worker processes of `pool`
    (`_EarlyPool`: a survey of 5,000 to 100,000 distinct answers whose largest questions fit in
    memory; one BLAS thread each) when it has more than 5,000 kept answers, one question per
    worker at a time, the largest first. `settle` is called after each question analysed here and
    each result received: it freezes the result for the garbage collector (`parallel.frozen`).

    The workers were forked as the answers began to be prepared (`_EarlyPool`), and each gets its
    question pickled: a worker forked later would share the parent's memory pages, and reading
    the answers there changes their reference counts, which copies every page they touch — in
    the parent as well as in the worker (measured on 89,683 answers: 2.2 GiB in all, of which
    the workers' copies of the parent's pages were about 800 MB). A question is sent as its
    distinct answers with how many answers each stands for (`_distinct_in_worker`: an export
    repeated ×11 sends 18,000 records a question instead of 197,000) and this process places
    every answer and makes KWIC and the cross-tabs; one coded on a codebook is sent whole and
    comes back without the answers themselves (`_detached`), which this process puts back. Once
    every question has been started, the finished questions' word clouds go to the same workers
    (`clouds`, an `outputs.EarlyClouds`): the last question runs alone at the end, and its idle
    worker draws them instead of leaving them all to the writing."""
    questions = list(job.by_question)
    kept = sum(1 for items in job.by_question.values() for p in items if p.kept)
    if pool is None or len(questions) < 2 or kept <= PARALLEL_QUESTIONS_ABOVE:
        results = []
        for q in questions:
            results.append(_analyse_one(job, q, job.by_question[q], tokenizer))
            # The question's prepared answers are let go once its result is made (it keeps each
            # answer and its masked text): the next question's work reuses their memory (a
            # million distinct answers, five questions in turn: each held 0.3 GB of them).
            job.by_question[q] = []
            settle()  # each result once made out of the collections the next question sets off
            bar.update(1)
        return results
    order = sorted(questions, key=lambda q: -len(job.by_question[q]))

    sent: dict[str, tuple[list[Prepared], list[Prepared], np.ndarray]] = {}  # kept, distinct, index

    def submit(q: str):
        # The word vectors the worker has (they were loaded before the fork). A question coded on
        # a codebook goes whole; any other as its distinct answers only (`_distinct_in_worker`): a
        # survey that repeats answers (an export ×11) sends and gets back what its distinct ones
        # make, and this process places every answer.
        if _coded(job, q):
            part = _QuestionJob(OrderedDict(), job.config, job.book, None, {q: job.earlier.get(q, {})},
                                {q: job.framings[q]})
            return pool.submit(_analyse_in_worker, part, q, parallel.packed(job.by_question[q]),
                               job.vectors is not None)
        kept = [p for p in job.by_question[q] if p.kept]
        reps, of = distinct_answers(kept)
        sent[q] = (kept, reps, of)
        counts = np.bincount(of, minlength=len(reps)).tolist()
        return pool.submit(_distinct_in_worker, job.config, parallel.packed((reps, counts, len(kept))),
                           job.vectors is not None, job.framings[q].asks)

    def received(q: str, data: bytes) -> QuestionResult:
        if q not in sent:
            return _attached(parallel.unpacked(data), job.by_question[q])
        kept, reps, of = sent.pop(q)
        found, net, hits = parallel.unpacked(data)
        with parallel.no_collection():  # one record per answer, all kept (see `parallel`)
            result = _question_result(q, job.by_question[q], job.config, found.themes,
                                      (reps, of, found.entries), found.question_weights,
                                      found.word_themes, found.k_runs)
        lines = kwic_view(result, kept, tokenizer, mask=False) if hits is None else \
            kwic.lines_from(hits, kept, reps, of, limit=MAX_KWIC)  # from the texts the worker found
        return _completed(job, q, result, {"network": net, "kwic": lines})

    # One question per worker, and one more waiting, pickled, in the pool's queue: a worker that
    # finishes takes it at once instead of idling while the parent pickles the next question
    # (18 MB and 0.3 s for 22,644 answers, then 0.5 s to unpickle in the worker). Further
    # questions are submitted as these finish: a question in the queue is held pickled.
    workers = job.config.workers or os.cpu_count() or 1
    waiting = list(order)
    running = {}
    for q in waiting[:workers + 1]:
        running[submit(q)] = q
        # Pickling the next question holds the interpreter for 0.2 s: let the pool's threads
        # send this one first, so that its worker starts meanwhile.
        wait(running, timeout=SEND_TIME)
    del waiting[:workers + 1]
    done: dict[str, QuestionResult] = {}
    undrawn: list[str] = []  # finished questions whose clouds are not yet with the workers
    drawing: set = set()  # the futures of the clouds being drawn
    while running:
        finished, _ = wait(set(running) | drawing, return_when=FIRST_COMPLETED)
        drawing -= finished
        for future in sorted((f for f in finished if f in running), key=lambda f: order.index(running[f])):
            q = running.pop(future)
            done[q] = received(q, future.result())
            undrawn.append(q)
            job.by_question[q] = []  # let go, as in turn
            settle()
            bar.update(1)
            if waiting:
                nxt = waiting.pop(0)
                running[submit(nxt)] = nxt
        # Once no question is left to start, a worker that would idle draws a finished question's
        # clouds, one question at a time (what is still being drawn when the analysis ends is
        # left to finish meanwhile; nothing more waits in the pool's queue).
        while clouds is not None and running and not waiting and len(running) + len(drawing) < workers and undrawn:
            future = clouds.submit(pool, questions.index(undrawn[0]), done[undrawn.pop(0)])
            if future is not None:
                drawing.add(future)
    return [done[q] for q in questions]


def _analyse_one(job: _QuestionJob, q: str, items: list[Prepared], tokenizer: Tokenizer) -> QuestionResult:
    config = job.config
    staff_themes = job.book.for_question(q) if job.book is not None else ()
    if staff_themes:
        result = coded_question(q, items, config, staff_themes, job.vectors, tokenizer, job.earlier.get(q, {}),
                                asks=job.framings[q].asks)
    else:
        result = analyse_question(q, items, config, job.vectors, job.framings[q].asks)
    return _completed(job, q, result, views(result, items, config, tokenizer))


def _completed(job: _QuestionJob, q: str, result: QuestionResult, view: dict) -> QuestionResult:
    """The result with its views, the question's framing, overview and cross-tabs."""
    result = dataclasses.replace(result, **view, asks=job.framings[q].asks, asks_from=job.framings[q].source)
    return summarised(result, job.config)


def _coded(job: _QuestionJob, q: str) -> bool:
    return job.book is not None and bool(job.book.for_question(q))


def _distinct_in_worker(config: Config, data: bytes, use_vectors: bool, asks: str = "") -> bytes:
    """In a question worker: a question's distinct answers, how many answers each stands for and
    the number kept come `packed`; its `Distinct` analysis, co-occurrence network and, for each
    theme keyword, the first distinct answers that hold it (`kwic.Index.first_texts`; None with
    --no-mask, when answers of one masked text may show different texts) go back so. Everything
    per answer (placing, KWIC lines, cross-tabs) is the parent's (`_analyse_questions`)."""
    reps, counts, n_kept = parallel.task_input(data)
    found = analyse_distinct(reps, np.asarray(counts, dtype=float), n_kept, config,
                             wordvectors.load() if use_vectors else None, asks)
    hits = None
    if config.mask:
        if "tokenizer" not in _WORKER:
            _WORKER["tokenizer"] = Tokenizer()  # a tagger cannot be pickled: one per process
        hits = _kwic_hits(found.themes, reps, _WORKER["tokenizer"])
    return parallel.packed((found, network.build([p.terms for p in reps], config.seed, counts=counts), hits))


def _analyse_in_worker(job: _QuestionJob, q: str, items: bytes, use_vectors: bool) -> bytes:
    """In a question worker: the question's answers come and its result goes `packed`, and the
    answers are left out of garbage collection while it is analysed (`parallel.task_input`)."""
    if "tokenizer" not in _WORKER:
        _WORKER["tokenizer"] = Tokenizer()  # a tagger cannot be pickled: one per process
    job = dataclasses.replace(job, vectors=wordvectors.load() if use_vectors else None)
    return parallel.packed(_detached(_analyse_one(job, q, parallel.task_input(items), _WORKER["tokenizer"])))


def _detached(result: QuestionResult) -> QuestionResult:
    """The result with its assignments' answers and masked texts left out (the parent has them,
    in the same order)."""
    return dataclasses.replace(result, assignments=tuple(dataclasses.replace(a, answer=cast(Answer, None), masked="")
                                                         for a in result.assignments))


def _attached(result: QuestionResult, items: list[Prepared]) -> QuestionResult:
    with parallel.no_collection():  # one record per answer, all kept (see `parallel`)
        return dataclasses.replace(result, assignments=tuple(dataclasses.replace(a, answer=p.answer, masked=p.masked)
                                                             for a, p in zip(result.assignments, items, strict=True)))


def set_aside_no_issue(by_question: OrderedDict[str, list[Prepared]], config: Config,
                       progress: Progress | None = None) -> dict[str, noissue.Framing]:
    """Decide what each question asks for and set its no_issue answers aside (in place): 特に不便は
    なかった to a question on problems, praise-only answers to one on problems or requests. The
    framing is configured (`[questions."列名"] asks`), else read from the title and column name,
    else from the answers. Each distinct answer text is read once, whatever its question."""
    known: dict[str, str] = {p.norm: p.kind for items in by_question.values() for p in items
                             if not p.excluded_reason and p.kind is not None}  # read at preparation, in the workers
    framings = {}
    with (progress or Progress(quiet=True)).bar("「特になし」等の判定", len(by_question), "設問") as bar:
        for q, items in by_question.items():
            title = config.question_title(q)
            by_question[q], framings[q] = noissue.mark(items, title if title == q else f"{title} {q}",
                                                       config.question_ask(q), known)
            bar.update(1)
    return framings


def join_fixed_expressions(by_question: OrderedDict[str, list[Prepared]], config: Config) -> None:
    """Each question's fixed 名詞の名詞 expressions (道の駅, 海の幸) made single terms of its kept
    answers, in place (`collocations`): read from the question's own answers, once its
    non-answers and no_issue answers are set aside; none that is a stop word, and none when the
    config turns them off (`fixed_expressions = false`)."""
    if not config.fixed_expressions:
        return
    stop_words = extractor(config.stop_words).stop_words
    for q, items in by_question.items():
        by_question[q] = collocations.join(items, stop_words)


def with_previous(result: Result, out: Path) -> Result:
    """`result` with each question's themes set beside the earlier run in `out` (`previous`)."""
    from pipeline import previous

    earlier = previous.read(out)
    questions = tuple(dataclasses.replace(r, changes=previous.changes(r.themes, r.n_answers - r.n_excluded,
                                                                      earlier.get(r.question)))
                      for r in result.questions)
    return dataclasses.replace(result, questions=questions)


def notices(config: Config, used_vectors: bool) -> tuple[str, ...]:
    """What the reader of the report (and the screen) must know about how the run was made."""
    out = []
    if not used_vectors:
        why = "設定で無効にしています" if not config.word_vectors else \
            "ja-ginza が入っていません。`make themes` で環境を作るか `pip install --no-deps ja-ginza==5.3.0` を実行してください"
        out.append(f"語ベクトルなし: 言い換えの近さは使っていません（{why}）。")
    if not config.mask:
        out.append("個人情報のマスキングをしていません（--no-mask）。氏名・連絡先がそのまま載っているので取り扱いに注意してください。")
    return tuple(out)


def summarised(result: QuestionResult, config: Config) -> QuestionResult:
    """The question's overview sentence and its theme × attribute tables, from its themes and
    assignments (again after staff rename labels, so both always show the current labels)."""
    counted = theme_attributes(result) if config.attr_cols else None  # once for every attribute
    tables = tuple(t for t in (crosstab(result, attr, config.seed, counted) for attr in config.attr_cols)
                   if t is not None)
    return dataclasses.replace(result, overview=overview(result), crosstabs=tables)


def overview(result: QuestionResult) -> str:
    """The question's themes in order of size with their shares, in one Japanese sentence."""
    return "、".join(f"「{t.label}」{t.size}件（{t.share * 100:.1f}%）" for t in result.themes)


MAX_KWIC = 40  # lines per keyword in the report


def views(result: QuestionResult, items: list[Prepared], config: Config, tokenizer: Tokenizer) -> dict:
    """The report's extra views of a question: the co-occurrence network and KWIC lines of
    every theme keyword."""
    kept = [p for p in items if p.kept]
    return {"network": network.build([p.terms for p in kept], config.seed),
            "kwic": kwic_view(result, kept, tokenizer, config.mask)}


def kwic_view(result: QuestionResult, kept: list[Prepared], tokenizer: Tokenizer, mask: bool = True) -> tuple:
    """KWIC lines of every theme keyword over the kept answers (`MAX_KWIC` a keyword). Masked,
    the words are looked up among the distinct answers, and each word's first MAX_KWIC texts
    give its lines (`kwic.lines_from`); with --no-mask, answers of one masked text may show
    different texts, and every answer is searched."""
    if mask:
        return _kwic_lines(result.themes, kept, *distinct_answers(kept), tokenizer)
    keywords = list(dict.fromkeys(k for t in result.themes for k in t.keywords))
    index = kwic.Index(kept, tokenizer)  # tokenizes nothing until a word is looked up
    return tuple((k, tuple(index.lines(k, limit=MAX_KWIC))) for k in keywords)


def _kwic_hits(themes: Sequence[Theme], reps: list[Prepared], tokenizer: Tokenizer) -> tuple:
    """For each theme keyword, the first MAX_KWIC distinct answers `reps` that hold it
    (`kwic.Index.first_texts`), to make its KWIC lines from (`kwic.lines_from`)."""
    index = kwic.Index(reps, tokenizer)  # tokenizes nothing until a word is looked up
    keywords = dict.fromkeys(k for t in themes for k in t.keywords)
    return tuple((k, index.first_texts(k, MAX_KWIC)) for k in keywords)


def read_codebook(path: Path, kept_ids: dict[str, set[str]]):
    """A codebook.toml, the codebook.xlsx a run writes (edited in Excel), or a KH Coder
    coding-rule file (.txt: every code applies to every question, its name is key and label),
    checked against the analysed answers."""
    from pipeline import codebook, codebook_xlsx, rules
    from pipeline.errors import UserError
    from pipeline.load import decode

    if not path.is_file():
        raise UserError(f"コードブック {path} が見つかりません。", "--codebook に正しいファイルのパスを指定してください。")
    if path.suffix.lower() == ".toml":
        return codebook.read(path, kept_ids, check_rule=rules.problem)
    if path.suffix.lower() == ".xlsx":
        return codebook_xlsx.read(path, kept_ids, check_rule=rules.problem)
    if path.suffix.lower() == ".txt":
        codes = rules.parse_file(decode(path, path.read_bytes()), path.name)
        themes = tuple(codebook.CodebookTheme(key=c.name, label=c.name, question=None, rule=c.text, line=c.line)
                       for c in codes)
        return codebook.Codebook(themes=themes, source=path.name)
    raise UserError(f"コードブック {path.name} の形式には対応していません。",
                    "codebook.toml か codebook.xlsx、または KH Coder のコーディングルールのファイル（.txt）を指定してください。")


def coded_question(question: str, items: list[Prepared], config: Config, staff_themes,
                   word_vectors: wordvectors.WordVectors | None, tokenizer: Tokenizer,
                   earlier: dict[str, str] | None = None, *, asks: str = "") -> QuestionResult:
    """The question's kept answers coded on staff's codebook themes (`guided.code`): examples,
    rules and keywords first, similarity for the rest, answers that fit none in その他 (key
    `other`, listed last). Themes are ordered by size; keys and labels are the codebook's."""
    from pipeline import guided

    kept = [p for p in items if p.kept]
    if not kept:
        return analyse_question(question, items, config, word_vectors, asks)
    # The themes' own words (label, description) are vectorised with the answers: a prototype each.
    # Examples that are answers of the earlier wave (`earlier`, not of this input) add their text.
    here = {p.answer.id for p in kept}
    earlier = earlier or {}
    texts = ["。".join([guided.theme_text(t)] + [earlier[e] for e in t.examples if e not in here and e in earlier])
             for t in staff_themes]
    names = prepare([Answer(id=f"_theme{i}", question=question, row=0, raw=text) for i, text in enumerate(texts)],
                    config, tokenizer)
    reps, of = distinct_answers(kept)
    # One space for the coding and for the rest (groups among その他, quotes, summaries, word
    # clouds), fitted on the answers, their points and the themes' own words, as `guided.question_vectors`.
    vectors, multi, described = _vectors(reps, config.seed, word_vectors, extra=names)
    first_of = {p.norm: p.answer.id for p in reversed(reps)}
    rep_id = {p.answer.id: first_of[p.norm] for p in kept}  # an example that repeats an answer → its first copy
    staff_themes = [dataclasses.replace(t, examples=tuple(dict.fromkeys(rep_id.get(e, e) for e in t.examples)))
                    for t in staff_themes]
    coded = guided.code(reps, vectors.dense[:len(reps)], staff_themes, seed=config.seed, described=described)
    weight = np.bincount(of, minlength=len(reps)).astype(float)
    finals = guided.resolved_keys(staff_themes)
    named = {t.key: t for t in staff_themes}
    coded = _propose(coded, vectors.dense[:len(reps)], weight, config, taken=set(named))
    proposed = sorted({c.key for c in coded if c.key not in named and c.key != guided.OTHER_KEY})
    keys = list(dict.fromkeys(finals)) + proposed + \
        ([guided.OTHER_KEY] if any(c.key == guided.OTHER_KEY for c in coded) else [])
    size = {key: float(sum(weight[u] for u, c in enumerate(coded) if c.key == key)) for key in keys}
    # Largest first, その他 last; ties in codebook order.
    order = {key: i for i, key in enumerate(keys)}
    keys.sort(key=lambda key: (key == guided.OTHER_KEY, -size[key], order[key]))
    index = {key: i for i, key in enumerate(keys)}
    labels_ = np.array([index[c.key] for c in coded])
    titles = [(key, "その他", ()) if key == guided.OTHER_KEY else
              (key, "", ()) if key not in named else (key, named[key].label, named[key].keywords)
              for key in keys]
    themes, entries, question_weights, word_themes = _build_themes(
        reps, len(kept), weight, vectors, vectors.dense[:len(reps)], labels_, np.array([c.score for c in coded]),
        multi, config, titles=titles, reasons=[c.reason for c in coded], proposed=set(proposed), asks=asks)
    return _question_result(question, items, config, themes, (reps, of, entries), question_weights,
                            word_themes)


PROPOSED_PREFIX = "new"  # keys of the themes proposed among その他: new01, new02, …


def _propose(coded: list, x: np.ndarray, weight: np.ndarray, config: Config, taken: AbstractSet[str] = frozenset()) -> list:
    """Groups of similar answers among those that fit no codebook theme, proposed as new themes:
    the automatic clustering of the その他 answers alone; a group of at least `min_theme_size`
    answers that is not the whole of その他 becomes a theme `new01`, `new02`, … (largest first);
    the rest stay in その他. The concerns the codebook did not foresee are not lost. Keys in
    `taken` (the codebook's own, e.g. a new01 adopted from an earlier run) are skipped."""
    from pipeline import guided

    rows = [u for u, c in enumerate(coded) if c.key == guided.OTHER_KEY]
    if weight[rows].sum() < 2 * config.min_theme_size:
        return coded
    found = cluster(x[rows], k=None, k_max=config.k_max, min_size=config.min_theme_size, seed=config.seed,
                    weights=weight[rows])
    groups = int(found.labels.max()) + 1
    if groups < 2:  # one group is その他 itself
        return coded
    out = list(coded)
    fresh = (f"{PROPOSED_PREFIX}{n:02d}" for n in itertools.count(1))
    for c in range(groups):
        members = [rows[i] for i in np.flatnonzero(found.labels == c)]
        if weight[members].sum() < config.min_theme_size:
            continue
        key = next(k for k in fresh if k not in taken)
        for u, i in zip(members, np.flatnonzero(found.labels == c)):
            out[u] = guided.Coded(key, round(float(found.scores[i]), 4),
                                  "どのテーマにも近くない回答のうち、似た回答のまとまり（新しいテーマの候補）")
    return out


def analyse_question(question: str, items: list[Prepared], config: Config,
                     word_vectors: wordvectors.WordVectors | None = None, asks: str = "") -> QuestionResult:
    """Cluster the question's kept answers into themes; then place each point (segment) of a
    multi-point answer, so that `theme_ids` lists every theme the answer touches.

    Whole answers are clustered (splitting every answer into sentences made the themes worse on
    the bundled survey: a long answer on one topic becomes several noisy pieces); the answer's
    own theme is the theme of its dominant point in this sense, and a point joins `theme_ids`
    when it is closer to another theme's centre than to its answer's. With `--k auto`, a theme
    that mixes two groups of answers is split and answers that fit no theme well go to a last
    theme その他 (key `other`; see `cluster`). Quotes are clear members of their theme (`quotes`).
    """
    kept = [p for p in items if p.kept]
    reps, of = distinct_answers(kept)
    found = analyse_distinct(reps, np.bincount(of, minlength=len(reps)).astype(float), len(kept), config, word_vectors,
                             asks)
    with parallel.no_collection():  # one record per answer (see `analyse_distinct`)
        return _question_result(question, items, config, found.themes, (reps, of, found.entries),
                                found.question_weights, found.word_themes, found.k_runs)


def distinct_answers(kept: list[Prepared]) -> tuple[list[Prepared], np.ndarray]:
    """The first answer of each distinct text (after normalisation and masking), in input order,
    and for each kept answer the index of its text among them."""
    unique_of: dict[str, int] = {}
    of: list[int] = []
    reps: list[Prepared] = []
    for p in kept:
        u = unique_of.get(p.norm)
        if u is None:
            u = unique_of[p.norm] = len(reps)
            reps.append(p)
        of.append(u)
    return reps, np.array(of, dtype=int)


Entry = tuple[int, float, tuple[int, ...], str]  # an answer's theme, score, themes touched and reason


@dataclass(frozen=True)
class Distinct:
    """A question analysed on its distinct answers (`analyse_distinct`): its themes, and for each
    distinct answer where it is placed — itself (`entries[u][0]`) and its repeats (`[1]`)."""

    themes: tuple[Theme, ...] = ()
    entries: tuple[tuple[Entry, Entry], ...] = ()
    question_weights: tuple[tuple[str, float], ...] = ()
    word_themes: tuple[tuple[str, int], ...] = ()
    k_runs: tuple[int, ...] = ()


def analyse_distinct(reps: list[Prepared], weight: np.ndarray, n_kept: int, config: Config,
                     word_vectors: wordvectors.WordVectors | None = None, asks: str = "") -> Distinct:
    """The themes of a question's distinct answers `reps`, each standing for `weight` answers
    (`n_kept` in all): identical answers are analysed once. All that depends on the answers'
    texts (and on what the question asks, `noissue.Framing.asks`, which decides which quotes say
    a concern on their own: `_build_themes`) only, so a worker process can make it from the
    distinct answers alone."""
    # The cyclic garbage collector paused meanwhile: the analysis makes objects by the hundred
    # thousand (candidates, rows, tuples) that hold no cycles, and every few hundred of them a
    # collection would walk all of them again (a 75,747-answer question: 14.7 → 12.3 s).
    with parallel.no_collection():
        return _analysed(reps, weight, n_kept, config, word_vectors, asks)


def _analysed(reps: list[Prepared], weight: np.ndarray, n_kept: int, config: Config,
              word_vectors: wordvectors.WordVectors | None, asks: str = "") -> Distinct:
    if not reps:
        return Distinct()
    vectors, multi = _vectors(reps, config.seed, word_vectors)
    x = vectors.dense[:len(reps)]
    result = cluster(x, k=config.k, k_max=config.k_max, min_size=config.min_theme_size, seed=config.seed,
                     weights=weight)
    labels_ = result.labels
    other = bool((labels_ == OTHER).any())
    if other:  # その他 is the last theme
        labels_ = np.where(labels_ == OTHER, int(labels_.max()) + 1, labels_)
    themes, entries, question_weights, word_themes = _build_themes(
        reps, n_kept, weight, vectors, x, labels_, result.scores, multi, config,
        titles=None, reasons=None, space=result.smoothed, other=other, asks=asks)
    return Distinct(tuple(themes), tuple(entries), question_weights, word_themes, result.k_runs)


def _vectors(reps: list[Prepared], seed: int, word_vectors, extra: list[Prepared] | None = None) -> tuple:
    """The distinct answers' vectors (and, after them, their points'), with the points: the
    answers' own space for clustering, quotes, summaries and word clouds. With `extra` (prepared
    texts fitted in the same space: a codebook's theme names), also their dense rows."""
    more = extra or []
    multi = [(u, s) for u, p in enumerate(reps) if len(p.segments) > 1 for s in p.segments]
    terms = [p.terms for p in reps] + [s.terms for _, s in multi] + [p.terms for p in more]
    vectors = vectorize(terms, [p.norm for p in reps] + [s.text for _, s in multi] + [p.norm for p in more],
                        seed=seed, extra_terms=[p.parts for p in reps] + [s.parts for _, s in multi] + [p.parts for p in more],
                        word_vectors=word_vectors, aliases=_lemmas([*reps, *more]))
    if extra is None:
        return vectors, multi
    m = len(reps) + len(multi)
    return dataclasses.replace(vectors, dense=vectors.dense[:m], terms=vectors.terms[:m]), multi, vectors.dense[m:]


def _question_result(question: str, items: list[Prepared], config: Config, themes: Sequence[Theme],
                     placed: tuple[list[Prepared], np.ndarray, Sequence[tuple[Entry, Entry]]],
                     question_weights: tuple, word_themes: tuple, k_runs: tuple[int, ...] = ()) -> QuestionResult:
    """The question's result: its themes and every answer, placed or set aside with its reason.
    `placed`: the distinct kept answers, each kept answer's index among them (in the order of
    `items`) and each distinct answer's entries — where it is placed itself, and its repeats."""
    reps, of, entries = placed
    assignments = []
    # Reasons and theme lists repeat (「どの例にも近くないが、このテーマの中心に最も近い (0.30)」: 18,914
    # distinct among 252,489 answers): each is held once, 44 of the 76 MB these records took.
    once: dict = {}
    distinct = iter(of.tolist())
    for p in items:
        if p.excluded_reason:
            c, score, theme_ids, reason = -1, 0.0, (), ""
        else:
            u = next(distinct)
            own, repeat = entries[u]
            c, score, theme_ids, reason = own if reps[u] is p else repeat
        assignments.append(Assignment(p.answer, p.masked, c, p.excluded_reason, score,
                                      once.setdefault(theme_ids, theme_ids), once.setdefault(reason, reason)))
    kept = sum(1 for p in items if p.kept)
    return QuestionResult(
        question=question, title=config.question_title(question), n_answers=len(items),
        n_excluded=len(items) - kept, k_chosen=len(themes), themes=tuple(themes),
        assignments=tuple(assignments), term_weights=question_weights, k_runs=k_runs, word_themes=word_themes,
    )


def _build_themes(reps: list[Prepared], n_kept: int, weight: np.ndarray, vectors,
                  x: np.ndarray, labels_: np.ndarray, closeness: np.ndarray, multi: list[tuple[int, Segment]],
                  config: Config, *, titles: list[tuple[str, str, tuple[str, ...]]] | None,
                  reasons: list[str] | None, proposed: AbstractSet[str] = frozenset(),
                  space: np.ndarray | None = None, other: bool = False, asks: str = ""):
    """The themes of a partition `labels_` of the distinct answers `reps` (0.. by size; `n_kept`
    answers in all), with keywords, quotes, summaries and word-cloud weights, and where each
    distinct answer and its repeats are placed (`Distinct.entries`).
    `titles`: (key, label, keywords) per theme from a codebook (keywords empty: found here), or
    None for automatic labels and keys t01…; `reasons`: the reason of each distinct answer, or
    None to explain the automatic themes by their keywords and examples; `proposed`: the keys of
    themes a codebook run found among その他 (not the codebook's); `space`: the vectors the
    partition was made in (`x` when None), where clear members are told (`cluster.clear_members`);
    `other`: the last theme of an automatic partition is その他 (key `other`); `asks`: what the
    question asks for (`noissue.Framing.asks`): to a question on problems or requests, an answer
    with a clause that only praises or says there is nothing to report (「駐車場が狭い。食事は美味しかった」)
    is not a clear member for quoting — it does not say the theme's concern on its own
    (`noissue.says_aside`)."""
    n = len(reps)
    k = int(labels_.max()) + 1 if titles is None else len(titles)
    other_at = k - 1 if other and titles is None else \
        next((c for c, t in enumerate(titles or ()) if t[0] == OTHER_KEY), None)
    counts = sp.diags(weight) @ vectors.terms[:n]  # term counts over every answer, repeats included
    lemmas = _lemmas(reps)
    keywords, labels, scores, says_label = label_themes(counts, vectors.vocabulary, labels_, k,
                                                   phrase_lists=[p.phrases for p in reps], weights=weight,
                                                   closeness=closeness, lemmas=lemmas,
                                                   fixed=[t[1] for t in titles] if titles else
                                                   ["その他" if c == other_at else "" for c in range(k)],
                                                   title=(config.question_title(reps[0].answer.question) if reps else "")
                                                   + "\n" + config.title)
    spellings = _spellings(vectors.vocabulary, lemmas)
    question_weights = _top_weights(vectors.vocabulary, np.asarray(counts.sum(axis=0)).ravel(), 150, spellings)
    column = {w: j for j, w in enumerate(vectors.vocabulary)}
    word_themes = tuple((w, int(np.argmax(scores[:, column[w]]))) for w, _ in question_weights)
    touched = _segment_themes(x, labels_, vectors.dense[n:], [u for u, _ in multi], other_at)
    centres = centroids(x, labels_)
    if centres.shape[0] < k:  # a codebook theme nobody's answer fits: no centre
        centres = np.vstack([centres, np.zeros((k - centres.shape[0], x.shape[1]))])
    points = _points(reps, x, vectors.dense[n:], multi)
    limit = max(config.max_quotes, config.n_candidates)
    relevance, clear = _clear_members(x if space is None else space, x, labels_, other_at, limit, config.seed)
    for i in np.flatnonzero(clear).tolist():
        if noissue.says_aside(reps[i].norm, asks):
            clear[i] = False
    themes: list[Theme] = []
    for c in range(k):
        members = np.flatnonzero(labels_ == c)
        size = int(weight[members].sum())
        cands = [quotes.candidate(reps[u].answer.id, reps[u].masked, reps[u].norm, x[u], points[u], centres[c],
                                  clear=bool(clear[u]), relevance=float(relevance[u]),
                                  says_label=bool(says_label[c, u]))
                 for u in members]
        if c == other_at:  # no concern to stand for: its quotes are a spread of its answers
            cands = [dataclasses.replace(cand, clear=True, relevance=None) for cand in cands]
        shown, picked = quotes.select(cands, c, centres, quotes=config.max_quotes, shortlist=limit)
        in_theme = np.asarray(counts[members].sum(axis=0)).ravel()
        weights = _top_weights(vectors.vocabulary,
                               in_theme * (scores[c] > 0) * (1 + scores[c] / max(scores[c].max(), 1e-12)), 100,
                               spellings)
        summary = quotes.summarize([pt for u in members for pt in points[u]], centres[c], size) if size else ()
        if titles is not None:
            key, label, words = titles[c]
        elif c == other_at:
            key, label, words = OTHER_KEY, "その他", ()
        else:
            key, label, words = theme_key(c), labels[c], ()
        themes.append(Theme(
            theme_id=c, label=label or labels[c], keywords=tuple(words) or keywords[c], size=size,
            share=round(size / n_kept, 3), quotes=tuple(shown),
            candidates=tuple(picked), term_weights=weights, summary=summary, key=key,
            proposed=key in proposed,
        ))
    why = reasons if reasons is not None else _reasons(reps, x, labels_, themes, closeness)
    # Where each distinct answer is placed: the answer itself, and its repeats (whose reason, when
    # it names the answer as an example, says they repeat it). One tuple for all the repeats.
    entries: list[tuple[Entry, Entry]] = []
    for u, c in enumerate(labels_.tolist()):
        entry: Entry = (c, round(float(closeness[u]), 4), touched.get(u, (c,)), why[u])
        entries.append((entry, entry if not why[u].startswith(("代表例", "例 ")) or " に近い" in why[u]
                        else entry[:3] + (f"例 {reps[u].answer.id} と同じ回答",)))
    return themes, entries, question_weights, word_themes


def _lemmas(reps: list[Prepared]) -> dict[str, str]:
    """Written forms of the answers' words → their lemma (`tokenize.aliases`): the word vectors'
    look-up (`_vectors`), the keywords' and word clouds' spellings (`_build_themes`)."""
    return dict(itertools.chain.from_iterable(p.aliases for p in reps))


def _clear_members(space: np.ndarray, x: np.ndarray, labels: np.ndarray, other_at: int | None, limit: int,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct answer, its representativeness and whether it is a clear member of its theme
    (`cluster.clear_members`: margins in the clustering `space`, neighbour agreement in `x`).
    Only the 4 × `limit` most representative answers of each theme can be quoted, so only they
    are asked: a question of 100,000 answers costs a few thousand neighbour searches, not n²."""
    members = labels if other_at is None else np.where(labels == other_at, OTHER, labels)
    own, margin = margins(space, members)
    relevance = quotes.representativeness(own, margin)
    asked = [rows[np.lexsort((rows, -relevance[rows]))[:4 * limit]]
             for rows in (np.flatnonzero(members == c) for c in np.unique(members[members >= 0]))]
    rows = np.concatenate(asked) if asked else np.zeros(0, dtype=int)
    clear = np.zeros(len(labels), dtype=bool)
    clear[rows] = clear_rows(space, x, members, rows, seed)
    return relevance, clear


def theme_key(theme_id: int) -> str:
    """The key of an automatic theme: t01 for the largest, t02, … (see CONTRACT.md)."""
    return f"t{theme_id + 1:02d}"


MAX_REASON_KEYWORDS = 3
# Below this cosine an example explains nothing; the reason then names the theme's centre.
EXAMPLE_EXPLAINS = 0.3


def _reasons(reps: list[Prepared], x: np.ndarray, labels: np.ndarray, themes: list[Theme],
             closeness: np.ndarray) -> list[str]:
    """Why each answer is in its theme, in Japanese: the theme's keywords it contains, and the
    theme's example (shown quote) it is closest to, with the cosine of the two in the clustering
    space — 「キーワード: 書類・報告書 ／ 例 K0120 に近い (0.82)」, or 「代表例」 for an example.
    An answer in その他 names the theme it is nearest to and how close (`closeness`)."""
    row_of = {p.answer.id: u for u, p in enumerate(reps)}
    out = [""] * len(reps)
    real = [t for t in themes if t.key != OTHER_KEY]
    for t in themes:
        if t.key == OTHER_KEY:
            members = np.flatnonzero(labels == t.theme_id)
            if real and members.size:
                cents = centroids(x, labels)[[r.theme_id for r in real]]
                nearest = np.argmax(x[members] @ cents.T, axis=1)
                for u, j in zip(members.tolist(), nearest.tolist()):
                    out[u] = f"どのテーマにもよく当てはまらない（最も近いテーマ「{real[j].label}」: {float(closeness[u]):.2f}）"
            continue
        examples = [row_of[q.id] for q in t.quotes if q.id in row_of]
        members = np.flatnonzero(labels == t.theme_id)
        sims = x[members] @ x[examples].T if examples else np.zeros((len(members), 1))
        nearest, best = sims.argmax(axis=1), sims.max(axis=1)  # each member's closest example
        shown = set(examples)
        for m, u in enumerate(members.tolist()):
            words = set(reps[u].terms)
            found = [k for k in t.keywords if k in words][:MAX_REASON_KEYWORDS]
            parts = [f"キーワード: {'・'.join(found)}"] if found else []
            if u in shown:
                parts.insert(0, "代表例")
            elif examples and best[m] >= EXAMPLE_EXPLAINS:
                parts.append(f"例 {reps[examples[nearest[m]]].answer.id} に近い ({float(best[m]):.2f})")
            else:
                parts.append(f"どの例にも近くないが、このテーマの中心に最も近い ({float(closeness[u]):.2f})")
            out[u] = " ／ ".join(parts)
    return out


def _points(kept: list[Prepared], x: np.ndarray, seg_x: np.ndarray,
            multi: list[tuple[int, Segment]]) -> list[list[tuple[str, str, np.ndarray]]]:
    """Per answer, its points as (text as written, normalised text, vector); a one-point answer
    is its own point."""
    points: list[list[tuple[str, str, np.ndarray]]] = [[] for _ in kept]
    for (i, seg), v in zip(multi, seg_x):
        points[i].append((seg.display, seg.text, v))
    for i, p in enumerate(kept):
        if not points[i]:
            points[i].append((p.masked.strip(), p.norm, x[i]))
    return points


def _segment_themes(x: np.ndarray, labels: np.ndarray, seg_x: np.ndarray, seg_owner: list[int],
                    other_at: int | None = None) -> dict[int, tuple[int, ...]]:
    """Themes touched by each multi-point answer: its own (dominant) theme first, then the
    nearest theme of each of its points, in text order (その他, `other_at`, is no point's
    nearest theme: it has no concern of its own)."""
    if not seg_owner:
        return {}
    cents = centroids(x, labels)
    sims = similarities(seg_x, cents)
    if other_at is not None and other_at < sims.shape[1] and sims.shape[1] > 1:
        sims[:, other_at] = -np.inf
    nearest = np.argmax(sims, axis=1)
    out: dict[int, list[int]] = {}
    for owner, c in zip(seg_owner, nearest):
        out.setdefault(owner, []).append(int(c))
    return {owner: tuple(dict.fromkeys([int(labels[owner])] + themes)) for owner, themes in out.items()}


def _spellings(vocabulary: tuple[str, ...], lemmas: dict[str, str]) -> list[np.ndarray]:
    """The vocabulary's words written more than one way (おいしい, 美味しい: one lemma), as arrays of
    their columns, for the word clouds (`_top_weights`)."""
    groups: dict[str, list[int]] = {}
    for j, term in enumerate(vocabulary):
        groups.setdefault(lemmas.get(term, term), []).append(j)  # (a lemma written as itself has no alias)
    return [np.array(g) for g in groups.values() if len(g) > 1]


def _top_weights(vocabulary: tuple[str, ...], weights: np.ndarray, limit: int,
                 spellings: Sequence[np.ndarray] = ()) -> tuple[tuple[str, float], ...]:
    """The `limit` heaviest words of a word cloud, heaviest first. A word written several ways
    (`spellings`: 綺麗, きれい, キレイ) is one word of their summed weight, shown in the spelling
    that weighs most (the first in the vocabulary's order of equals)."""
    if spellings:
        weights = weights.copy()
        for group in spellings:
            part = weights[group]
            if np.count_nonzero(part) > 1:
                total = part.sum()
                weights[group] = 0.0
                weights[group[int(np.argmax(part))]] = total
    # The heaviest first, ties by the term: the `limit` smallest of (-weight, term), as sorting all
    # would give them (heapq.nsmallest is sorted(...)[:limit]).
    idx = np.flatnonzero(weights > 0)
    top = heapq.nsmallest(limit, zip((-weights[idx]).tolist(), [vocabulary[j] for j in idx.tolist()]))
    return tuple((term, round(-minus, 6)) for minus, term in top)
