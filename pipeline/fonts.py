"""The Japanese font for word clouds and charts.

IPAexGothic ships inside the japanize-matplotlib package (IPA Font License, redistributable).
That package's __init__ imports distutils, which Python 3.12 removed, so the font file is
located with importlib.util.find_spec, which does not import (run) the package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pipeline.errors import UserError

BUNDLED = ("japanize_matplotlib", "fonts/ipaexg.ttf")


def bundled_font() -> Path | None:
    spec = importlib.util.find_spec(BUNDLED[0])
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / BUNDLED[1]
        if path.is_file():
            return path
    return None


def font_path(configured: str | None = None) -> Path:
    """The configured font, else the bundled IPAexGothic."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise UserError(f"設定のフォントファイルが見つかりません: {path}",
                            "font_path に日本語フォント（.ttf / .otf）のパスを指定するか、項目を消してください。")
        return path
    bundled = bundled_font()
    if bundled is None:
        raise UserError("日本語フォントが見つかりません（japanize-matplotlib が入っていません）。",
                        "`make themes` で環境を作り直すか、設定の font_path にフォントを指定してください。")
    return bundled


def narrowed(font: Path, text: str, target: Path) -> Path:
    """A copy of `font` with only the glyphs of `text`, written to `target` (TrueType, hinting
    kept, so that it rasterises exactly as the full font). Cut down once to the characters of all
    word clouds, it makes their layout a third faster (the layout loads the font for every size
    it tries) and each cloud's SVG subset (`font_face`) a fifth of the work."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.hinting = True  # the same pixels as the full font
    ttf = TTFont(str(font), recalcTimestamp=False, recalcBBoxes=False)  # see `font_face`
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(ttf)
    target.parent.mkdir(parents=True, exist_ok=True)
    ttf.save(str(target))
    return target


def font_face(font: Path, text: str, family: str) -> str:
    """An @font-face rule that embeds `font`, cut down to the characters of `text` (a few KB to a
    few hundred KB instead of 4 MB), so a report or SVG shows Japanese on any machine."""
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.hinting = False  # screens and printers do without; a third of the size and time
    # Lazy; no timestamp (same input, same bytes); the glyphs' stored boxes kept (an outline
    # does not change when other glyphs go): recomputing them decompiles and recompiles every
    # glyph, 60 % of the time of a subset. The font's overall box and maxima stay the full
    # font's, which only bound the subset's.
    ttf = TTFont(str(font), recalcTimestamp=False, recalcBBoxes=False)
    ttf.flavor = "woff"  # zlib-compressed; woff2 would need brotli
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(ttf)
    buffer = io.BytesIO()
    ttf.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{data}) format("woff"); }}'
