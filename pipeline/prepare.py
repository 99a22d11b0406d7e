"""Preparation of the answers for analysis: normalised (NFKC), non-answers set aside, personal
information masked, tokenized (MeCab), content terms, label phrases and points (segments) found.
Nothing here imports the numerical libraries: `Preparation` forks its workers from a light
process, and the caller imports the analysis while they work."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import Future

from pipeline import mask as masking
from pipeline import noissue, parallel, segment
from pipeline.cache import Cache
from pipeline.config import Config
from pipeline.nonanswer import extra_set, reason
from pipeline.normalize import normalize_with_map
from pipeline.phrases import phrases
from pipeline.progress import Progress
from pipeline.records import Answer, Prepared, Segment
from pipeline.tokenize import TermExtractor, Token, Tokenizer, aliases, extractor

MIN_SEGMENT_TERMS = 1  # a point without content terms (以上です。) joins its neighbour


CHUNK = 1000  # distinct texts per task sent to a worker process
# The last `workers` × CHUNK texts go in chunks of a quarter of that: a worker that finishes early
# then waits for at most a small chunk of the other's instead of a whole one (10,000 answers,
# 8,017 distinct texts: nine chunks for two workers left one idle for its ninth, 0.4 s).
TAIL_PARTS = 4

# Distinct texts above which the workers' chunks are compressed. Such surveys are analysed in
# turn and hold the chunks until their questions' turns (`Preparation.questions`); below, the
# chunks are unpacked as they come, and compressing them cost the 89,683 answers 1.5 s.
COMPRESS_ABOVE = 100_000
PARALLEL_ABOVE = 3000  # distinct texts below which one process is faster than starting workers
# Distinct texts up to which the prepared answers are kept in (and taken from) the cache. The
# cache is one JSON of every prepared text, written and read whole: a million distinct answers
# with it held every record at once, and peaked at 8.22 GiB where they take 3.58 GiB one
# question at a time (`questions`). Above, the cache keeps the images and font subsets only.
CACHE_PREPARED_UP_TO = COMPRESS_ABOVE


def chunk_starts(n: int, workers: int) -> list[int]:
    """Where each chunk of `n` texts starts (and `n` at the end): CHUNK texts a chunk, the last
    `workers` × CHUNK of them (up to one CHUNK more) in chunks of CHUNK / TAIL_PARTS."""
    whole = max(0, n - workers * CHUNK) // CHUNK * CHUNK  # the texts in chunks of CHUNK
    return [*range(0, whole, CHUNK), *range(whole, n, max(1, CHUNK // TAIL_PARTS)), n]


class Preparation:
    """The preparation of `answers` (normalise, set aside non-answers, mask, extract terms and
    segment), started at once: each distinct text is processed once (real exports repeat
    answers a lot), across `config.workers` forked processes when there are more than
    PARALLEL_ABOVE distinct texts, each with its own MeCab tagger (a tagger cannot be pickled).
    The workers tokenize while the caller goes on (it imports the analysis, `api.analyse`);
    `result()` collects their work, or `questions()` makes it question by question (each
    question's records only at its turn). With a `cache`, an earlier run's work on the same texts and
    settings is reused; new work is kept in `pending` (name, items) for `store_pending`, so
    that a run that stops (a bad codebook) writes nothing; not above CACHE_PREPARED_UP_TO
    distinct texts."""

    def __init__(self, answers: list[Answer], config: Config, tokenizer: Tokenizer | None = None,
                 progress: Progress | None = None, cache: Cache | None = None):
        self.answers, self.config, self.tokenizer = answers, config, tokenizer
        self.progress = progress or Progress(quiet=True)
        self.cache = cache
        self.pending: list = []
        # Distinct texts grouped by the first question that has them (questions in input order):
        # a worker's chunk then holds one question's texts, which `questions` unpacks at that
        # question's turn, whatever the export's layout (a wide one interleaves the questions).
        groups: dict[str, dict[str, None]] = {}
        for a in answers:
            groups.setdefault(a.question, {}).setdefault(a.raw)
        self.distinct = list(dict.fromkeys(t for group in groups.values() for t in group))
        self.distinct_per_question = {q: len(group) for q, group in groups.items()}  # (`run._EarlyPool`)
        del groups
        if len(self.distinct) > CACHE_PREPARED_UP_TO:
            self.cache = cache = None  # (see CACHE_PREPARED_UP_TO)
        self.name = _prepared_key(self.distinct, config) if cache is not None else ""
        cached = cache.prepared(self.name) if cache is not None else None
        self.items = cached if cached is not None and len(cached) == len(self.distinct) else None
        self._pool = None
        self._chunks: list[list[str]] = []
        self._results: list[Future | None] | None = None  # each chunk's, until taken
        workers = config.workers or os.cpu_count() or 1
        self._compressed = len(self.distinct) > COMPRESS_ABOVE
        if self.items is None and workers > 1 and len(self.distinct) > PARALLEL_ABOVE:
            starts = chunk_starts(len(self.distinct), workers)
            self._chunks = [self.distinct[a:b] for a, b in zip(starts, starts[1:])]
            self._pool = parallel.pool(workers)  # forked, one BLAS/OpenMP thread each
            self._results = [self._pool.submit(_prepare_chunk, (c, config, self._compressed))
                             for c in self._chunks]  # all submitted

    def result(self) -> list[Prepared]:
        """The prepared answers, in the answers' order. Called once: the preparation lets go of
        its work then (a million distinct texts' dicts are 0.8 GiB), all but what a cache keeps
        in `pending`."""
        items = self.items
        if items is None:
            try:
                items = self._collect()
            finally:
                self.close()
            if self.cache is not None:
                self.pending[:] = [self.name, items]
        else:  # from the cache: JSON gives every word its own string
            shared = _Shared()
            with parallel.no_collection():
                items = [shared(item, text) for item, text in zip(items, self.distinct)]
        done = {text: _fields(item) for text, item in zip(self.distinct, items)}
        self.items, self.distinct, self._chunks, self._results = None, [], [], None
        del items
        with parallel.no_collection():  # one record per answer, all kept (see `parallel`)
            return [Prepared(a, *done[a.raw]) for a in self.answers]

    def questions(self) -> Iterator[tuple[str, list[Prepared]]]:
        """Each question's prepared answers (in the answers' order), question after question in
        input order, made as they are asked for: instead of `result`, called once.

        With workers, once they are done (and stopped), a question's records are made at its turn
        from the workers' chunks as they came (pickled and compressed): each chunk is unpacked at
        the turn of the first question with its texts, and a question's records are let go before
        the next question's are made. A text of several questions is kept, unpacked, until the
        last of them. A million joined answers of five questions took 2.1 GB as records at once,
        0.2 GB as the workers sent them. With a cache (which stores every prepared text at once),
        from the cache or in one process: as `result` makes them, grouped.

        (Analysing a question while the workers still prepare the next ones used the core the
        analysis leaves idle — a million joined answers 629 → 581 s — but the workers' memory
        then adds to the largest question's peak: 4.07 → 4.9 GiB.)"""
        if self._results is None or self.cache is not None:
            grouped: dict[str, list[Prepared]] = {}
            for p in self.result():
                grouped.setdefault(p.answer.question, []).append(p)
            while grouped:
                q = next(iter(grouped))
                yield q, grouped.pop(q)
            return
        by_question: dict[str, list[Answer]] = {}
        for a in self.answers:
            by_question.setdefault(a.question, []).append(a)
        last: dict[str, int] = {}  # text → the last question (its place) that has it
        for n, group in enumerate(by_question.values()):
            for a in group:
                last[a.raw] = n
        chunk_of = {t: c for c, chunk in enumerate(self._chunks) for t in chunk}
        chunks = self._chunks
        blobs: list[bytes] = []  # the workers' chunks as they came, in order; b"" once unpacked
        try:
            with self.progress.bar("形態素解析・マスキング", len(self.distinct), "件") as bar:
                for i, chunk in enumerate(chunks):
                    blobs.append(_taken(self._results, i))
                    bar.update(len(chunk))
        finally:
            self.close()
        self._chunks, self.distinct, self._results = [], [], None
        later: dict[str, tuple] = {}  # unpacked texts that a later question has too
        shared = _Shared()
        for n, q in enumerate(list(by_question)):
            group = by_question.pop(q)
            done: dict[str, tuple] = {}
            with parallel.no_collection():
                for a in group:
                    if a.raw in done or a.raw in later:
                        continue
                    c = chunk_of[a.raw]
                    data, blobs[c] = blobs[c], b""  # each chunk unpacked once, then let go
                    for text, r in zip(chunks[c], _unpacked_chunk(data, self._compressed)):
                        (later if last[text] > n else done)[text] = _fields(shared(r, text))
                items = [Prepared(a, *(done.get(a.raw) or later[a.raw])) for a in group]
            for a in group:
                if last[a.raw] == n:
                    later.pop(a.raw, None)
            del done, group
            yield q, items
            del items

    def _collect(self) -> list[dict]:
        done: list[dict] = []
        shared = _Shared()
        with self.progress.bar("形態素解析・マスキング", len(self.distinct), "件") as bar:
            if self._results is not None:
                texts = iter(self.distinct)
                for i, chunk in enumerate(self._chunks):
                    data = _taken(self._results, i)
                    with parallel.no_collection():
                        done.extend(shared(r, next(texts)) for r in _unpacked_chunk(data, self._compressed))
                    bar.update(len(chunk))
            else:
                config = self.config
                tokenizer = self.tokenizer or Tokenizer()
                terms_of = extractor(config.stop_words, config.user_phrases)
                extra = extra_set(config.non_answers)
                for text in self.distinct:
                    done.append(shared(_prepare_text(text, config, tokenizer, terms_of, extra), text))
                    bar.update(1)
        return done

    def close(self) -> None:
        """Stop the workers (at once when the run stopped before `result`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def prepare(answers: list[Answer], config: Config, tokenizer: Tokenizer | None = None,
            progress: Progress | None = None, cache: Cache | None = None,
            pending: list | None = None) -> list[Prepared]:
    """`answers` prepared (`Preparation`), from start to end; with a `cache`, this run's new
    work is put in `pending` for `store_pending`."""
    preparation = Preparation(answers, config, tokenizer, progress, cache)
    items = preparation.result()
    if pending is not None:
        pending[:] = preparation.pending
    return items


# A prepared text's fields, in the order of Prepared's after the answer, and their defaults.
_FIELDS = tuple(f.name for f in dataclasses.fields(Prepared))[1:]
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Prepared)}


def _fields(prepared: dict) -> tuple:
    """A prepared text (`_prepare_text`) as the values of Prepared's fields after the answer, those
    it lacks (an answer set aside has no terms) at their defaults: each answer's record is then
    made positionally (an export ×11: a million records, 0.7 s less than from keywords)."""
    return tuple([prepared[name] if name in prepared else _DEFAULTS[name] for name in _FIELDS])


def _taken(futures: list[Future | None], i: int) -> bytes:
    """The i-th worker's chunk (waited for), its future let go: it held the chunk too."""
    future = futures[i]
    assert future is not None, "each chunk is taken once"
    futures[i] = None
    return future.result()


def _prepared_key(distinct: list[str], config: Config) -> str:
    from pipeline import cache

    settings = dict(mask=config.mask, stop_words=config.stop_words, user_phrases=config.user_phrases,
                    non_answers=config.non_answers)
    return cache.key("prepared", settings, hashlib.sha256("\0".join(distinct).encode("utf-8")).hexdigest())


def store_pending(cache: Cache | None, pending: list) -> None:
    """Store what `prepare` left in `pending`, once the run has succeeded."""
    if cache is not None and pending:
        cache.store_prepared(pending[0], pending[1])


class _Shared:
    """Prepared texts made to share their strings and tuples: a worker's chunk comes unpickled
    with its own copies of every word, and of every text equal to the answer as written, which
    the parent holds already. `shared(prepared, raw)` gives `prepared` (a dict of
    `_prepare_text`, of the text `raw`) with each word the same string object as the other
    texts' words (the prepared 89,683 answers took 234 MB as they came and 127 MB shared), each
    written form → lemma pair the same tuple, and each of its texts (normalised, masked, its
    points' texts) that equals another one of them or `raw` that same string (NFKC leaves most
    answers as written: a million joined answers, 1.5 GB of text, hold a third of it once
    instead of three times)."""

    def __init__(self) -> None:
        self.words: dict[str, str] = {}
        self.pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, prepared: dict, raw: str) -> dict:
        texts = {raw: raw}
        for name in ("norm", "masked", "norm_shown"):
            prepared[name] = texts.setdefault(prepared[name], prepared[name])
        if "terms" not in prepared:  # set aside before tokenization
            return prepared
        words, pairs = self.words, self.pairs

        def shared(strings):
            return tuple(map(words.setdefault, strings, strings))

        terms, parts = prepared["terms"], prepared["parts"]
        prepared["terms"], prepared["parts"] = shared(terms), shared(parts)
        prepared["phrases"] = shared(prepared["phrases"])
        prepared["aliases"] = tuple(pairs.setdefault(pair, pair) for pair in
                                    (shared(pair) for pair in prepared["aliases"]))
        prepared["segments"] = tuple(
            Segment(s.start, s.end, texts.setdefault(s.text, s.text),
                    prepared["terms"] if s.terms is terms else shared(s.terms),
                    prepared["parts"] if s.parts is parts else shared(s.parts),
                    texts.setdefault(s.display, s.display))
            for s in prepared["segments"])
        return prepared


_WORKER: dict = {}


def _prepare_chunk(job: tuple[list[str], Config, bool]) -> bytes:
    """One worker's share, prepared texts (`packed`: the parent unpacks them faster than the
    executor would, `parallel`; compressed when asked, `_unpacked_chunk`); the tagger and
    extractor are made once per process."""
    texts, config, compressed = job
    if _WORKER.get("config") != config:
        _WORKER.update(config=config, tokenizer=Tokenizer(), terms_of=extractor(config.stop_words, config.user_phrases),
                       extra=extra_set(config.non_answers))
    w = _WORKER
    data = parallel.packed([_prepare_text(t, config, w["tokenizer"], w["terms_of"], w["extra"]) for t in texts])
    return zlib.compress(data, 1) if compressed else data


def _unpacked_chunk(data: bytes, compressed: bool) -> list[dict]:
    """A worker's chunk (`_prepare_chunk`) unpacked. Above COMPRESS_ABOVE distinct texts the
    chunks are compressed (zlib, fastest level): the parent holds them until their question's
    turn (`Preparation.questions`), a third of their pickled size (20,000 joined answers: 14.2
    → 4.6 MB, 0.13 s to compress, 0.06 s to expand)."""
    return parallel.unpacked(zlib.decompress(data) if compressed else data)


def _prepare_text(raw: str, config: Config, tokenizer: Tokenizer, terms_of: TermExtractor, extra) -> dict:
    text = raw.replace("\r\n", "\n")
    norm, index = normalize_with_map(text)
    tokens = tokenizer.tokens(norm) if norm else []
    spans = masking.find(norm, tokens) if norm else []
    # The analysis always leaves personal information out; what the outputs show is masked
    # unless --no-mask: one switch for every text written (answers, excerpts, summaries, KWIC).
    shown = spans if config.mask else []
    masked = masking.apply_mapped(text, index, len(norm), shown) if shown else text
    norm_masked = masking.apply(norm, spans)
    norm_shown = norm if spans and not shown else ""
    why = reason(norm_masked, extra)
    if why:
        return dict(norm=norm_masked, masked=masked, excluded_reason=why, norm_shown=norm_shown)
    terms, parts = terms_of.extract(norm, tokens, spans)
    points = segment.split(norm)
    segments: tuple[Segment, ...]
    if len(points) <= 1:  # most answers make one point: reuse the whole answer's terms
        segments = (Segment(start=0, end=len(norm), text=norm_masked, terms=terms, parts=parts,
                            display=segment.strip_marker(masked)),)
    else:
        segments = _segments(norm, tokens, spans, shown, terms_of, text, index, points)
    # Written forms of masked words (a name) are left out of the aliases, as of the terms.
    unmasked = [t for t in tokens if not any(s < t.end and t.start < e for s, e, _ in spans)] if spans else tokens
    return dict(norm=norm_masked, masked=masked, excluded_reason="", terms=terms, parts=parts, segments=segments,
                aliases=aliases(unmasked), phrases=phrases(tokens, terms_of.stop_words, spans), norm_shown=norm_shown,
                kind=noissue.kind(norm_masked))


def _segments(norm: str, tokens: list[Token], masked: list, shown: list, terms_of: TermExtractor, text: str,
              index: list[int], points: list[tuple[int, int]]) -> tuple[Segment, ...]:
    """The answer's points; `masked` are the spans the analysis leaves out, `shown` the spans
    masked in the display text (none with --no-mask)."""
    pieces: list[tuple[int, int, tuple[str, ...], tuple[str, ...]]] = []
    # Points and tokens are both in text order: each point's tokens are found by bisection, so a
    # huge answer of thousands of sentences costs O(tokens log tokens), not points × tokens.
    starts = [t.start for t in tokens]
    for start, end in points:
        lo, hi = bisect.bisect_left(starts, start), bisect.bisect_right(starts, end)
        # The point's tokens and masked spans keep their places in the whole text (`offset`).
        point_tokens = [t for t in tokens[lo:hi] if t.end <= end]
        skip = [(max(s, start), min(e, end), tag) for s, e, tag in masked if s < end and e > start]
        terms, parts = terms_of.extract(norm[start:end], point_tokens, skip, offset=start)
        pieces.append((start, end, terms, parts))
    # Points without content terms (「以上です。」, 「よろしくお願いします」) join the previous point,
    # or the next one when they come first.
    merged: list[tuple[int, int, tuple[str, ...], tuple[str, ...]]] = []
    for piece in pieces:
        if merged and (len(piece[2]) < MIN_SEGMENT_TERMS or len(merged[-1][2]) < MIN_SEGMENT_TERMS):
            last = merged[-1]
            merged[-1] = (last[0], piece[1], last[2] + piece[2], last[3] + piece[3])
        else:
            merged.append(piece)
    out = []
    for s, e, terms, parts in merged:
        inside = [(max(a, s) - s, min(b, e) - s, t) for a, b, t in masked if a < e and b > s]
        inside_shown = [(max(a, s) - s, min(b, e) - s, t) for a, b, t in shown if a < e and b > s]
        # The span as written: from the first character of the span to the next span's start.
        raw_s, raw_e = index[s], (index[e] if e < len(norm) else len(text))
        display = masking.apply_mapped(text[raw_s:raw_e], [i - raw_s for i in index[s:e]], e - s, inside_shown)
        out.append(Segment(start=s, end=e, text=masking.apply(norm[s:e], inside), terms=tuple(terms),
                           parts=tuple(parts), display=segment.strip_marker(display)))
    return tuple(out)
