"""`make bench`: speed and memory, on the bundled sample and on real load (FTAS, 89,683 answers;
and about 1 million).

    python tools/bench.py [--data ../shared/data] [--cases bundled,codebook,10k,small1,small,million,distinct,growth]
                          [--repeat 3] [--plot docs/growth.png]
    python tools/bench.py --cases bundled      # quick: the bundled sample only, needs no --data
    python tools/bench.py --cases codebook     # the codebook loop's rerun on the bundled sample

`bundled` runs `make themes`' command (`python -m pipeline themes corpus/survey.csv --config
corpus/survey.toml --out TMP --quiet`, 750 cells) side by side in this run: with the machine
idle, and while a busy process (`python -c "while True: pass"`, started just before, killed just
after) keeps one core at 100 %; after one unmeasured warm-up run, `--repeat` times each,
alternately, the median reported. It prints wall and CPU time (user + sys of the whole process tree) and the
targets: ≤ 5 s idle, ≤ 7 s with a core busy. Each run starts without a DIR/.cache, as on a fresh
clone. `codebook` measures the loop's reruns the same way, into the folder of the run before (so
its DIR/.cache is there, restored before every run): the bundled sample coded with the
codebook.toml of an automatic run, then coded again after an edit of that codebook (a theme
renamed, two merged); target ≤ 3 s idle.

The other cases run `python -m pipeline themes … --no-cache` on fukui_kanko_survey/all_answers.csv
(`--question-col question --attr-col area --attr-col age_band`; `small`, and `small1` with one
worker), its first 10,000 rows (`10k`), the same file repeated 11 times with fresh ids
(`million`), or a million distinct answers made by joining two random answers of the same
question (`distinct`: no repeat makes it cheap), and report the wall time, the floor — plain
`for w in tagger(text): pass` over the same texts with fugashi, measured in this run — their
ratio, the peak memory of the whole process tree (proportional set size, sampled from /proc
every second, so pages forked workers share are counted once) and the targets. `growth` runs
10k, 30k, 89k and 300k distinct answers and prints the slope of log(wall) on log(n), with the
curve as a PNG (`--plot`).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 11
CASES = "bundled,codebook,10k,small1,small,million,distinct,growth"
BUNDLED_TARGETS = {"idle": 5.0, "busy": 7.0}  # seconds of wall time, on 2 cores
CODEBOOK_TARGETS = {"idle": 3.0, "busy": 4.5}  # the codebook loop's rerun on the bundled sample


def _pss(pid: int) -> int:
    """Proportional set size (bytes): pages shared between processes (a forked worker shares its
    parent's memory until either writes) are counted once across them, not once per process."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_memory(pid: int) -> int:
    """Memory (PSS, bytes) of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))  # field 4: parent pid
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _pss(p)
        stack.extend(children.get(p, []))
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, int, str, float]:
    """(wall seconds, peak tree PSS bytes, exit status, stderr, CPU seconds) of a command. The CPU
    time is user + sys of the process and of every descendant it waited for (its workers), from
    wait4(2)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True, cwd=ROOT)
        peak = 0
        stop = threading.Event()

        def sample():
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_memory(proc.pid))
                stop.wait(1.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        stop.set()
        sampler.join()
        err.seek(0)
        return wall, peak, proc.returncode, err.read(), usage.ru_utime + usage.ru_stime


def edited_codebook(source: Path, target: Path) -> None:
    """An analyst's edit of a codebook: the first theme renamed, and the last theme of the first
    question merged into the one before it."""
    import tomllib

    from pipeline.codebook import CodebookTheme, dumps

    themes = tomllib.loads(source.read_text(encoding="utf-8"))["theme"]
    themes[0]["label"] = themes[0]["label"] + "（見直し）"
    first = [t for t in themes if t.get("question") == themes[0].get("question")]
    if len(first) >= 2:
        first[-1]["merge_into"] = first[-2]["key"]
    target.write_text(dumps([CodebookTheme(**{k: tuple(v) if isinstance(v, list) else v for k, v in t.items()})
                             for t in themes]), encoding="utf-8")


def bundled(tmp: Path, repeat: int, codebook: str = "") -> list[tuple[str, float, float, int, int]]:
    """`make themes`' command, idle and with one core busy, alternately (so that a change in the
    machine's load falls on both): [(condition, median wall, median CPU, peak PSS, exit status)].
    Every run starts as on a fresh clone: no DIR/.cache of an earlier run.
    `codebook`: instead, the loop's rerun into the folder of the run before (its DIR/.cache
    restored before every run): "first", the same input coded with the codebook.toml of the
    automatic run; "edit", after that, coded again with that run's codebook.toml edited
    (`edited_codebook`)."""
    cmd = [sys.executable, "-m", "pipeline", "themes", "corpus/survey.csv", "--config", "corpus/survey.toml",
           "--out", str(tmp / "out-bundled"), "--quiet"]
    pristine = tmp / f"out-before-{codebook}"
    if codebook:
        shutil.rmtree(pristine, ignore_errors=True)
        before = cmd[:-3] + ["--out", str(pristine), "--quiet"]
        code = run_measured(before)[2]
        book = tmp / f"codebook-{codebook}.toml"
        shutil.copyfile(pristine / "codebook.toml", book)
        if codebook == "edit":
            code = code or run_measured(before + ["--codebook", str(book)])[2]
            edited_codebook(pristine / "codebook.toml", book)
        if code != 0:
            print(f"bench: the runs before the codebook case failed ({code})", file=sys.stderr)
        cmd += ["--codebook", str(book)]

    def fresh() -> None:
        shutil.rmtree(tmp / "out-bundled", ignore_errors=True)
        if codebook:
            shutil.copytree(pristine, tmp / "out-bundled")

    fresh()
    run_measured(cmd)  # warm-up: the page cache, .pyc files; both conditions then start alike
    runs: dict[str, list] = {"idle": [], "busy": []}
    for _ in range(repeat):
        for condition, measured in runs.items():
            fresh()
            busy = None
            if condition == "busy":
                busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
                time.sleep(0.3)  # spinning before the run starts
            try:
                measured.append(run_measured(cmd))
            finally:
                if busy is not None:
                    busy.kill()
                    busy.wait()
            wall, _, code, err, cpu = measured[-1]
            if code != 0:
                print(f"bench: bundled ({condition}) failed ({code}):\n{err}", file=sys.stderr)
            print(f"{'codebook ' + codebook if codebook else 'bundled'} ({condition}): {wall:.1f} s, "
                  f"CPU {cpu:.1f} s", file=sys.stderr)
    return [(condition, statistics.median(r[0] for r in measured), statistics.median(r[4] for r in measured),
             max(r[1] for r in measured), max((r[2] for r in measured), key=abs))
            for condition, measured in runs.items()]


def floor(texts: list[str]) -> float:
    import fugashi

    tagger = fugashi.Tagger()
    start = time.perf_counter()
    for text in texts:
        for _ in tagger(text):
            pass
    return time.perf_counter() - start


def read_rows(path: Path) -> tuple[list[dict], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader), list(reader.fieldnames or [])


def write_rows(target: Path, rows: list[dict], fields: list[str]) -> None:
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def joined(rows: list[dict], n: int, seed: int = 0) -> list[dict]:
    """`n` distinct answers made by joining two random answers of the same question (「A。B」), in
    the questions' proportions: national-scale free text that no repeat makes cheap."""
    import random

    rng = random.Random(seed)
    by_question: dict[str, list[dict]] = {}
    for row in rows:
        by_question.setdefault(row["question"], []).append(row)
    out: list[dict] = []
    seen: set[str] = set()
    total = len(rows)
    for q, items in sorted(by_question.items()):
        want = round(n * len(items) / total) if q != max(by_question) else n - len(out)
        while want > 0:
            a, b = rng.choice(items), rng.choice(items)
            text = f"{a['text'].rstrip('。')}。{b['text']}"
            if a is b or text in seen:
                continue
            seen.add(text)
            out.append({**a, "id": f"j{len(out):07d}", "text": text})
            want -= 1
    return out


# Real-data cases: (name, what, workers, target seconds, target GiB)
REAL_CASES = {
    "small1": ("89,683 answers (all_answers.csv), one worker", 1, None, None),
    "small": ("89,683 answers (all_answers.csv)", 2, 30.0, 1.5),
    "million": ("986,513 answers (the same ×11, fresh ids)", 2, 60.0, 3.0),
    "10k": ("10,000 answers (the first 10,000 rows)", 2, 10.0, None),
    "distinct": ("1,000,000 distinct answers (two answers of a question joined)", 2, 300.0, 4.0),
}
GROWTH = (("10k", 10_000), ("30k", 30_000), ("89k", None), ("300k", 300_000))


def make_input(case: str, source: Path, tmp: Path) -> tuple[Path, list[str]]:
    """The CSV of a real-data case and its texts (for the floor)."""
    rows, fields = read_rows(source)
    if case in ("small", "small1", "89k"):
        return source, [r["text"] for r in rows]
    if case == "million":
        data = tmp / "million.csv"
        write_rows(data, [{**r, "id": f"{r['id']}-x{k:02d}"} for k in range(REPEATS) for r in rows], fields)
        return data, [r["text"] for r in rows] * REPEATS
    if case in ("10k", "30k"):
        part = rows[:int(case[:-1]) * 1000]
    elif case == "300k":
        part = joined(rows, 300_000)
    elif case == "distinct":
        part = joined(rows, 1_000_000)
    else:
        raise ValueError(case)
    data = tmp / f"{case}.csv"
    write_rows(data, part, fields)
    return data, [r["text"] for r in part]


def measure_real(data: Path, out: Path, workers: int) -> tuple[float, int, int, str, float]:
    cmd = [sys.executable, "-m", "pipeline", "themes", str(data), "--question-col", "question",
           "--attr-col", "area", "--attr-col", "age_band", "--out", str(out), "--quiet", "--workers", str(workers),
           "--no-cache"]
    return run_measured(cmd)


def growth(source: Path, tmp: Path, plot: Path | None) -> list[tuple[int, float, float, float]]:
    """Wall time and memory at 10k, 30k, 89k and 300k distinct answers: [(n, wall, GiB, floor)],
    the slope of log(wall) on log(n), and the curve as a PNG."""
    points = []
    for case, _ in GROWTH:
        data, texts = make_input(case, source, tmp)
        wall, peak, code, err, _ = measure_real(data, tmp / f"out-{case}", 2)
        if code != 0:
            print(f"bench: growth {case} failed ({code}):\n{err}", file=sys.stderr)
        points.append((len(texts), wall, peak / 2**30, floor(texts)))
        print(f"growth {case}: {len(texts):,} answers, {wall:.1f} s", file=sys.stderr)
    if plot is not None and len(points) >= 2:
        _plot(points, plot)
    return points


def slope(points: list[tuple[int, float, float, float]], column: int = 1) -> float:
    import numpy as np

    x = np.log([p[0] for p in points])
    y = np.log([p[column] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def _plot(points, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = [p[0] for p in points]
    fig = Figure(figsize=(6.4, 4.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.loglog(n, [p[1] for p in points], "o-", label=f"wall time (slope {slope(points):.2f})")
    ax.loglog(n, [p[3] for p in points], "s--", label=f"tokenization floor (slope {slope(points, 3):.2f})")
    ax.loglog(n, [p[2] * 60 for p in points], "^:", label="peak memory × 60 (GiB)")
    ax.set_xlabel("distinct answers")
    ax.set_ylabel("seconds")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--cases", default=CASES, help=f"comma-separated, of {CASES} (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per condition of `bundled` (median)")
    parser.add_argument("--plot", default=str(ROOT / "docs" / "growth.png"), help="where the growth curve goes")
    args = parser.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES.split(",")]
    if unknown:
        parser.error(f"unknown case {', '.join(unknown)} (cases: {CASES})")
    source = Path(args.data) / "fukui_kanko_survey" / "all_answers.csv"
    if any(c not in ("bundled", "codebook") for c in cases) and not source.is_file():
        print(f"bench: {source} not found (make bench DATA=…, or --cases bundled)", file=sys.stderr)
        return 2
    bundled_rows, first_rows, edit_rows, rows = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="jiyu-bench-") as tmp:
        tmp = Path(tmp)
        curve: list = []
        for case in cases:
            if case == "bundled":
                bundled_rows = bundled(tmp, max(1, args.repeat))
                continue
            if case == "codebook":
                first_rows = bundled(tmp, max(1, args.repeat), codebook="first")
                edit_rows = bundled(tmp, max(1, args.repeat), codebook="edit")
                continue
            if case == "growth":
                curve = growth(source, tmp, Path(args.plot) if args.plot else None)
                continue
            what, workers, target_s, target_gib = REAL_CASES[case]
            data, texts = make_input(case, source, tmp)
            base = floor(texts)
            wall, peak, code, err, cpu = measure_real(data, tmp / f"out-{case}", workers)
            if code != 0:
                print(f"bench: {case} failed ({code}):\n{err}", file=sys.stderr)
            rows.append((what, workers, wall, base, wall / base, peak / 2**30, code, cpu, target_s, target_gib))
            print(f"{case}: {wall:.1f} s", file=sys.stderr)
    status = 0
    for title, table, targets in (
            ("Bundled sample (`make themes`' command, 750 cells, no cache)", bundled_rows, BUNDLED_TARGETS),
            ("Codebook loop, first pass: the bundled sample coded with the automatic run's codebook.toml, "
             "into its folder (its DIR/.cache)", first_rows, CODEBOOK_TARGETS),
            ("Codebook loop, after an edit (a theme renamed, two merged): coded again with the first pass's "
             "codebook.toml edited, into its folder", edit_rows, CODEBOOK_TARGETS)):
        if not table:
            continue
        print(f"{title}, {os.cpu_count()} cores, median of {max(1, args.repeat)} runs each:")
        print()
        print("| condition | wall (s) | CPU (s, user+sys) | peak memory (GiB, PSS) | target | result | exit |")
        print("|---|---|---|---|---|---|---|")
        for condition, wall, cpu, peak, code in table:
            target = targets[condition]
            ok = code == 0 and wall <= target
            status |= code != 0
            what = "idle" if condition == "idle" else "one core kept busy"
            print(f"| {what} | {wall:.1f} | {cpu:.1f} | {peak / 2**30:.2f} | ≤ {target:g} s | "
                  f"{'pass' if ok else 'FAIL'} | {code} |")
        print()
    if rows:
        print("| input | workers | wall (s) | CPU (s, user+sys) | floor (s) | wall / floor | peak memory (GiB, PSS) | "
              "target | result | exit |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for what, workers, wall, base, ratio, gib, code, cpu, target_s, target_gib in rows:
            target = " and ".join(t for t in (f"≤ {target_s:g} s" if target_s else "",
                                              f"≤ {target_gib:g} GiB" if target_gib else "") if t) or "–"
            ok = code == 0 and (target_s is None or wall <= target_s) and (target_gib is None or gib <= target_gib)
            print(f"| {what} | {workers} | {wall:.1f} | {cpu:.1f} | {base:.1f} | {ratio:.1f} | {gib:.2f} | {target} | "
                  f"{'pass' if ok else 'FAIL' if target != '–' else ''} | {code} |")
            status |= code != 0
        print()
    if curve:
        print("How cost grows (distinct answers; 300k made by joining two answers of a question):")
        print()
        print("| answers | wall (s) | peak memory (GiB, PSS) | floor (s) | wall / floor |")
        print("|---|---|---|---|---|")
        for n, wall, gib, base in curve:
            print(f"| {n:,} | {wall:.1f} | {gib:.2f} | {base:.1f} | {wall / base:.1f} |")
        print()
        print(f"slope of log(wall) on log(n): {slope(curve):.2f} (n log n ≈ 1.05–1.1 over this range; the floor's "
              f"{slope(curve, 3):.2f}); memory {slope(curve, 2):.2f}" + (f"; plot: {args.plot}" if args.plot else ""))
        if len(curve) >= 3:  # a fit over the whole range hides a fixed cost at the small end
            print(f"between the two largest: wall {slope(curve[-2:]):.2f}, memory {slope(curve[-2:], 2):.2f}")
    return int(status)  # 1 when a run failed; a missed target is reported, not an error


if __name__ == "__main__":
    sys.exit(main())
