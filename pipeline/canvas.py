"""A small raster canvas for the report's charts (bar charts, co-occurrence networks), drawn with
Pillow, which the word clouds use already.

A chart drawn through matplotlib cost 0.25–0.3 s (a Figure, its layout and the Agg renderer for a
dozen bars), as long as a word cloud; the same picture drawn here takes a few hundredths of a
second. A picture of lines and circles (the network) is drawn at a multiple of its size and reduced,
which smooths their edges as an anti-aliasing renderer would; text is smoothed by FreeType. Every
picture is written by `save` (the word clouds' PNGs too). Nothing here changes state outside the
picture.
"""

from __future__ import annotations

import functools
from pathlib import Path

PNG_LEVEL = 3  # zlib level: faster than the default 6 and, on clouds and charts, no larger


@functools.lru_cache(maxsize=32)
def font(path: Path, pixels: int):
    """The TrueType font at `path` at a size of `pixels` (cached: opening a font file is the slow part)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(path), max(1, int(pixels)))


def points(pt: float, dpi: float) -> float:
    """A length in points (1/72 inch) in pixels at `dpi`."""
    return pt * dpi / 72


def rgb(colour: str) -> tuple[int, int, int]:
    """'#RRGGBB' as (r, g, b)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def fitted(text: str, face, width: float) -> str:
    """`text`, cut with … to at most `width` pixels in `face`."""
    if face.getlength(text) <= width:
        return text
    while text and face.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def nice_step(top: float, most: int = 8) -> float:
    """The tick step of a count axis from 0 to `top`: a whole number, 1, 2, 2.5 or 5 times a power of
    ten, the smallest that gives at most `most` intervals."""
    import math

    if top <= most:
        return 1.0
    power = 10.0 ** math.floor(math.log10(top / most))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step == int(step) and top / step <= most:
            return step
    return 10 * power


def save(image, path: Path) -> None:
    """The picture as PNG (no metadata), its folder made when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", compress_level=PNG_LEVEL)
