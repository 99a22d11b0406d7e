"""Writing a run's files — assignments.csv, themes.json, quotes.xlsx, images, report.html,
run_state.json — and reading the run's state back (for `report --review`, which rebuilds
without clustering again, and for the carry-over of staff's choices to a new run). Nothing is
analysed here: the results arrive complete (`run.analyse`).

Everything is written into a temporary folder beside `--out` and moved into place only when
complete, so a failed run never leaves a half-written result (see CONTRACT.md).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import json
import os
import re
import secrets
import shutil
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any

from pipeline import __version__, parallel
from pipeline import cache as caching
from pipeline.cache import Cache
from pipeline.codebook import OTHER_KEY
from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.fonts import font_path
from pipeline.parallel import no_collection
from pipeline.progress import Progress
from pipeline.records import Answer, Assignment, QuestionResult, Quote, Result, Theme, slug
from pipeline.sheets import cell, row_cells, write_quotes_xlsx

ASSIGNMENT_COLUMNS = ["id", "question", "theme_id", "theme_label", "excluded_reason", "score", "text", "theme_key", "reason",
                      "theme_ids"]


# Answers above which run_state.json is written by a child process while this one writes the
# rest (`parallel.beside`): 986,513 answers, 5 s saved for 0.4 GiB more at the peak (the child
# copies the pages it reads); 89,683 answers, 0.5 s for 0.1 GiB, too dear against a 1.5 GiB budget.
STATE_BESIDE_ABOVE = 200_000
# ... and only while the distinct answer texts are at most this many: the child's copies grow
# with them. A million distinct answers: the child held 3.2 GiB, the run's peak (6.9 GiB).
STATE_BESIDE_TEXTS_UP_TO = 200_000
# Distinct answer texts above which the drawing workers start fresh instead of forked
# (`parallel.pool`): a forked worker keeps the parent's pages shared, and the parent writing every
# answer out then copies them. 300,000 distinct answers: peak 3.56 → 2.95 GiB, the writing
# 0.2–0.3 s slower. Counted in distinct texts, not answers: what the parent holds by then grows
# with them (the prepared answers' pages), and an export ×11 (986,513 answers, 89,683 texts)
# gained nothing at its peak (2.55 GiB either way) for 2–4 s more CPU in the spawned workers.
DRAW_FRESH_ABOVE = 200_000
# What write_all does besides drawing, each a step of its progress bar: the networks' and
# cross-tabs' tables, the report's draft, eight files, the report's font and the report itself.
WRITING_STEPS = 12


def write_all(result: Result, out: Path, reuse_images: Path | None = None, cache: Cache | None = None,
              progress: Progress | None = None, early: EarlyClouds | None = None) -> None:
    """Write every output of `result` into `out`. With `reuse_images` (an earlier output folder)
    the word clouds and networks are copied from there instead of drawn again (they do not
    depend on labels). With a `cache` (`cache.Cache`), images and the report's font subset made
    from the same data by an earlier run are taken from it, and this run's are kept there; a
    cache inside `out` (DIR/.cache) is carried over into the new `out`. `progress`: a bar that
    counts the pictures drawn and the files written (a million answers: 13 s). `early`: the word
    clouds drawn while the analysis ran (`EarlyClouds`), taken instead of drawn again."""
    from pipeline import codebook, codebook_xlsx, fonts, render, report

    config = result.config
    out = Path(out)
    results = list(result.questions)
    tmp = _new_folder(out)
    bars = contextlib.ExitStack()
    try:
        font = font_path(config.font_path)
        images: dict[str, str] = {}
        tables: dict[str, list] = {}
        clouds: list = []
        from_early: list = []  # the clouds `early` drew or is drawing, taken below
        drawn_early: list = []  # (None, cache name, targets) of those taken
        for i, r in enumerate(results):  # the word clouds wanted, or copied from an earlier run
            for key, rel, weights, style, name in question_clouds(i, r, font, config.seed):
                if reuse_images is not None:
                    if _copy(reuse_images, tmp, rel, rel.replace(".png", ".svg")):
                        images[key] = rel
                elif weights:
                    images[key] = rel
                    if cache is not None and cache.copy(name, _png_svg(tmp / rel)):
                        continue
                    cloud = (key, rel, weights, style, name)
                    (from_early if early is not None and early.has(rel, name) else clouds).append(cloud)
        # Every picture not taken from the cache — each question's network and bar chart, the
        # attributes' tallies (単純集計, charts/attr_NN.png), the clouds — is drawn in worker
        # processes while this process writes the rest; the cache keeps them once drawn. The
        # others are started first: the workers draw them while the clouds' font is cut.
        pictures: list = []
        for i, r in enumerate(results):
            pictures += _question_pictures(r, slug(i), tmp, images, font, config.seed, reuse_images, cache)
        for n, t in enumerate(result.tallies):
            key, rel = report.tally_image(n)
            picture = render.tally_picture(t, tmp / rel, font=font)
            if picture is not None:
                images[key] = rel
                pictures += _uncached(cache, caching.key("tally", t, font), {".png": tmp / rel}, picture)
        bar = bars.enter_context((progress or Progress(quiet=True)).bar(
            "書き出し", len(from_early) + len(pictures) + len(clouds) + WRITING_STEPS, "件"))
        counting = threading.Lock()  # pictures are counted from the drawing pool's thread too

        def step() -> None:
            with counting:
                bar.update(1)

        answers = sum(len(r.assignments) for r in results)
        texts = len({id(a.masked) for r in results for a in r.assignments}) \
            if answers > min(DRAW_FRESH_ABOVE, STATE_BESIDE_ABOVE) else 0
        drawing = render.draw([p for p, _, _ in pictures], workers=config.workers, planned=len(pictures) + len(clouds),
                              done=step, fresh=texts > DRAW_FRESH_ABOVE, subsets=bool(clouds) or cache is None)
        try:
            for i, r in enumerate(results):
                if r.network is not None:
                    write_network_csv(r.network, tmp / f"networks/{slug(i)}_edges.csv")
                tables[r.question] = write_crosstabs(r, tmp, slug(i))
            step()
            # The report's text first: its font subset is cut in a worker, after the charts and
            # before the clouds, while this process writes the rest.
            with no_collection():
                page = report.draft(results, config, images, result.input_name, tables, result.notices,
                                    result.tallies)
            step()
            needed = report.characters(page)
            font_rule_made = drawing.call(report.face, font, needed) if cache is None else (lambda: "")
            # The clouds drawn while the analysis ran, taken now that the other pictures are being
            # drawn (the last of them may still be finishing); any not drawn whole is drawn below.
            for cloud in from_early:
                targets = _png_svg(tmp / cloud[1])
                if early is not None and early.take(cloud[1], cloud[4], targets):
                    drawn_early.append((None, cloud[4], targets))
                    step()
                else:
                    clouds.append(cloud)
            # The answers' characters: what a rerun's clouds and report will show again (font caches).
            answer_chars = "".join(set("".join(a.masked for r in results for a in r.assignments))) if cache else ""
            narrowed = None
            if clouds:
                chars = "".join(w for _, _, weights, _, _ in clouds for w, _ in weights)
                chars += "".join({style["face_text"] for _, _, _, style, _ in clouds})  # each SVG's subset is cut from it
                narrowed = tmp / ".font.ttf"
                if cache is None:
                    fonts.narrowed(font, chars, narrowed)
                else:  # cut for every character of the answers: a rerun's clouds show their words too
                    every = "".join(w for r in results for weights in [r.term_weights, *(t.term_weights for t in r.themes)]
                                    for w, _ in weights)
                    every += answer_chars + unicodedata.normalize("NFKC", answer_chars)
                    cache.narrowed(font, chars, every, narrowed, lambda c, target: fonts.narrowed(font, c, target))
            drawn = [(render.cloud_picture(weights, tmp / rel, style, font=font, seed=config.seed, narrowed=narrowed),
                      name, _png_svg(tmp / rel)) for _, rel, weights, style, name in clouds]
            drawing.add([p for p, _, _ in drawn])
            pictures += drawn
            # With the garbage collector paused: the writers make rows and cells by the hundred
            # thousand, and every few hundred of them a collection would walk every answer again
            # (89,683 answers: 0.6 s); the few cycles they leave (workbooks, templates) are
            # collected after. (So is the report's draft, above.)
            with no_collection():
                # run_state.json, the largest file with assignments.csv, in a child process meanwhile
                # on a large survey (see STATE_BESIDE_ABOVE).
                state_written = parallel.beside(write_state, result, tmp / STATE,
                                                fork=config.workers != 1 and answers > STATE_BESIDE_ABOVE
                                                and texts <= STATE_BESIDE_TEXTS_UP_TO)
                write_assignments(results, config, tmp / "assignments.csv")
                step()
                write_themes_json(result, images, tmp / "themes.json", tables)
                step()
                write_kwic(results, tmp / "kwic.json")
                step()
                write_quotes_xlsx(results, tmp / "quotes.xlsx")
                step()
                (tmp / "run_config.json").write_text(run_config(result), encoding="utf-8")
                step()
                state_written()
                step()
                codebook.write(result, tmp / "codebook.toml")
                step()
                codebook_xlsx.write(result, tmp / "codebook.xlsx")  # the same themes, for editing in Excel
                step()
            if cache is None:
                font_rule = font_rule_made()
            else:
                font_rule = cache.face(font, needed, answer_chars + report.vocabulary(),
                                       lambda chars: report.face(font, chars))
            step()
            drawing.wait()
            if cache is not None:
                for _, name, targets in drawn_early + pictures:
                    cache.keep(name, targets)
        finally:
            drawing.close()
        if narrowed is not None:
            narrowed.unlink()
        (tmp / "report.html").write_text(report.finish(page, tmp, font_rule), encoding="utf-8")
        step()
        bars.close()
        if cache is not None:
            _carry_cache(cache, out, tmp)
        _replace(tmp, out)
    except OSError as e:
        bars.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_error(out, e) from None
    except BaseException:
        bars.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def question_clouds(index: int, r: QuestionResult, font: Path, seed: int) -> list[tuple]:
    """The word clouds of the index-th question: (image key, relative path, weights, style, cache
    name) of the whole question's cloud and of each theme's; `style` holds the cloud's colours,
    size and `face_text` (`_face_text`: the same for the clouds of a question)."""
    from pipeline import render

    q = slug(index)
    colours = {w: render.theme_colour(t) for w, t in r.word_themes}
    wanted: list[tuple[str, str, tuple[tuple[str, float], ...], dict[str, Any]]]
    wanted = [(f"{q}/all", f"wordclouds/{q}/all.png", r.term_weights, dict(colour=colours))]
    wanted += [(f"{q}/theme_{t.theme_id:02d}", f"wordclouds/{q}/theme_{t.theme_id:02d}.png", t.term_weights,
                dict(colour=render.theme_colour(t.theme_id), width=560, height=320, max_words=60))
               for t in r.themes]
    face = _face_text(wanted)  # a cloud's SVG depends on it, so its cache entry does too
    return [(key, rel, weights, dict(style, face_text=face), caching.key("cloud", weights, style, seed, font, face))
            for key, rel, weights, style in wanted]


class EarlyClouds:
    """Word clouds drawn while the analysis still runs: when questions are analysed side by side,
    the last one runs alone at the end while the other worker has nothing to do (the 89,683 Fukui
    answers: 3.8 s of one core), and the pictures could only start once every question was done.
    `submit(pool, index, result)` gives a finished question's clouds to that pool (the question
    workers); they draw them into a folder of their own, with a font narrowed to the question's
    characters (the same pixels and SVG subsets as `write_all`'s font narrowed to every
    question's). `write_all` then `take`s each one drawn whole instead of drawing it; any not
    drawn by then (the pool stopped before it got to them) is drawn as before. `close` removes
    the folder."""

    def __init__(self, config: Config | dict | None = None, cache: Cache | None = None):
        if not isinstance(config, Config):  # (as `pipeline.analyse` takes it: a mapping, or None)
            from pipeline.config import build

            config = build(dict(config or {}))
        self.font = font_path(config.font_path)
        self.seed = config.seed
        self.cache = cache
        self.folder: Path | None = None
        # A cloud's relative path → (its cache name, the future drawing it, its files).
        self._drawn: dict[str, tuple[str, Any, dict[str, Path]]] = {}

    def submit(self, pool, index: int, result: QuestionResult):
        """Draw the clouds of the index-th question (its `result`) in `pool`, those not cached; the
        future of that work, or None when there is none."""
        import tempfile

        from pipeline import render

        clouds = [c for c in question_clouds(index, result, self.font, self.seed)
                  if c[2] and not (self.cache is not None and self.cache.has(c[4]))]
        if not clouds:
            return None
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="jiyu-clouds-"))
        narrowed = self.folder / f"{slug(index)}.ttf"
        pictures = [render.cloud_picture(weights, self.folder / rel, style, font=self.font, seed=self.seed,
                                         narrowed=narrowed) for _, rel, weights, style, _ in clouds]
        chars = "".join(w for _, _, weights, _, _ in clouds for w, _ in weights) + clouds[0][3]["face_text"]
        future = pool.submit(_draw_early, self.font, chars, narrowed, pictures)
        for (_, rel, _, _, name) in clouds:
            self._drawn[rel] = (name, future, _png_svg(self.folder / rel))
        return future

    def has(self, rel: str, name: str) -> bool:
        """Whether the cloud at `rel` (cache name `name`) was given to the workers (drawn, being
        drawn or cancelled)."""
        return rel in self._drawn and self._drawn[rel][0] == name

    def take(self, rel: str, name: str, targets: dict[str, Path]) -> bool:
        """Move the files of the cloud at `rel` (cache name `name`) to `targets` (suffix → path)
        when it was drawn whole, waiting for it if it is being drawn; False when it was not
        (cancelled, or it failed)."""
        if not self.has(rel, name):
            return False
        _, future, files = self._drawn.pop(rel)
        try:
            future.result()
        except Exception:  # cancelled with the pool, or failed: drawn again by the caller (not Ctrl-C)  # noqa: BLE001
            return False
        if not all(f.is_file() for f in files.values()):
            return False
        for suffix, target in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(files[suffix], target)
        return True

    def close(self) -> None:
        """Remove the folder, once nothing is drawn into it any more (a run that failed while a
        worker drew: what has not started is cancelled, what has is waited for)."""
        from concurrent.futures import wait

        futures = {future for _, future, _ in self._drawn.values()}
        wait([f for f in futures if not f.cancel()])
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self._drawn.clear()


def _draw_early(font: Path, chars: str, narrowed: Path, pictures: list) -> None:
    """In a question worker: one question's clouds (`EarlyClouds.submit`), with its narrowed font."""
    from pipeline import fonts, render

    fonts.narrowed(font, chars, narrowed)
    for picture in pictures:
        render.draw_one(picture)


def _face_text(clouds: list[tuple[str, str, tuple[tuple[str, float], ...], dict[str, Any]]]) -> str:
    """The characters of one SVG font subset for all the clouds of a question: of the words each
    may show (its heaviest `max_words`)."""
    chars: set[str] = set()
    for _, _, weights, style in clouds:
        for word, _ in sorted(weights, key=lambda wf: -wf[1])[:style.get("max_words", 120)]:
            chars.update(word)
    return "".join(sorted(chars))


def _question_pictures(r: QuestionResult, q: str, tmp: Path, images: dict[str, str], font: Path, seed: int,
                       reuse_images: Path | None, cache: Cache | None) -> list:
    """The question's co-occurrence network and bar chart: copied from an earlier run or the
    cache, or returned as (picture, cache name, targets) to draw; `images` gets their paths."""
    from pipeline import render

    out = []
    rel = f"networks/{q}.png"
    if r.network is not None:
        images[f"{q}/network"] = rel
        picture = render.Picture("network", dict(network=r.network, path=tmp / rel, font=font, seed=seed,
                                                 palette=render.PALETTE), cost=0.7)
        out += _uncached(cache, caching.key("network", r.network, seed, render.PALETTE, font), {".png": tmp / rel},
                         picture)
    elif reuse_images is not None and _copy(reuse_images, tmp, rel, f"networks/{q}_edges.csv"):
        images[f"{q}/network"] = rel
    chart = tmp / "charts" / f"{q}_themes.png"
    bars = render.bar_picture(r, chart, font=font)
    if bars is not None:
        images[f"{q}/chart"] = f"charts/{q}_themes.png"
        key = [(t.label, t.size, t.share, t.theme_id) for t in r.themes]
        out += _uncached(cache, caching.key("bars", key, font), {".png": chart}, bars)
    return out


def _uncached(cache: Cache | None, name: str, targets: dict[str, Path], picture) -> list:
    """[(picture, name, targets)] to draw, or [] when the cache had the files (copied to `targets`)."""
    if cache is not None and cache.copy(name, targets):
        return []
    return [(picture, name, targets)]


def _png_svg(png: Path) -> dict[str, Path]:
    return {".png": png, ".svg": png.with_suffix(".svg")}


def _carry_cache(cache: Cache, out: Path, tmp: Path) -> None:
    """The cache's new entries written, and pruned. A cache inside the folder being replaced
    (DIR/.cache) moves into the new one first (same file system), so it outlives the swap."""
    try:
        inside = cache.folder.resolve().parent == out.resolve()
    except OSError:
        inside = False
    if inside:
        target = tmp / cache.folder.name
        if cache.folder.is_dir():
            try:
                os.replace(cache.folder, target)
            except OSError:
                shutil.rmtree(target, ignore_errors=True)
        cache.flush(into=target)
    else:
        cache.flush()
    cache.prune()


def run_config(result: Result) -> str:
    """run_config.json: the configuration as run, to repeat it exactly. `word_vectors` says
    whether word vectors were actually used (false when asked for but not installed)."""
    data = json.loads(result.config.to_json())
    if data["word_vectors"] and not result.word_vectors:
        data["word_vectors"] = False
        data["word_vectors_requested"] = True
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# Leftover folders of an earlier run on the same --out that was killed: .NAME.tmp-PID-XXXX and
# .NAME.old-PID-XXXX beside it. They are removed when their process is gone.
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)-[0-9a-f]{8}")


def _new_folder(out: Path) -> Path:
    """A fresh folder beside `out` to write into, with ordinary permissions (mkdir applies the
    umask; tempfile.mkdtemp would make it private and reading the umask means changing it)."""
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(parent, out.name)
        while True:
            tmp = parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
            try:
                tmp.mkdir(mode=0o777)
                return tmp
            except FileExistsError:
                continue
    except OSError as e:
        raise write_error(out, e) from None


def _remove_leftovers(parent: Path, name: str) -> None:
    for path in parent.glob(f".{glob.escape(name)}.*-*-*"):
        m = _LEFTOVER.fullmatch(path.name)
        if m and m["name"] == name and path.is_dir() and not _alive(int(m["pid"])):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def write_error(out: Path, e: OSError) -> UserError:
    """A write failure as a message staff can act on; the earlier result is left as it was."""
    why: str = {errno.ENOSPC: "ディスクの空き容量が足りません", errno.EDQUOT: "ディスクの使用量の上限に達しました",
           errno.EACCES: "書き込む権限がありません", errno.EPERM: "書き込む権限がありません",
           errno.EROFS: "読み取り専用の場所です", errno.ENOTDIR: "途中のパスがフォルダではありません"}.get(
        e.errno or 0, e.strerror or type(e).__name__)
    return UserError(f"出力先 {out} に書き込めませんでした（{why}）。前回の結果はそのまま残っています。",
                     "空き容量や権限を確認するか、--out に別のフォルダを指定してください。")


def _copy(source: Path, target: Path, *relatives: str) -> bool:
    """Copy files of an earlier output folder; True when the first one existed."""
    found = False
    for n, rel in enumerate(relatives):
        if (source / rel).is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, target / rel)
            found = found or n == 0
    return found


def write_network_csv(net, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["word_a", "word_b", "jaccard", "community_a", "community_b"])
        for a, b, j in net.edges:
            writer.writerow(row_cells([net.words[a], net.words[b], f"{j:.4f}", net.community[a], net.community[b]]))


def _safe(name: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ch.isspace() else ch for ch in name)[:40] or "attr"


def write_crosstabs(result: QuestionResult, out: Path, q: str) -> list:
    """The question's theme × attribute tables as CSV (long form: one row per cell); the tables
    with their CSV paths, for the report."""
    tables = []
    for table in result.crosstabs:
        rel = f"crosstabs/{q}_{_safe(table.attribute)}.csv"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        header, rows = table.rows()
        with (out / rel).open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(row_cells(header))
            writer.writerows(row_cells(row) for row in rows)
        tables.append((table, rel))
    return tables


def write_kwic(results: list[QuestionResult], path: Path) -> None:
    doc = {r.question: {k: [[ln.id, ln.left, ln.key, ln.right] for ln in lines] for k, lines in r.kwic}
           for r in results}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _replace(tmp: Path, out: Path) -> None:
    """Move the finished folder into place. Where the OS can swap two paths atomically (Linux
    renameat2 RENAME_EXCHANGE), there is no moment without `out`; elsewhere the earlier result
    is moved aside, the new one moved in, and the earlier one removed only after that."""
    if not out.exists():
        os.replace(tmp, out)
        return
    if not out.is_dir() or out.is_symlink():
        raise UserError(f"出力先 {out} はフォルダではありません。", "--out にはフォルダを指定してください。")
    if _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now holds the earlier result
        return
    old = tmp.with_name(tmp.name.replace(".tmp-", ".old-", 1))
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ≥ 3.15, glibc ≥ 2.28); False where that is not possible."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not supported by this file system
        return False
    raise OSError(err, os.strerror(err), str(b))


def write_assignments(results: list[QuestionResult], config: Config, path: Path) -> None:
    """assignments.csv, one row per answer (`write_all` calls it with the garbage collector paused).

    The same bytes as a csv.writer's rows (`_CsvFields` makes them with one), a row made of three
    pieces: the answer's id; what an answer's text decides (theme, label, reason set aside, score,
    the text, key, reason, themes), made once for each distinct such set — an export repeats its
    answers (986,513 rows of 89,683 texts) — and the respondent's attributes, once for each
    distinct set. 986,513 rows (89,683 texts): 7.7 → 3.0–4.1 s on their own."""
    attr_names = list(config.attr_cols)
    fields = _CsvFields()
    # Opened as UTF-8 with the BOM written first: utf-8-sig's encoder is Python code, called once
    # for every row written, where UTF-8's is the text layer's own.
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("\ufeff")
        f.write(fields.line(row_cells(ASSIGNMENT_COLUMNS + attr_names)))
        attributes: dict[tuple, str] = {}
        for result in results:
            question = "," + fields.line([cell(result.question)], end="") + ","
            labels = {t.theme_id: cell(t.label) for t in result.themes}
            keys = {t.theme_id: cell(t.key) for t in result.themes}
            decided: dict[tuple, str] = {}
            rows: list[str] = []
            for a in result.assignments:
                what = (a.theme_id, a.excluded_reason, a.score, a.masked, a.reason, a.theme_ids)
                middle = decided.get(what)
                if middle is None:
                    middle = decided[what] = fields.line([
                        a.theme_id, labels.get(a.theme_id, ""), cell(a.excluded_reason),
                        cell(f"{a.score:.4f}") if a.theme_id >= 0 else "", cell(a.masked), keys.get(a.theme_id, ""),
                        cell(a.reason), cell(";".join(str(t) for t in a.theme_ids))], end="")
                attrs = attributes.get(a.answer.attrs)
                if attrs is None:
                    attrs = attributes[a.answer.attrs] = fields.line([cell(v) for _, v in a.answer.attrs], lead=True)
                identity = cell(a.answer.id)
                rows.append((fields.line([identity], end="") if _QUOTED.search(identity) else identity)
                            + question + middle + attrs)
                if len(rows) >= ROWS_WRITTEN_AT_ONCE:
                    f.write("".join(rows))
                    rows.clear()
            f.write("".join(rows))


ROWS_WRITTEN_AT_ONCE = 4096
_QUOTED = re.compile('[,"\r\n]')  # what makes csv.writer quote a field (QUOTE_MINIMAL, its delimiter and line end)


class _CsvFields:
    """Cells joined as a csv.writer (comma, QUOTE_MINIMAL, CRLF) joins them, by one."""

    def __init__(self) -> None:
        import io

        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def line(self, values: list, end: str = "\r\n", lead: bool = False) -> str:
        """`values` as a row's text with `end` after it; `lead`: with a comma before it (the
        rest of a row). A row is written after a first field of its own, so that no part is a
        row of one empty field (which csv.writer writes as "")."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(["", *values])
        text = self._buffer.getvalue()
        return text[0 if lead else 1:-2] + end


def _quote(q: Quote) -> dict:
    doc = {"id": q.id, "text": q.text, "score": q.score}
    if q.excerpt:
        doc["excerpt"] = True
    if q.picked:
        doc["picked"] = True
    if q.note:
        doc["note"] = q.note
    return doc


def themes_document(result: Result, images: dict[str, str], tables: dict[str, list] | None = None) -> dict:
    questions = []
    for i, r in enumerate(result.questions):
        q = slug(i)
        reasons: dict[str, int] = {}
        for a in r.assignments:
            if a.excluded_reason:
                reasons[a.excluded_reason] = reasons.get(a.excluded_reason, 0) + 1
        doc: dict[str, Any] = {
            "question": r.question,
            "title": r.title,
            "slug": q,
            "n_answers": r.n_answers,
            "n_excluded": r.n_excluded,
            "excluded_by_reason": dict(sorted(reasons.items())),
            # What the question asks for, which decides its no_issue answers (pipeline.noissue),
            # and whether it was configured ("config") or inferred ("title", "answers").
            "asks": r.asks,
            "asks_from": r.asks_from,
            "k": r.k_chosen,
            "k_auto": result.config.k is None,
            # --k auto: the number of themes each Louvain run found (k is their median).
            "k_auto_runs": [int(count) for count in r.k_runs],
            "overview": r.overview,
            "wordcloud": images.get(f"{q}/all", ""),
            "chart": images.get(f"{q}/chart", ""),
            "themes": [{
                "theme_id": t.theme_id,
                "key": t.key,
                "label": t.label,
                **({"auto_label": t.auto_label} if t.auto_label else {}),
                "keywords": list(t.keywords),
                "size": t.size,
                "share": t.share,
                "summary": list(t.summary),
                "quotes": [_quote(qu) for qu in t.quotes],
                "candidates": [_quote(qu) for qu in t.candidates],
                "wordcloud": images.get(f"{q}/theme_{t.theme_id:02d}", ""),
                **({"other": True} if t.key == OTHER_KEY else {}),
                **({"proposed": True} if t.proposed else {}),
            } for t in r.themes],
        }
        if r.changes:  # --previous: every theme's share there (same key), or null
            for theme_doc, change in zip(doc["themes"], r.changes):
                theme_doc["previous_share"] = change.previous_share
            doc["changes"] = [{"key": c.key, "previous_share": c.previous_share, "share": c.share,
                               "points": c.points, "previous_n": c.previous_n, "n": c.n,
                               "p_adjusted": None if c.p_adjusted is None else round(c.p_adjusted, 6),
                               "verdict": c.verdict} for c in r.changes]
        doc["network"] = images.get(f"{q}/network", "")
        doc["crosstabs"] = [{
            "attribute": t.attribute, "test": t.test, "statistic": float(f"{t.statistic:.6g}"), "dof": t.dof,
            "p_value": round(t.p_value, 6), "n": t.n, "csv": rel, "findings": t.findings(),
        } for t, rel in (tables or {}).get(r.question, [])]
        if r.review_log:
            doc["review_log"] = list(r.review_log)
        questions.append(doc)
    return {"tool": "jiyu-themes", "version": __version__, "input": result.input_name, "seed": result.config.seed,
            "word_vectors": result.word_vectors, "notices": list(result.notices), "questions": questions}


def write_themes_json(result: Result, images: dict[str, str], path: Path, tables: dict[str, list] | None = None) -> None:
    doc = themes_document(result, images, tables)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# run_state.json: the machine state of a run, from which `report --review` and a later run's
# carry-over rebuild the results. Staff open and re-save assignments.csv in Excel (leading zeros
# of ids go, apostrophes vanish), so it is never read back for that.
STATE = "run_state.json"
STATE_FORMAT = 2  # 2: theme keys and reasons
STATE_LINE = 1_000  # answers a line of run_state.json


def _quote_state(q: Quote) -> list:
    return [q.id, q.text, q.score, q.excerpt, q.picked, q.note]


def write_state(result: Result, path: Path) -> None:
    """run_state.json, written as it goes, a thousand answers a line, so that a million answers
    never stand in memory as one document (`write_all` calls it with the garbage collector paused)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # one encoder for every line
    text = json.encoder.encode_basestring  # a string as that encoder writes it (ensure_ascii=False)
    attributes: dict[tuple, str] = {}
    decisions: dict[tuple, str] = {}

    head = {"format": STATE_FORMAT, "tool": "jiyu-themes", "version": __version__, "input": result.input_name,
            "config": json.loads(result.config.to_json()), "word_vectors": result.word_vectors,
            "notices": list(result.notices)}
    with path.open("w", encoding="utf-8") as f:
        f.write(dumps(head)[:-1] + ',"questions":[\n')
        for n, r in enumerate(result.questions):
            question = {
                "question": r.question, "title": r.title, "n_answers": r.n_answers, "n_excluded": r.n_excluded,
                "asks": r.asks, "asks_from": r.asks_from, "k_chosen": r.k_chosen, "k_runs": list(r.k_runs),
                "review_log": list(r.review_log),
                "term_weights": [list(w) for w in r.term_weights], "word_themes": [list(w) for w in r.word_themes],
                "themes": [{
                    "theme_id": t.theme_id, "label": t.label, "keywords": list(t.keywords), "size": t.size,
                    "share": t.share, "quotes": [_quote_state(x) for x in t.quotes],
                    "candidates": [_quote_state(x) for x in t.candidates],
                    "term_weights": [list(w) for w in t.term_weights], "summary": list(t.summary),
                    "auto_label": t.auto_label, "key": t.key, "proposed": t.proposed,
                } for t in r.themes],
                "kwic": [[k, [[x.id, x.left, x.key, x.right] for x in lines]] for k, lines in r.kwic],
            }
            f.write(("," if n else "") + dumps(question)[:-1] + ',"assignments":[\n')
            # One row per answer: id, row, attributes, text as shown, theme, themes, excluded reason,
            # score, why it is in its theme; STATE_LINE rows a line. The encoder's bytes, joined from
            # pieces: the attributes encoded once for each distinct set, what the answer's text decides
            # (text to reason) once for each distinct such set — an export repeats its answers
            # (986,513 rows of 89,683 texts: 4.4 → 2.6 s on their own).
            assignments = r.assignments
            for start in range(0, len(assignments), STATE_LINE):
                rows = []
                for a in assignments[start:start + STATE_LINE]:
                    encoded = attributes.get(a.answer.attrs)
                    if encoded is None:
                        encoded = attributes[a.answer.attrs] = dumps([list(x) for x in a.answer.attrs])
                    what = (a.masked, a.theme_id, a.theme_ids, a.excluded_reason, a.score, a.reason)
                    decided = decisions.get(what)
                    if decided is None:
                        decided = decisions[what] = dumps([a.masked, a.theme_id, list(a.theme_ids), a.excluded_reason,
                                                           a.score, a.reason])[1:-1]
                    answer = a.answer
                    # (an id or row number of another type, from a library caller: as the encoder writes it)
                    identity = text(answer.id) if type(answer.id) is str else dumps(answer.id)
                    row = answer.row if type(answer.row) is int else dumps(answer.row)
                    rows.append(f"[{identity},{row},{encoded},{decided}]")
                f.write(("," if start else "") + ",".join(rows) + "\n")
            f.write("]}\n")
            decisions.clear()
        f.write("]}\n")


def read_results(out: Path) -> Result:
    """The results of an earlier run from its output folder (run_state.json)."""
    from pipeline import config as configuration
    from pipeline.kwic import Line
    from pipeline.run import summarised

    path = out / STATE
    if not path.is_file():
        hint = ("先に `python -m pipeline themes … --out` で分析してから実行してください。"
                if not (out / "themes.json").is_file() else "この版で分析をやり直してから実行してください。")
        raise UserError(f"{out} に前回の分析結果（{STATE}）がありません。", hint)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != STATE_FORMAT:
            raise ValueError(f"format {doc.get('format')}")
        config_values = {k: v for k, v in doc["config"].items() if k in configuration.FIELDS}
        config_values["question_titles"] = tuple(config_values.get("question_titles", {}).items())
        config_values["question_asks"] = tuple(config_values.get("question_asks", {}).items())
        config = configuration.build(config_values)

        def quote(x: list) -> Quote:
            return Quote(id=x[0], text=x[1], score=x[2], excerpt=x[3], picked=x[4], note=x[5])

        questions = []
        for q in doc["questions"]:
            assignments = tuple(Assignment(
                answer=Answer(id=rid, question=q["question"], row=row, raw="", attrs=tuple(tuple(x) for x in attrs)),
                masked=text, theme_id=theme_id, theme_ids=tuple(theme_ids), excluded_reason=why, score=score,
                reason=reason)
                for rid, row, attrs, text, theme_id, theme_ids, why, score, reason in q["assignments"])
            themes = tuple(Theme(
                theme_id=t["theme_id"], label=t["label"], keywords=tuple(t["keywords"]), size=t["size"],
                share=t["share"], quotes=tuple(quote(x) for x in t["quotes"]),
                candidates=tuple(quote(x) for x in t["candidates"]),
                term_weights=tuple((w, f) for w, f in t["term_weights"]), summary=tuple(t["summary"]),
                auto_label=t["auto_label"], key=t["key"], proposed=t.get("proposed", False)) for t in q["themes"])
            kwic = tuple((k, tuple(Line(i, q["question"], left, key, right) for i, left, key, right in lines))
                         for k, lines in q["kwic"])
            questions.append(summarised(QuestionResult(
                question=q["question"], title=q["title"], n_answers=q["n_answers"], n_excluded=q["n_excluded"],
                k_chosen=q["k_chosen"], themes=themes, assignments=assignments,
                term_weights=tuple((w, f) for w, f in q["term_weights"]), k_runs=tuple(q["k_runs"]),
                review_log=tuple(q["review_log"]), word_themes=tuple((w, t) for w, t in q["word_themes"]),
                kwic=kwic, asks=q.get("asks", ""), asks_from=q.get("asks_from", "")), config))
    except (ValueError, KeyError, TypeError, IndexError) as e:
        raise UserError(f"{out} の分析の状態（{STATE}）を読めません（{e}）。", "分析をやり直してください。") from None
    from pipeline.tally import tallies

    return Result(questions=tuple(questions), config=config, input_name=doc["input"],
                  word_vectors=doc["word_vectors"], notices=tuple(doc["notices"]),
                  tallies=tallies(questions, config.attr_cols, config.multi_separators))
