"""`make bench`: speed and memory on real load (FTAS, 89,683 answers; and about 1 million).

    python tools/bench.py [--data ../shared/data] [--cases small,small1,million]

Each case runs `python -m pipeline themes` in a subprocess on
fukui_kanko_survey/all_answers.csv (`--question-col question --attr-col area --attr-col
age_band`), or on the same file repeated 11 times with fresh ids, and reports the wall time,
the floor — plain `for w in tagger(text): pass` over the same texts with fugashi, measured in
this run — their ratio, and the peak memory of the whole process tree (proportional set size,
sampled from /proc every second, so pages forked workers share are counted once).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 11


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


def run_measured(cmd: list[str]) -> tuple[float, int, int, str]:
    """(wall seconds, peak tree RSS bytes, exit status, stderr) of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_memory(proc.pid))
            stop.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    return wall, peak, proc.returncode, err


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
    parser.add_argument("--cases", default="small1,small,million")
    args = parser.parse_args(argv)
    source = Path(args.data) / "fukui_kanko_survey" / "all_answers.csv"
    if not source.is_file():
        print(f"bench: {source} not found (make bench DATA=…)", file=sys.stderr)
        return 2
    texts = read_texts(source)
    rows = []
    with tempfile.TemporaryDirectory(prefix="jiyu-bench-") as tmp:
        tmp = Path(tmp)
        floors = {"small": floor(texts)}
        for case in args.cases.split(","):
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
            wall, peak, code, err = run_measured(cmd)
            if code != 0:
                print(f"bench: {case} failed ({code}):\n{err}", file=sys.stderr)
            rows.append((f"{n:,} answers", workers, wall, floors[name], wall / floors[name], peak / 2**30, code))
            print(f"{case}: {wall:.1f} s", file=sys.stderr)
    print("| input | workers | wall (s) | floor (s) | wall / floor | peak memory (GiB, PSS) | exit |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.1f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.2f} | {r[6]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
