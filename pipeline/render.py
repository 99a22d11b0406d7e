"""Images: word clouds (per question and per theme) and the bar chart of theme sizes.

Rendering takes results, never a fitted model. Every image uses the Japanese font from
`fonts`; word clouds are seeded, so the same input and seed give the same picture.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import canvas
from pipeline.fonts import font_face
from pipeline.records import QuestionResult

# Theme colours (colour-blind safe, Okabe–Ito order, then muted extras); the same everywhere.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#7F7F7F", "#8C564B", "#17BECF", "#BCBD22")


def theme_colour(theme_id: int) -> str:
    return PALETTE[theme_id % len(PALETTE)]


LAYOUT_SCALE = 2  # the clouds' pictures are this many times their layout's canvas
MIN_FONT_SIZE = 4  # pixels, in the picture (wordcloud's default)


def wordcloud(weights: tuple[tuple[str, float], ...], path: Path, *, font: Path, seed: int,
              colour: str | dict[str, str] | None = None, width: int = 800, height: int = 400,
              max_words: int = 120, narrowed: Path | None = None, face_text: str | None = None) -> bool:
    """Write a word cloud of `weights` as PNG (screen) and SVG with the font embedded (print);
    False, and no file, when there is no word. `colour` is one colour, or a colour per word
    (the colour of the theme the word is most typical of), so clouds match the report.
    `narrowed`: the same font cut down to (at least) the cloud's characters (`fonts.narrowed`),
    drawn with and subset for the SVG instead of `font`, which is much faster and gives the same
    pixels; `font` when None. `face_text`: the characters the SVG's font subset covers, at least
    the cloud's words: the same for the clouds of a question, whose subset is then cut once per
    process (`svg_face`; a subset is a third of a cloud's time); the cloud's own words when None."""
    if not weights:
        return False
    from wordcloud import WordCloud

    def colour_of(word, **_):
        if isinstance(colour, dict):
            return colour.get(word, "#555555")
        return colour or "#555555"

    # Laid out on a canvas of half the size and drawn at twice the scale (wordcloud's `scale`):
    # the layout, a search of the free space for every word at every font size tried, costs in
    # proportion to the canvas's area; at half the size the clouds take half the time (55 clouds:
    # 3.5 s → 1.9 s) and look the same, their words placed on a 2-pixel grid.
    scale = LAYOUT_SCALE if width % LAYOUT_SCALE == 0 and height % LAYOUT_SCALE == 0 else 1
    cloud = WordCloud(
        font_path=str(narrowed or font), width=width // scale, height=height // scale, scale=scale,
        min_font_size=max(1, MIN_FONT_SIZE // scale), background_color="white",
        prefer_horizontal=0.9, collocations=False, random_state=seed, max_words=min(len(weights), max_words),
        color_func=colour_of, regexp=None, normalize_plurals=False, include_numbers=True,
    )
    cloud.generate_from_frequencies(dict(weights))
    canvas.save(cloud.to_image(), path)  # (zlib level 3: faster than 6 and, on clouds, a few per cent smaller)
    svg = cloud.to_svg(embed_font=False)
    head, rest = svg.split(">", 1)
    if face_text is None:
        face = svg_face(font, "".join(word for (word, _), *_ in cloud.layout_), narrowed)
    else:
        face = _shared_face(font, face_text, narrowed)
    path.with_suffix(".svg").write_text(f"{head}><style>{face}</style>{rest}", encoding="utf-8")
    return True


@functools.lru_cache(maxsize=8)
def _shared_face(font: Path, text: str, narrowed: Path | None) -> str:
    return svg_face(font, text, narrowed)


def svg_face(font: Path, text: str, narrowed: Path | None = None) -> str:
    """The @font-face rule of a cloud's SVG: `font` (its family name) cut down to the characters
    of `text`, from `narrowed` when given. (wordcloud's own embed_font parses the whole font
    through XML, 0.7 s a cloud; a lazy subset is a tenth of that.)"""
    from PIL import ImageFont

    family = ImageFont.truetype(str(font), 10).getname()[0] or "sans-serif"
    return font_face(narrowed or font, text, family)


@dataclass(frozen=True)
class Picture:
    """One picture to draw, possibly in a worker process: `kind` ("cloud", "bars", "network")
    and the keyword arguments of its drawing function, small and picklable (a question's result
    is not sent, only what the picture shows). `cost`: a rough order of its drawing time, the
    costliest submitted first so that none is left for the end."""

    kind: str
    arguments: dict
    cost: float = 1.0


def draw_one(picture: Picture) -> None:
    """Draw one picture here and now."""
    _draw(picture)


def _draw(picture: Picture) -> None:
    if picture.kind == "cloud":
        wordcloud(**picture.arguments)
    elif picture.kind == "bars":
        _bars(**picture.arguments)
    elif picture.kind == "network":
        from pipeline import network

        network.draw(**picture.arguments)
    else:
        raise ValueError(picture.kind)


class Drawing:
    """Pictures being drawn: in worker processes while the caller writes the other outputs,
    or, for a few pictures or one worker, when `wait` is called. `planned`: how many pictures
    will be drawn in all, the first ones given now and the rest by `add` (the workers start on
    the first while the caller prepares the rest). `done`: called once for each picture drawn
    (from a thread of this process when workers draw them), to count them."""

    def __init__(self, pictures: list[Picture], workers: int, planned: int | None = None,
                 done: Callable[[], None] | None = None, fresh: bool = False):
        import threading

        from pipeline import parallel

        self._done = done
        self._counted: set[int] = set()  # the futures counted by `done`, each once
        self._counting = threading.Lock()
        self._pictures: list[Picture] = []
        planned = len(pictures) if planned is None else planned
        # Forked (or started fresh: `parallel.pool`), one BLAS/OpenMP thread each.
        self._pool = parallel.pool(workers, fresh) if workers > 1 and planned > 4 else None
        self._futures: list = []
        self.add(pictures)

    def add(self, pictures: list[Picture]) -> None:
        """More pictures: submitted now, costliest first (stable), collected in `wait`."""
        self._pictures += pictures
        if self._pool is not None:
            futures = [self._pool.submit(_draw, p) for p in sorted(pictures, key=lambda p: -p.cost)]
            if self._done is not None:
                for future in futures:
                    future.add_done_callback(self._count)
            self._futures += futures

    def _count(self, future) -> None:
        """`done` for a finished picture, once: from the pool's thread as it finishes, or from
        `wait` if that thread has not got to it yet."""
        if self._done is None:
            return
        with self._counting:
            if id(future) in self._counted:
                return
            self._counted.add(id(future))
        self._done()

    def call(self, function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        """`function(*args)` in a worker after the pictures submitted so far (here and now without
        workers); returns what waits for its result, to be asked before `wait`."""
        if self._pool is None:
            value = function(*args)
            return lambda: value
        return self._pool.submit(function, *args).result

    def wait(self) -> None:
        try:
            if self._pool is None:
                for picture in self._pictures:
                    _draw(picture)
                    if self._done is not None:
                        self._done()
            for future in self._futures:
                future.result()
                self._count(future)
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def cloud_picture(weights: tuple[tuple[str, float], ...], path: Path, style: dict, *, font: Path, seed: int,
                  narrowed: Path | None = None) -> Picture:
    """A word cloud (`wordcloud`; `style`: its colour, size, max_words and face_text) to draw with
    `draw`; its cost is its canvas."""
    return Picture("cloud", dict(weights=weights, path=path, font=font, seed=seed, narrowed=narrowed, **style),
                   cost=style.get("width", 800) * style.get("height", 400) / 320_000)


def draw(pictures: list[Picture], workers: int = 0, planned: int | None = None,
         done: Callable[[], None] | None = None, fresh: bool = False, subsets: bool = False) -> Drawing:
    """Start drawing pictures, across processes when there are enough of them (a cloud takes a
    tenth of a second or more: its layout, PNG and the SVG's font subset; a chart a few
    hundredths, a network's layout a tenth); `planned`: how many in all, the rest to come by `.add`;
    `done`: called for each picture drawn; `fresh`: the processes start fresh instead of forked
    (`parallel.pool`); `subsets`: font subsets will be cut (clouds' SVGs, `Drawing.call`);
    `.wait()` for them."""
    import os

    # Imported (wordcloud with matplotlib) once here, not in every forked worker.
    import networkx  # noqa: F401
    import wordcloud  # noqa: F401

    if subsets:  # (0.1–0.2 s each)
        import fontTools.subset  # noqa: F401

    return Drawing(pictures, workers or os.cpu_count() or 1, planned, done, fresh)


def bar_picture(result: QuestionResult, path: Path, *, font: Path) -> Picture | None:
    """Horizontal bars of theme sizes, largest on top, with counts and shares labelled; None
    when the question has no theme."""
    if not result.themes:
        return None
    themes = list(result.themes)[::-1]
    return Picture("bars", dict(path=path, font=font, labels=[t.label for t in themes], counts=[t.size for t in themes],
                                colours=[theme_colour(t.theme_id) for t in themes],
                                notes=[f"{t.size}件（{t.share * 100:.1f}%）" for t in themes], xlabel="回答数",
                                row_height=0.42, room=1.28), cost=0.3)


def bar_chart(result: QuestionResult, path: Path, *, font: Path) -> bool:
    """`bar_picture` drawn now; False, and no file, when the question has no theme."""
    picture = bar_picture(result, path, font=font)
    if picture is not None:
        _draw(picture)
    return picture is not None


def tally_picture(tally, path: Path, *, font: Path) -> Picture | None:
    """Horizontal bars of an attribute's simple tally (`tally.Tally`), in its order from the top,
    with counts and percentages of respondents labelled; （無回答） in grey. None when it has no value."""
    if not tally.values:
        return None
    from pipeline.crosstab import MISSING

    values = list(tally.values)[::-1]
    return Picture("bars", dict(path=path, font=font, labels=[v.value for v in values], counts=[v.count for v in values],
                                colours=["#9E9E9E" if v.value == MISSING else PALETTE[0] for v in values],
                                notes=[f"{v.count}件（{v.percent:.1f}%）" for v in values],
                                xlabel=f"回答者数（全 {tally.n_respondents}）", row_height=0.38, room=1.3), cost=0.3)


def tally_chart(tally, path: Path, *, font: Path) -> bool:
    """`tally_picture` drawn now; False, and no file, when the tally has no value."""
    picture = tally_picture(tally, path, font=font)
    if picture is not None:
        _draw(picture)
    return picture is not None


def _bars(path: Path, font: Path, *, labels: list[str], counts: list[int], colours: list[str], notes: list[str],
          xlabel: str, row_height: float, room: float) -> None:
    """A horizontal bar chart as PNG (`canvas`), bars from the bottom up, each with its note beside
    it: labels right-aligned left of the bars, an axis of counts below with `xlabel` under it;
    `row_height` inches a bar at BAR_DPI, the axis running to `room` times the longest bar."""
    from PIL import Image, ImageDraw

    dpi = BAR_DPI
    width = round(BAR_WIDTH * dpi)
    height = round((0.9 + row_height * len(labels)) * dpi)
    label_face = canvas.font(font, round(canvas.points(10, dpi)))
    small_face = canvas.font(font, round(canvas.points(9, dpi)))  # the notes and the axis numbers
    pad, tick = 12, 5
    longest = max((label_face.getlength(label) for label in labels), default=0.0)
    x0 = round(pad + min(longest, BAR_LABELS * width) + tick + 6)
    right = width - 18
    top_y, bottom_y = 16, height - 16 - 2 * small_face.size - 2 * tick - 10
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = max(counts) or 1
    x_max = top * room
    pitch = (bottom_y - top_y) / max(len(labels), 1)
    scale = (right - x0) / x_max
    for row, (label, count, colour, note) in enumerate(zip(labels, counts, colours, notes)):
        centre = bottom_y - (row + 0.5) * pitch  # row 0 at the bottom
        half = 0.65 * pitch / 2
        end = x0 + count * scale
        if count > 0:  # right of the axis line, at least a pixel wide however small beside the largest
            draw.rectangle((x0 + 1, round(centre - half), max(x0 + 1, round(end) - 1),
                            max(round(centre - half), round(centre + half) - 1)), fill=colour)
        draw.line((x0 - tick, round(centre), x0 - 1, round(centre)), fill="black")
        draw.text((x0 - tick - 4, centre), canvas.fitted(label, label_face, BAR_LABELS * width), font=label_face,
                  fill="black", anchor="rm")
        draw.text((end + top * 0.01 * scale, centre), note, font=small_face, fill="black", anchor="lm")
    draw.line((x0, top_y, x0, bottom_y), fill="black")  # the left and bottom spines
    draw.line((x0, bottom_y, right, bottom_y), fill="black")
    step = canvas.nice_step(x_max)
    value = 0.0
    while value <= x_max + 1e-9:
        x = round(x0 + value * scale)
        draw.line((x, bottom_y, x, bottom_y + tick), fill="black")
        draw.text((x, bottom_y + tick + 3), f"{value:.0f}", font=small_face, fill="black", anchor="mt")
        value += step
    draw.text(((x0 + right) / 2, height - 8), xlabel, font=label_face, fill="black", anchor="md")
    canvas.save(image, path)


BAR_DPI = 120  # pixels an inch of the bar charts (900 pixels wide)
BAR_WIDTH = 7.5  # inches
BAR_LABELS = 0.45  # the labels' column takes at most this share of the width (longer labels are cut with …)
