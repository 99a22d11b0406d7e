"""`make bench`: speed and memory, on the bundled sample and on real load (FTAS, 89,683 answers;
and about 1 million).

    python tools/bench.py [--data ../shared/data] [--cases bundled,small1,small,million] [--repeat 3]
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

The other cases run `python -m pipeline themes` on fukui_kanko_survey/all_answers.csv
(`--question-col question --attr-col area --attr-col age_band`), or on the same file repeated
11 times with fresh ids, and report the wall time, the floor — plain `for w in tagger(text):
pass` over the same texts with fugashi, measured in this run — their ratio, and the peak memory
of the whole process tree (proportional set size, sampled from /proc every second, so pages
forked workers share are counted once).
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
CASES = "bundled,codebook,small1,small,million"
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


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]


def write_repeated(source: Path, target: Path, times: int) -> None:
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        fields = reader.fieldnames
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for k in range(times):
            for row in rows:
                writer.writerow({**row, "id": f"{row['id']}-x{k:02d}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--cases", default=CASES, help=f"comma-separated, of {CASES} (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per condition of `bundled` (median)")
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
        floors: dict[str, float] = {}
        texts: list[str] = []
        for case in cases:
            if case == "bundled":
                bundled_rows = bundled(tmp, max(1, args.repeat))
                continue
            if case == "codebook":
                first_rows = bundled(tmp, max(1, args.repeat), codebook="first")
                edit_rows = bundled(tmp, max(1, args.repeat), codebook="edit")
                continue
            if not texts:
                texts = read_texts(source)
                floors["small"] = floor(texts)
            workers = 1 if case.endswith("1") else 2
            name = case.rstrip("1")
            data = source
            n = len(texts)
            if name == "million":
                data = tmp / "million.csv"
                write_repeated(source, data, REPEATS)
                n *= REPEATS
                if "million" not in floors:
                    floors["million"] = floor(texts * REPEATS)
            cmd = [sys.executable, "-m", "pipeline", "themes", str(data), "--question-col", "question",
                   "--attr-col", "area", "--attr-col", "age_band", "--out", str(tmp / f"out-{case}"),
                   "--quiet", "--workers", str(workers)]
            wall, peak, code, err, cpu = run_measured(cmd)
            if code != 0:
                print(f"bench: {case} failed ({code}):\n{err}", file=sys.stderr)
            rows.append((f"{n:,} answers", workers, wall, floors[name], wall / floors[name], peak / 2**30, code, cpu))
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
        print("| input | workers | wall (s) | CPU (s, user+sys) | floor (s) | wall / floor | peak memory (GiB, PSS) | exit |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[7]:.1f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.2f} | {r[6]} |")
            status |= r[6] != 0
    return int(status)  # 1 when a run failed; a missed target is reported, not an error


if __name__ == "__main__":
    sys.exit(main())
