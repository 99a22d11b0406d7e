"""Masking of personal information in every text written out.

Spans are found on the normalised text (so 全角 digits and ＠ need no special patterns) and
mapped back to the answer as written through the index map of `normalize_with_map`.
Masked: person names (MeCab's 固有名詞・人名 followed by an honorific or a title, a full 姓+名, or a
name signed after 代表/担当/記入者, alone in brackets or beside a phone number), phone and fax
numbers, e-mail addresses, postal codes and street addresses. Not masked: titles (職員さん,
担当の方, 市長), place and organisation names, and numbers that are not phone numbers (１０ページ,
３回, 2025年, 2009-10-01).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.tokenize import HONORIFICS, Token

NAME, PHONE, MAIL, ADDRESS = "〔氏名〕", "〔電話番号〕", "〔メール〕", "〔住所〕"

# 「(at)」「[at]」「★」 stand for @ where people write addresses so that robots miss them.
_MAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:@|\s?[(\[]at[)\]]\s?|[★☆])"
                   r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Phone numbers: three groups of digits, split by a hyphen, a long-vowel mark (042ー387ー1234),
# a dot or a space, or with the area code or the exchange in brackets: (042)387-1234,
# 042(387)1234; or ten or eleven digits in one (0423871234). A digit, dot or hyphen before or
# after means a longer number (a version, a date), which is not a phone number; so does a first
# digit other than 0 (+81 stands for it). `find` checks the count of digits.
_S = r"(?:\s?[-ー.]\s?|\s)"
_PHONE = re.compile(
    rf"(?<![\d.\-])(?:\+81{_S}?|(?=\(?0))(?:"
    rf"(?:\(\d{{1,5}}\)\s?\d{{1,4}}{_S}?|\d{{1,5}}\(\d{{1,4}}\)|\d{{1,5}}{_S}\d{{1,4}}{_S})\d{{3,4}}|\d{{10,11}})"
    r"(?![\d]|[-ー.]\d)")
# A local number without area code (387-1234) is a phone number only after TEL/電話/FAX.
_LOCAL_PHONE = re.compile(r"(?:TEL|FAX|電話|携帯|連絡先)(?:番号)?\s?[:：]?\s?(\d{2,4}[-ー]\d{4})(?![\d\-])", re.I)
_POSTAL = re.compile(r"〒\s?\d{3}-?\d{4}(?![\d-])|(?<![\d\-])\d{3}-\d{4}(?![\d-])")
# A bare 123-4567 is a postal code only in an address: after 住所/郵便, or before 都道府県/市区町村.
_POSTAL_CONTEXT = re.compile(r"\s?(?:東京都|北海道|大阪府|京都府|[一-龥]{2,3}県|[一-龥]{1,6}[市区町村郡])")
# Street addresses: a town name (ending in 町, 丘, 丁目 …) and two or more numbers (中町4-15-14,
# 本町1丁目2番3号, 一丁目2番), or one number with 番地. A bare 2-3 after another noun (資料3-1,
# 会議室1-2) is not an address, nor is a range of a counter (中野2-3回). A 丁目 alone (中町四丁目)
# is a neighbourhood of thousands of households and stays.
_NUM = r"(?:\d{1,4}|[一二三四五六七八九十]{1,3})"
_ADDRESS = re.compile(
    r"(?:[一-龥々]{1,6}[ヶケがノ])?[一-龥々]{0,10}(?:町|村|区|条|通|台|丘|野|原|川|山|島|谷|沢|田|橋|坂|浜|崎)\s?"
    rf"(?:{_NUM}丁目\s?\d{{1,4}}(?:番地?|-|ー|の)?|\d{{1,4}}(?:-|ー|の)\d{{1,4}}(?:番地?)?|\d{{1,4}}番地?)"
    r"(?:(?:-|ー|の)?\d{1,4}(?:号室?)?){0,2}"
    r"(?![\d.]|[年月日回人名円%ページ頁時分秒歳才か箇ヶケ件個軒枚本部台世週項])"
)
# Words that precede a signed name: 「代表 山本」, 「記入者：田中」.
_SIGN_CUES = frozenset("代表 代表者 担当 担当者 記入者 回答者 氏名 名前 文責 連絡先 会長 世話人 事務局 事務局長".split())
# Titles after a surname (田中館長, 鈴木課長) mark a person as an honorific does. Not 市長, 町長,
# 知事: after a 人名-tagged word they more often follow a place (山本町長).
_TITLES = frozenset("会長 副会長 理事長 理事 代表 部長 課長 係長 室長 所長 館長 園長 校長 院長 社長 局長 "
                    "事務局長 委員長 委員 議員 主任 主事 監督 コーチ".split())
# Suffixes after a name that still leave it a person's: 鈴木ら, 山田花子宛.
_NAME_TAILS = frozenset("ら たち 達 宛 宛て あて".split())
_OPEN, _CLOSE = "(「[〈【《", ")」]〉】》"


def find(norm: str, tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
    """Spans (start, end, placeholder) of personal information in a normalised text, sorted."""
    contacts: list[tuple[int, int, str]] = []
    contacts += [(m.start(), m.end(), MAIL) for m in _MAIL.finditer(norm)]
    for m in _PHONE.finditer(norm):
        digits = re.sub(r"\D", "", m.group())
        if 10 <= len(digits) - m.group().startswith("+81") <= 11:
            contacts.append((m.start(), m.end(), PHONE))
    contacts += [(m.start(1), m.end(1), PHONE) for m in _LOCAL_PHONE.finditer(norm)]
    spans = list(contacts)
    for m in _POSTAL.finditer(norm):
        if m.group().startswith("〒") or re.search(r"(?:住所|郵便)\W{0,3}$", norm[:m.start()]) \
                or _POSTAL_CONTEXT.match(norm, m.end()):
            spans.append((m.start(), m.end(), ADDRESS))
    spans += [(m.start(), m.end(), ADDRESS) for m in _ADDRESS.finditer(norm)]
    spans += _names(tokens, contacts)
    return _merge(spans)


def _is_name(tok: Token) -> bool:
    # MeCab tags some acronyms (JA) as 人名; an organisation in capitals is not a person.
    return tok.pos2 == "固有名詞" and tok.pos3 == "人名" and not (tok.surface.isascii() and tok.surface.isupper())


def _is_place(tok: Token) -> bool:
    # Many surnames are also places (小松, 中野); UniDic may tag them 地名 even in a name. So a
    # place before an honorific counts as a name, and a firm named after one (日立さん) is masked
    # too: the safer error. Organisations (トヨタさん, 固有名詞・一般) are not places and stay.
    return tok.pos2 == "固有名詞" and tok.pos3 == "地名"


def _names(tokens: Sequence[Token], contacts: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    spans = []
    j, n = 0, len(tokens)
    while j < n:
        i = j
        if not (_is_name(tokens[i]) or _is_place(tokens[i])):
            j += 1
            continue
        # A run of 人名 tokens (姓 + 名) is one name; a place-tagged surname stands alone.
        person = _is_name(tokens[i])
        j = i + 1
        while person and j < n and _is_name(tokens[j]):
            j += 1
        start, end = tokens[i].start, tokens[j - 1].end
        after = tokens[j] if j < n else None
        if after is not None and _is_honorific(after):
            spans.append((start, end, NAME))
            continue
        # A noun or suffix written on makes one compound with it, a place or a shop rather than a
        # person (山本町, 中村橋駅, 木村屋, 中町四丁目 with 中町 and 四丁 tagged 姓 and 名), unless
        # it is a title (田中館長, 田中副会長).
        if after is not None and after.start == end and after.pos1 in ("名詞", "接尾辞", "接頭辞") \
                and after.pos2 != "数詞" and after.surface not in _NAME_TAILS:
            # 副 of 副会長 is a prefix in UniDic.
            title = "".join(t.surface for t in tokens[j:j + 2]) if after.pos1 == "接頭辞" else after.surface
            if person and title in _TITLES:
                spans.append((start, end, NAME))
            continue
        before = _previous_word(tokens, i)
        signed = any(before.endswith(cue) for cue in _SIGN_CUES) if before else False
        bracketed = i > 0 and tokens[i - 1].surface in _OPEN and after is not None and after.surface in _CLOSE
        # A surname right next to a phone number or e-mail address: 「事務局 伊藤 090-…」.
        beside_contact = any(-1 <= s - end <= 4 or -1 <= start - e <= 4 for s, e, _ in contacts)
        full_name = any(t.pos4 == "姓" for t in tokens[i:j]) and any(t.pos4 == "名" for t in tokens[i:j])
        tail = after is not None and after.surface in _NAME_TAILS  # 鈴木ら, 山田花子宛
        # A place-tagged word is a name only where a name is expected: 「記入者：中野」, 「（中野）090-…」.
        if signed or bracketed and beside_contact or person and (full_name or bracketed or beside_contact or tail):
            spans.append((start, end, NAME))
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
