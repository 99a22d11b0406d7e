"""Fast tests of patterns that only match at the end of a text.

`noissue` reads a clause as praise when it *ends* in a positive predicate: its patterns look like
`^.*(?:良かった|最高|…)(?:です|ました|…)*$` or `(?:食べ|買っ|…)(?:ました|た)$`. Python's engine tries
such a pattern at every position of the clause, each time through hundreds of alternatives, only
to find that nearly all of them cannot reach the end. Read backwards, the same pattern is anchored
at its start and is tried once: `ending(pattern)` compiles the mirror image of the pattern (each
sequence reversed, lookbehinds turned into lookaheads and back, `$` into the start and `^` into the
end) and matches it against the reversed text. On the 240,000 clauses of the Fukui answers the
praise pattern is read 7 times faster, and kind() a third faster.

The mirror image is built from the parse tree of Python's own `re` parser (`re._parser`, the
module behind `sre_parse`). Where that is missing or the pattern uses something the mirror does
not cover (back-references, atomic groups, inline flags, a lookbehind it cannot express), the
test falls back to the pattern itself: results never differ, only speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:  # the stdlib's regular-expression parser (Python 3.11+: re._parser)
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - a Python without them: the patterns as they are
    _c = _p = None

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


class _Unsupported(Exception):
    pass


def ending(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """A test equal to `bool(pattern.search(text))` for a pattern whose every match ends at the
    end of the text (`$` closes every alternative; `^.*…$` as used with match is such a
    pattern), read backwards when the pattern can be mirrored."""
    def forward(text: str) -> bool:
        return pattern.search(text) is not None

    mirrored = _mirrored(pattern)
    if mirrored is None:
        return forward
    match = mirrored.match

    def backward(text: str) -> bool:
        return match(text[::-1]) is not None

    return backward


def _mirrored(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    if _p is None or not isinstance(pattern.pattern, str) or pattern.flags & (re.MULTILINE | re.VERBOSE):
        return None
    try:
        tree = _p.parse(pattern.pattern, pattern.flags)
        if not _ends_at_end(list(tree)):
            return None
        return re.compile(_sequence(list(tree)), pattern.flags)
    except (_Unsupported, re.error, AttributeError, TypeError, ValueError, IndexError):
        return None


def _ends_at_end(items: list) -> bool:
    """Whether every match of the sequence ends with `$`: its last item is `$`, or a branch
    whose every alternative ends with it."""
    if not items:
        return False
    op, av = items[-1]
    if op is _c.AT:
        return av is _c.AT_END or av is _c.AT_END_STRING
    if op is _c.BRANCH:
        return all(_ends_at_end(list(alternative)) for alternative in av[1])
    if op is _c.SUBPATTERN:
        return _ends_at_end(list(av[-1]))
    return False


def _sequence(items: list) -> str:
    return "".join(_item(op, av) for op, av in reversed(items))


def _char(code: int, in_class: bool = False) -> str:
    ch = chr(code)
    if in_class:
        return "\\" + ch if ch in "\\]^-[" else ch
    return re.escape(ch)


def _repeat(low: int, high: int) -> str:
    return "{" + str(low) + "," + ("" if high == _c.MAXREPEAT else str(high)) + "}"


def _item(op, av) -> str:
    if op is _c.LITERAL:
        return _char(av)
    if op is _c.NOT_LITERAL:
        return "[^" + _char(av, True) + "]"
    if op is _c.ANY:
        return "."
    if op is _c.IN:
        return "[" + "".join(_class_item(o, a) for o, a in av) + "]"
    if op is _c.BRANCH:
        return "(?:" + "|".join(_sequence(list(alternative)) for alternative in av[1]) + ")"
    if op is _c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unsupported("inline flags")
        return "(?:" + _sequence(list(sub)) + ")"
    if op is _c.MAX_REPEAT or op is _c.MIN_REPEAT:
        low, high, sub = av
        return "(?:" + _sequence(list(sub)) + ")" + _repeat(low, high) + ("?" if op is _c.MIN_REPEAT else "")
    if op is _c.ASSERT or op is _c.ASSERT_NOT:
        direction, sub = av  # a lookbehind (-1) before a text is a lookahead after its mirror
        kind = ("=" if op is _c.ASSERT else "!") if direction < 0 else ("<=" if op is _c.ASSERT else "<!")
        return "(?" + kind + _sequence(list(sub)) + ")"
    if op is _c.AT:
        if av is _c.AT_BEGINNING or av is _c.AT_BEGINNING_STRING:
            return r"\Z"
        if av is _c.AT_END:  # `$` is also before a final newline: the mirror's first character
            return r"\A\n?"
        if av is _c.AT_END_STRING:
            return r"\A"
    raise _Unsupported(str(op))


def _class_item(op, av) -> str:
    if op is _c.NEGATE:
        return "^"
    if op is _c.LITERAL:
        return _char(av, True)
    if op is _c.RANGE:
        return _char(av[0], True) + "-" + _char(av[1], True)
    if op is _c.CATEGORY and str(av) in _CATEGORIES:
        return _CATEGORIES[str(av)]
    raise _Unsupported(str(op))
