"""Normalisation for analysis: NFKC, folded white space, no control characters.

Answers are quoted as written; only the analysis sees the normalised text. `normalize_with_map`
keeps, for every normalised character, the index of the original character it came from, so
that spans found on normalised text (a phone number in 全角 digits) can be masked in the original.
"""

from __future__ import annotations

import re
import unicodedata

_HALFWIDTH_VOICING = "\uff9e\uff9f"  # ﾞ ﾟ combine with the preceding 半角カナ under NFKC
# Wave dashes and look-alike hyphens vary with the exporting program; fold them to one form.
_FOLD = str.maketrans({"〜": "～", "−": "-", "‐": "-", "‑": "-", "–": "-", "—": "-", "―": "-"})


def _clusters(text: str):
    """Yield (start index, cluster) where a cluster is a character and its combining marks."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in _HALFWIDTH_VOICING):
            j += 1
        yield i, text[i:j]
        i = j


# Circled and parenthesised numbers (①, ⑵, ❸) number the points of a list. NFKC would turn
# them into plain digits that run into the text (①予算②前例 → 1予算2前例); a line break and a
# bullet keep the list structure for segmentation.
LIST_NUMBERS = frozenset(
    [chr(c) for c in range(0x2460, 0x2474)]  # ①..⑳
    + [chr(c) for c in range(0x2474, 0x2488)]  # ⑴..⒇
    + [chr(c) for c in range(0x2776, 0x2794)]  # ❶..➓
    + [chr(c) for c in range(0x24F5, 0x24FF)]  # ⓵..⓾
    + [chr(c) for c in range(0x3251, 0x3260)] + [chr(c) for c in range(0x32B1, 0x32C0)]  # ㉑..㊿
)


def _clean_char(ch: str) -> str:
    if ch in "\r\n\u2028\u2029\x0b\x0c\x85":
        return "\n"
    if ch in "\t\u3000\u00a0":
        return " "
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ""
    return ch


# White space, combining marks (which NFKC may compose) and list numbers need the slow path.
_NEEDS_CARE = re.compile("[\\s\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                         "\u3099-\u309c\uff9e\uff9f" + "".join(sorted(LIST_NUMBERS)) + "]")


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in `text` it came from."""
    # Fast path for the common answer: no white space, controls, combining marks or list
    # numbers, and NFKC maps every character to exactly one (same length, nothing composed).
    # (isprintable() is False for controls, format characters and unassigned code points.)
    if text.isprintable() and not _NEEDS_CARE.search(text):
        nfkc = unicodedata.normalize("NFKC", text)
        if len(nfkc) == len(text) and nfkc.isprintable() and not _NEEDS_CARE.search(nfkc):
            return nfkc.translate(_FOLD), list(range(len(text)))
    # The next most common: the same, with spaces and line breaks (a sixth of real answers).
    if not _MARKS.search(text):
        nfkc = unicodedata.normalize("NFKC", text)
        if len(nfkc) == len(text) and not _MARKS.search(nfkc) and nfkc.translate(_NO_WHITE).isprintable():
            return _fold_white(nfkc.translate(_FOLD))
    return _normalize_with_map(text)


# What `_normalize_with_map` turns into a line break or a space (`_clean_char`, after NFKC).
_NEWLINES = "\r\n\u2028\u2029\x0b\x0c\x85"
_SPACES = "\t\u3000\u00a0 "
_NO_WHITE = str.maketrans(dict.fromkeys(_NEWLINES + _SPACES))
_MARKS = re.compile(_NEEDS_CARE.pattern.replace("\\s", ""))
_WHITE_RUN = re.compile(f"[{re.escape(_NEWLINES + _SPACES)}]+")
_NEWLINE = re.compile(f"[{re.escape(_NEWLINES)}]")


def _fold_white(text: str) -> tuple[str, list[int]]:
    """`_normalize_with_map` of a text that NFKC maps one character to one and that has no
    combining marks, list numbers or controls besides white space: each run of white space is
    one line break (at the run's last line break) if it has one, else one space (at its first
    character); none at either end."""
    out: list[str] = []
    index: list[int] = []
    cursor, gap = 0, (0, 0)
    for start, end in [m.span() for m in _WHITE_RUN.finditer(text)] + [(len(text), len(text))]:
        if start > cursor:
            if out:
                breaks = [b.start() for b in _NEWLINE.finditer(text, *gap)]
                out.append("\n" if breaks else " ")
                index.append(breaks[-1] if breaks else gap[0])
            out.append(text[cursor:start])
            index.extend(range(cursor, start))
        gap, cursor = (start, end), end
    return "".join(out), index


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in `text` it came from.

    NFKC per character cluster, controls removed, runs of spaces folded into one, line breaks
    (with the spaces around them) into one \n, and both ends stripped.
    """
    chars: list[str] = []
    index: list[int] = []
    for start, cluster in _clusters(text):
        norm = "\n・" if cluster in LIST_NUMBERS else unicodedata.normalize("NFKC", cluster).translate(_FOLD)
        for ch in norm:
            ch = _clean_char(ch)
            if not ch:
                continue
            if ch == "\n" or ch == " ":
                if chars and chars[-1] in " \n":
                    if ch == "\n":
                        chars[-1], index[-1] = "\n", start
                    continue
            chars.append(ch)
            index.append(start)
    # Drop a space that directly follows a line break, and the white space at both ends.
    keep = [i for i, ch in enumerate(chars) if not (ch == " " and i > 0 and chars[i - 1] == "\n")]
    chars = [chars[i] for i in keep]
    index = [index[i] for i in keep]
    lo, hi = 0, len(chars)
    while lo < hi and chars[lo] in " \n":
        lo += 1
    while hi > lo and chars[hi - 1] in " \n":
        hi -= 1
    return "".join(chars[lo:hi]), index[lo:hi]


def normalize(text: str) -> str:
    """The text used for analysis (see `normalize_with_map`)."""
    return normalize_with_map(text)[0]
