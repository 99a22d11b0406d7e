"""Worker processes and BLAS threads.

numpy's and scipy's OpenBLAS (and scikit-learn's OpenMP) run one thread per core and make every
call wait for all of them. On small matrices, or when the cores are busy (our own worker
processes, or anything else on the machine), the waiting costs more than the work: one SVD of a
250 × 5,000 matrix took 4.2 s with 2 threads while another process kept a core busy, and 0.14 s
with 1 (the issue's measurement; 333 × 5,067 took 10.5 s of CPU within a bundled run). Hence:

- `pool`: worker processes, forked (cheap, nothing to re-import) and each pinned to one BLAS and
  one OpenMP thread by its initializer: the workers themselves already fill the cores;
- `single_threaded(rows)`: one BLAS and one OpenMP thread inside a `with` block when the
  matrices have at most `SMALL_ROWS` rows, no change otherwise. A context manager (threadpoolctl),
  so the main process gets its own setting back when the block ends; about 3 ms a call.

What travels between processes in bulk travels as bytes (`packed`, `unpacked`): unpickling
builds hundreds of thousands of objects that live on, and every few hundred of them Python's
cyclic garbage collector runs, each time over a larger heap of objects that hold no cycle.
22,644 prepared answers took 0.92 s to unpickle with the collector on and 0.21 s without it.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# Rows up to which linear algebra runs on one thread. Measured on the 2-core machine (shared with
# other jobs), one thread vs two, CPU seconds: `cluster.nearest_neighbours` of 500-dimensional
# unit vectors 0.08 vs 0.11 (2,000 rows), 0.50 vs 0.61 (5,000 rows); `cluster.partition` into 8
# themes 0.26 vs 0.27 (2,000), 0.69 vs 1.07 (5,000); a symmetric eigendecomposition (top 100)
# 0.39 vs 1.16 (2,000), 4.6 vs 14.2 (4,000); a 1,000 × 5,000 SVD 1.1 vs 3.1. Two threads never won
# below this size — not even in wall time — and lost several-fold while another process kept a
# core busy.
SMALL_ROWS = 5_000


def _pin() -> None:
    """Pool initializer: this worker process uses one BLAS and one OpenMP thread."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # for the life of the worker, which is ours


def can_fork() -> bool:
    """Whether worker processes can be forked here (they then inherit the parent's data)."""
    return "fork" in multiprocessing.get_all_start_methods()


def spawn_is_clean() -> bool:
    """Whether worker processes started fresh ("spawn") would start without running this
    process's main script again: under `python -m package` (multiprocessing never runs a
    package's __main__ again) or with no main file (an interactive session). A script's top level
    runs again in every spawned worker unless it is guarded by `if __name__ == "__main__":`,
    which a library cannot know, so there workers are forked."""
    import sys

    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        return spec.name == "__main__" or spec.name.endswith(".__main__")
    return getattr(main, "__file__", None) is None


def pool(workers: int, fresh: bool = False) -> ProcessPoolExecutor:
    """A pool of `workers` pinned worker processes, forked where the platform can fork.

    The workers are forked at once, with the parent's objects frozen for the garbage collector
    (`gc.freeze`): a forked child that collects garbage would otherwise write to every object of
    the parent it inherited and so copy all of its memory (a million-answer run: +1 GiB).
    The parent's objects are unfrozen again right after the fork.

    `fresh`: the workers start as new interpreters instead ("spawn", when `spawn_is_clean`) and
    inherit nothing, for work that needs nothing of a large parent: a forked worker shares the
    parent's pages, and each page the parent then writes (reference counts, as it writes a
    million answers out) is copied while the worker lives (300,000 distinct answers: the peak
    3.56 → 2.95 GiB with the drawing workers started fresh). Each imports what its tasks need,
    a second or so of start-up beside the parent's work."""
    method = "fork" if can_fork() and not (fresh and spawn_is_clean()) else "spawn"
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_pin)
    if method != "fork":
        return executor
    with frozen():
        executor.submit(int).result()  # a forking pool starts all its workers on the first task
    return executor


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused inside the block, as it was after it: for building
    many objects that live on and hold no cycles (unpickling, one record per answer). Memory is
    still freed by reference counting."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def packed(value: Any) -> bytes:
    """`value` pickled, to be sent to or from a worker process and read with `unpacked`; with the
    garbage collector paused too (pickling a record makes a few short-lived tuples, which set
    off collections over the whole heap: 22,644 prepared answers 0.7 s, 0.2 s so)."""
    with no_collection():
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpacked(data: bytes) -> Any:
    """What `packed` pickled, read with the garbage collector paused (`no_collection`)."""
    with no_collection():
        return pickle.loads(data)


@contextlib.contextmanager
def frozen() -> Iterator[Callable[[], None]]:
    """The objects that exist now left out of garbage collection inside the block (`gc.freeze`)
    and given back to it after: for long work beside a large heap that lives on (a million
    prepared answers, while the survey is analysed: with the questions analysed in this process,
    every full collection walked them, 2 s each, 11.6 s in all). The block gets a function that leaves out what exists
    then as well (each question's result, once made). Reference counting still frees them. When
    something has frozen objects already, nothing changes (unfreezing would give back theirs too)."""
    if gc.get_freeze_count():
        yield lambda: None
        return
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def beside(function: Callable[..., None], *args: Any, fork: bool = True) -> Callable[[], None]:
    """`function(*args)` run in a child process forked now, while the caller goes on (writing one
    large file while this process writes the others: run_state.json of a million answers, 4–5 s);
    returns what waits for it. The child works on what it inherits: nothing is pickled. Without
    `fork`, or where the platform cannot fork, `function` runs when waited for, here. If the
    child fails, `function` runs again here when waited for, so that its error (a full disk) is
    raised as it would be without the child. The caller's objects are frozen for the garbage
    collector at the fork, as for `pool`, and streams flushed, so the child writes nothing twice."""
    if not (fork and can_fork()):
        return lambda: function(*args)
    child = _child(_run_child, (function, args))

    def wait() -> None:
        child.join()
        if child.exitcode != 0:
            function(*args)

    return wait


def forked(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """`function(*args)` computed in a child process forked now, while the caller goes on (a
    question's KWIC lines, which tokenize its answers again, while the next question is analysed:
    the other core is otherwise idle then); returns what waits for the result and gives it. The
    child works on what it inherits; only its result travels back (`packed`), read by a thread of
    this process as soon as it comes, so that the child ends then and its pages stop being
    shared. Without fork, or if the child fails, `function` runs when waited for, here (its error
    raised as it would be without the child). As in `beside`, objects are frozen for the garbage
    collector at the fork and streams flushed."""
    if not can_fork():
        return lambda: function(*args)
    import threading

    reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = _child(_send_child, (function, args, writer))
    writer.close()
    received: list[bytes] = []

    def read() -> None:
        with contextlib.suppress(EOFError, OSError):
            received.append(reader.recv_bytes())
        reader.close()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()

    def wait() -> Any:
        thread.join()
        child.join()
        if child.exitcode != 0 or not received:
            return function(*args)
        return unpacked(received[0])

    return wait


def _child(target: Callable[..., None], args: tuple) -> multiprocessing.process.BaseProcess:
    """A daemon child process forked now to run `target(*args)`: streams flushed first, so that
    it writes nothing twice, and the caller's objects frozen for the garbage collector at the
    fork, as for `pool`."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with frozen():
        child = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True)
        child.start()
    return child


def _send_child(function: Callable[..., Any], args: tuple, writer: Any) -> None:
    import os

    gc.disable()  # the child reads what it inherited and sends one result; its exit frees everything
    try:
        writer.send_bytes(packed(function(*args)))
        writer.close()
    except BaseException:
        os._exit(1)  # quietly: `forked` runs the function again in the parent, which raises the error


def _run_child(function: Callable[..., None], args: tuple) -> None:
    import os

    gc.disable()  # the child only writes out what it inherited; its exit frees everything
    try:
        function(*args)
    except BaseException:
        os._exit(1)  # quietly: the error is raised again in the parent (`beside`), not printed here


def task_input(data: bytes) -> Any:
    """Inside a worker process of ours: a task's input (`packed`), unpacked and from then on left
    out of garbage collection (`gc.freeze`, as the parent's objects inherited at the fork are), so
    that the collections the task's own work sets off do not walk its hundreds of thousands of
    objects again and again (a question of 22,644 answers: 5.8–6.1 s of analysis, 5.1–5.3 s so).
    Frozen objects are still freed by reference counting when the task lets go of them; what an
    earlier task left in cycles is collected first, so that none of it is frozen."""
    gc.collect()
    value = unpacked(data)
    gc.freeze()
    return value


def single_threaded(rows: int = 0) -> contextlib.AbstractContextManager:
    """One BLAS and one OpenMP thread inside the block when the matrices have at most
    `SMALL_ROWS` rows (always when `rows` is not given)."""
    if rows > SMALL_ROWS:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc's malloc_trim; nothing elsewhere).
    Arrays of a few megabytes, allocated and freed by the thousand (the character n-grams of a
    large question, `vectorize.char_ngram_counts`), are served from the heap once glibc has raised
    its mmap threshold, and their pages stay with the process when freed: 250 MB more at the
    peak of a 75,747-answer question. Only memory already freed is returned."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return
    trim(0)
