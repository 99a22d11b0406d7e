"""Masking of personal information in every text written out.

Spans are found on the normalised text (so 全角 digits and ＠ need no special patterns) and
mapped back to the answer as written through the index map of `normalize_with_map`.
Masked: person names (MeCab's 固有名詞・人名 followed by an honorific, a full 姓+名, or a name
signed after 代表/担当/記入者 or alone in brackets), phone and fax numbers, e-mail addresses,
postal codes and street addresses. Not masked: titles (職員さん, 担当の方, 市長), place and
organisation names, and numbers that are not phone numbers (１０ページ, ３回, 2025年).
"""

from __future__ import annotations

import re
from typing import Sequence

from pipeline.tokenize import HONORIFICS, Token

NAME, PHONE, MAIL, ADDRESS = "〔氏名〕", "〔電話番号〕", "〔メール〕", "〔住所〕"

_MAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_SEP = r"[-ー()\s]{0,2}"
_PHONE = re.compile(rf"(?<![\d.])(?:\+81{_SEP})?\(?0\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}(?![\d])")
_POSTAL = re.compile(r"(?:〒\s?)?(?<!\d)\d{3}-\d{4}(?![\d-])")
_ADDRESS = re.compile(
    r"[一-龥々ヶケ]{0,10}(?:町|村|区|丁目|条|通|台|丘|野|原|川|山|島|本町)\s?"
    r"\d{1,4}(?:丁目|-|ー|の)\d{1,4}(?:(?:番地?|-|ー|の)\d{1,4}(?:号)?|番地?)?"
    r"(?!\d|年|月|日|回|人|名|円|%|ページ|頁|時|分)"
)
# Words that precede a signed name: 「代表 山本」, 「記入者：田中」.
_SIGN_CUES = frozenset("代表 代表者 担当 担当者 記入者 回答者 氏名 名前 文責 連絡先 会長 世話人 事務局 事務局長".split())
_OPEN, _CLOSE = "(「[", ")」]"


def find(norm: str, tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
    """Spans (start, end, placeholder) of personal information in a normalised text, sorted."""
    contacts: list[tuple[int, int, str]] = []
    contacts += [(m.start(), m.end(), MAIL) for m in _MAIL.finditer(norm)]
    for m in _PHONE.finditer(norm):
        if 10 <= sum(ch.isdigit() for ch in m.group()) <= 12:
            contacts.append((m.start(), m.end(), PHONE))
    spans = list(contacts)
    spans += [(m.start(), m.end(), ADDRESS) for m in _POSTAL.finditer(norm)]
    spans += [(m.start(), m.end(), ADDRESS) for m in _ADDRESS.finditer(norm)]
    spans += _names(norm, tokens, contacts)
    return _merge(spans)


def _is_name(tok: Token) -> bool:
    return tok.pos2 == "固有名詞" and tok.pos3 == "人名"


def _names(norm: str, tokens: Sequence[Token], contacts: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    spans = []
    i, n = 0, len(tokens)
    while i < n:
        if not _is_name(tokens[i]):
            i += 1
            continue
        j = i
        while j < n and _is_name(tokens[j]):
            j += 1
        group = tokens[i:j]
        before = _previous_word(tokens, i)
        after = tokens[j] if j < n else None
        honorific = after is not None and _is_honorific(after)
        full_name = any(t.pos4 == "姓" for t in group) and any(t.pos4 == "名" for t in group)
        signed = any(before.endswith(cue) for cue in _SIGN_CUES) if before else False
        bracketed = (i > 0 and tokens[i - 1].surface in _OPEN) and (after is not None and after.surface in _CLOSE)
        # A surname right next to a phone number or e-mail address: 「事務局 伊藤 090-…」.
        start, end = group[0].start, group[-1].end
        beside_contact = any(-1 <= s - end <= 4 or -1 <= start - e <= 4 for s, e, _ in contacts)
        if honorific or full_name or signed or bracketed or beside_contact:
            spans.append((group[0].start, group[-1].end, NAME))
        i = j
    # Surnames that UniDic knows as places (小松, 中野) are names before an honorific.
    for k, tok in enumerate(tokens[1:], start=1):
        prev = tokens[k - 1]
        if _is_honorific(tok) and prev.pos2 == "固有名詞" and not _is_name(prev):
            spans.append((prev.start, prev.end, NAME))
    return spans


def _is_honorific(tok: Token) -> bool:
    # さん・様 are suffixes in UniDic; 先生 is a noun.
    return tok.pos1 in ("接尾辞", "名詞") and (tok.surface in HONORIFICS or tok.base in HONORIFICS)


def _previous_word(tokens: Sequence[Token], i: int) -> str:
    """The noun (compound) before token i, skipping spaces, colons and の: 「代表の木村」,
    「記入者：田中」, 「サークル代表 山本」."""
    k = i - 1
    while k >= 0 and (tokens[k].pos1 in ("補助記号", "空白") and tokens[k].surface not in _OPEN
                      or tokens[k].surface == "の" and tokens[k].pos1 == "助詞"):
        k -= 1
    words = []
    while k >= 0 and tokens[k].pos1 in ("名詞", "接尾辞", "接頭辞") and not _is_name(tokens[k]):
        words.append(tokens[k].surface)
        k -= 1
    return "".join(reversed(words))


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, tag in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, tag))
    return merged


def apply(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """`text` with each span replaced by its placeholder (spans index `text`)."""
    out, cursor = [], 0
    for start, end, tag in spans:
        out.append(text[cursor:start])
        out.append(tag)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def apply_mapped(raw: str, index: Sequence[int], norm_len: int, spans: Sequence[tuple[int, int, str]]) -> str:
    """The answer as written with the spans (found on its normalised text) masked.

    `index[i]` is the position in `raw` of normalised character i (see normalize_with_map).
    """
    if not spans:
        return raw
    mapped = []
    for start, end, tag in spans:
        raw_start = index[start]
        # End: the first raw position after the cluster of the span's last character.
        last = index[end - 1]
        raw_end = next((index[k] for k in range(end, norm_len) if index[k] > last), None)
        if raw_end is None:
            raw_end = len(raw.rstrip())
        else:
            # Keep white space between the span and the next character unmasked.
            while raw_end > last + 1 and raw[raw_end - 1].isspace():
                raw_end -= 1
        mapped.append((raw_start, raw_end, tag))
    return apply(raw, mapped)
