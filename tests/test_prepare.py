"""Prepared answers hold each string once: the same values whichever way they were prepared."""

from __future__ import annotations

import pytest

from pipeline import prepare as preparing
from pipeline.config import Config
from pipeline.records import Answer

TEXTS = [
    "駐車場が狭い。バスの本数が少ない。",
    "駐車場が狭くて停められなかった",
    "・トイレを増やしてほしい\n・案内板が少ない",
    "ＷｉＦｉがほしい　電話は090-1234-5678まで",
    "特になし",
    "バスの本数が少ない\r\nもっと増やしてほしい",
    "",
]


def _answers(n: int = 2) -> list[Answer]:
    return [Answer(id=f"a{i}", question="q", row=i, raw=t) for i, t in enumerate(TEXTS * n)]


def _fields(items):
    return [(p.norm, p.masked, p.excluded_reason, p.terms, p.parts, p.segments, p.aliases, p.phrases, p.norm_shown,
             p.kind) for p in items]


@pytest.fixture(params=["one process", "workers"])
def prepared(request, monkeypatch):
    answers = _answers()
    if request.param == "workers":
        monkeypatch.setattr(preparing, "PARALLEL_ABOVE", 0)
        monkeypatch.setattr(preparing, "CHUNK", 2)  # the texts of one answer come in other chunks than others'
        return answers, preparing.prepare(answers, Config(word_vectors=False, workers=2))
    return answers, preparing.prepare(answers, Config(word_vectors=False, workers=1))


def test_workers_and_one_process_prepare_the_same(monkeypatch):
    answers = _answers()
    alone = preparing.prepare(answers, Config(word_vectors=False, workers=1))
    monkeypatch.setattr(preparing, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(preparing, "CHUNK", 2)
    assert _fields(preparing.prepare(answers, Config(word_vectors=False, workers=2))) == _fields(alone)


def test_texts_equal_to_the_answer_are_the_answer_itself(prepared):
    answers, items = prepared
    first = {}
    for a, p in zip(answers, items):
        first.setdefault(a.raw, a.raw)
        raw = first[a.raw]  # the distinct text the preparation was keyed on
        if p.masked == raw:
            assert p.masked is raw
        if p.norm == raw:
            assert p.norm is raw
        for s in p.segments:
            if s.display == s.text:
                assert s.display is s.text
    kept = [p for p in items if p.kept]
    assert any(p.masked is not p.norm for p in kept)  # the masked phone number, the full-width letters
    assert "〔電話番号〕" in next(p.masked for p in items if "090" in p.answer.raw)


def test_words_and_pairs_are_shared_between_answers(prepared):
    _, items = prepared
    words: dict[str, str] = {}
    pairs: dict = {}
    for p in items:
        for w in (*p.terms, *p.parts, *p.phrases, *(w for s in p.segments for w in (*s.terms, *s.parts))):
            assert words.setdefault(w, w) is w
        for pair in p.aliases:
            assert pairs.setdefault(pair, pair) is pair
    assert "駐車場" in words and "バス" in words


def _interleaved() -> list[Answer]:
    """Three questions of a wide export, row after row; some texts in several questions, and
    repeated within one."""
    out = []
    for i in range(12):
        for q in ("q1", "q2", "q3"):
            text = TEXTS[(i + len(q) * int(q[1])) % len(TEXTS)] if i % 4 else TEXTS[i % 3]
            out.append(Answer(id=f"r{i}", question=q, row=i, raw=text + ("" if i % 5 else q)))
    return out


@pytest.mark.parametrize("chunk, compress_above", [(1, 0), (2, 10**9), (5, 0), (1000, 10**9)])
def test_questions_one_at_a_time_are_what_result_makes(monkeypatch, chunk, compress_above):
    """`questions` makes each question's records at its turn from the workers' chunks, unpacked
    once each: the same records, in the same order, as `result` gives all at once."""
    answers = _interleaved()
    monkeypatch.setattr(preparing, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(preparing, "CHUNK", chunk)
    monkeypatch.setattr(preparing, "COMPRESS_ABOVE", compress_above)  # the chunks compressed or not
    config = Config(word_vectors=False, workers=2)
    whole = preparing.Preparation(answers, config).result()
    unpacked = []
    real = preparing.parallel.unpacked
    monkeypatch.setattr(preparing.parallel, "unpacked", lambda data: unpacked.append(data) or real(data))
    got = list(preparing.Preparation(answers, config).questions())
    assert [q for q, _ in got] == ["q1", "q2", "q3"]
    assert [p.answer for _, items in got for p in items] == sorted(answers, key=lambda a: a.question)
    by_answer = {id(p.answer): p for p in whole}
    assert all(_fields([p]) == _fields([by_answer[id(p.answer)]]) for _, items in got for p in items)
    distinct = len({a.raw for a in answers})
    assert len(unpacked) == len(preparing.chunk_starts(distinct, 2)) - 1  # every chunk unpacked once
    assert b"" not in unpacked


def test_a_question_is_made_only_at_its_turn(monkeypatch):
    """The first question's records are made before the second question's chunks are unpacked."""
    answers = _interleaved()
    monkeypatch.setattr(preparing, "PARALLEL_ABOVE", 0)
    monkeypatch.setattr(preparing, "CHUNK", 3)
    unpacked = []
    real = preparing.parallel.unpacked
    monkeypatch.setattr(preparing.parallel, "unpacked", lambda data: unpacked.append(data) or real(data))
    questions = preparing.Preparation(answers, Config(word_vectors=False, workers=2)).questions()
    next(questions)
    first = len(unpacked)
    next(questions)
    chunks = len(preparing.chunk_starts(len({a.raw for a in answers}), 2)) - 1
    assert 0 < first < len(unpacked) < chunks  # not the last question's yet


def test_records_travel_between_processes_whole():
    # Records are pickled as their class and field values (`records._pickled_by_fields`): every
    # field comes back, shared objects stay shared within one pickle, and a record pickled inside
    # a result reads back equal.
    import pickle

    from pipeline.records import Assignment, QuestionResult, Quote, Result, Theme

    items = preparing.prepare(_answers(), Config(word_vectors=False, workers=1))
    back = pickle.loads(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == items and _fields(back) == _fields(items)
    assert all(b.segments[0].terms is b.terms for b in back if len(b.segments) == 1 and b.terms)
    quote = Quote(id="a1", text="駐車場が狭い…", score=0.5, excerpt=True, picked=True, note="メモ")
    theme = Theme(0, "駐車場が狭い", ("駐車場",), 2, 0.5, (quote,), (quote,), key="t01", proposed=True)
    result = QuestionResult("q", "設問", 2, 0, 1, (theme,), tuple(
        Assignment(p.answer, p.masked, 0, "", 0.25, (0,), "近い") for p in items[:2]), k_runs=(3, 4))
    whole = Result((result,), Config(seed=3), input_name="x.csv", notices=("注意",))
    assert pickle.loads(pickle.dumps(whole)) == whole


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("n", [0, 1, 249, 1000, 2017, 8017, 70_001])
def test_chunks_cover_every_text_once_and_end_small(n, workers):
    """The workers' chunks (`chunk_starts`): every text in one chunk, in order, none larger than
    CHUNK, and the last `workers` × CHUNK texts in quarter chunks, so that no worker waits long for
    the other's last chunk."""
    from pipeline.prepare import CHUNK, TAIL_PARTS, chunk_starts

    starts = chunk_starts(n, workers)
    assert starts[0] == 0 and starts[-1] == n
    sizes = [b - a for a, b in zip(starts, starts[1:])]
    assert all(0 < s <= CHUNK for s in sizes) and sum(sizes) == n
    tail = [s for s, a in zip(sizes, starts) if a >= n - workers * CHUNK]
    assert all(s <= CHUNK // TAIL_PARTS for s in tail)
