"""Read a survey export (CSV, TSV or XLSX; long or wide) into `Answer` records."""

from __future__ import annotations

import codecs
import collections
import csv
import functools
import io
import itertools
import operator
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import UserError
from pipeline.parallel import no_collection
from pipeline.progress import Progress
from pipeline.records import Answer

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def load(path: str | Path, config: Config, progress: Progress | None = None) -> list[Answer]:
    """All answers of the table at `path`, in input order (row, then question). `progress`:
    bars for reading the rows and taking the answers out of them (a million rows: 3 and 4 s)."""
    path = Path(path)
    with no_collection():  # a list per row, a record per answer, all kept (see `parallel`)
        header, rows, header_line = _read_table(path, config.encoding, config.sheet, progress)
        return to_answers(path, header, rows, config, header_line, progress)


def read_table(path: Path, encoding: str = "auto", sheet: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a table, every cell a string.

    Every data row is kept, blank ones too, so that rows keep their numbers; only blank rows
    before the header and after the last non-blank row (spreadsheet noise) are dropped.
    """
    header, rows, _ = _read_table(path, encoding, sheet)
    return header, rows


def _read_table(path: Path, encoding: str, sheet: str | None,
                progress: Progress | None = None) -> tuple[list[str], list[list[str]], int]:
    """read_table, and the 1-based row (line) number of the header in the file."""
    if not path.exists():
        raise UserError(f"入力ファイルが見つかりません: {path}", "ファイル名とフォルダを確認してください。")
    if path.is_dir():
        raise UserError(f"入力がフォルダです: {path}", "CSV・TSV・Excel（.xlsx）のファイルを指定してください。")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(f"対応していない形式です: {path.name}", "CSV（.csv）、TSV（.tsv）、Excel（.xlsx）で保存してください。")
    if suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    else:
        text = decode(path, path.read_bytes(), encoding)
        table = _read_delimited(path, text, "\t" if suffix == ".tsv" else _sniff_delimiter(text), progress)
    # Blank rows before the header and after the last data row, and blank columns after the last
    # named one, are spreadsheet noise. Blank rows between data rows are data: a respondent who
    # left everything blank, or an empty line that to_answers skips without renumbering.
    first = next((i for i, row in enumerate(table) if not _blank(row)), None)
    if first is None:
        raise UserError(f"入力ファイルが空です: {path}", "回答が入ったファイルを指定してください。")
    last = next(i for i in range(len(table) - 1, first - 1, -1) if not _blank(table[i]))
    header_line = first + 1
    table = table[first:last + 1]
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    while header and not header[-1] and all(len(r) < len(header) or not r[len(header) - 1].strip() for r in table[1:]):
        header.pop()
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name in seen:
            raise UserError(f"列名「{name}」が {seen[name] + 1} 列目と {i + 1} 列目に重複しています（{path.name}）。",
                            "列名が重ならないように見出し行を直してください。")
        seen[name] = i
    rows = table[1:]
    if not rows:
        raise UserError(f"見出し行だけで回答の行がありません: {path}", "回答の入ったファイルを指定してください。")
    return header, rows, header_line


def _blank(row: list[str]) -> bool:
    return not "".join(row).strip()  # no cell with a non-space character


# The codecs `decode` reads with, the names messages give them, and the --encoding that reads them.
_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp932": "Shift_JIS（CP932）", "euc-jp": "EUC-JP",
           "utf-16": "UTF-16", "utf-16-le": "UTF-16（リトルエンディアン）", "utf-16-be": "UTF-16（ビッグエンディアン）"}
_OPTION = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp932": "cp932", "euc-jp": "euc-jp",
           "utf-16": "utf-16", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}


def decode(path: Path, data: bytes, encoding: str = "auto") -> str:
    """Bytes to text, checked to be plausible text whatever the encoding.

    `auto`: a BOM (UTF-8, UTF-16 LE/BE) decides; else UTF-16 without a BOM is recognised by its
    NUL bytes, or, with too few of them, by reading as Japanese; else UTF-8; else CP932 or EUC-JP,
    the more plausible reading first. The first reading that decodes and passes the plausibility
    check wins. Garbage never comes back: a reading that is not plausible text is a
    UserError naming the file and, when another encoding reads it well, the --encoding to pass.
    """
    forced = encoding != "auto"
    named = _forced_codec(data, encoding) if forced else _codec_by_bom_or_nuls(data)
    if named is not None:
        text = _strict(path, data, named, forced)
        problem = _problem(data, text, named)
        if problem is not None:
            raise _garbled(path, data, text, named, problem, forced)
        return text
    # UTF-16 of long answers with few commas has too few NULs for _utf16_without_bom, and its 8-bit
    # readings may decode. 8-bit text has no NULs (but for a pasted one or two).
    if b"\x00" in data and (utf16 := _plausible_utf16(data)):
        return data.decode(utf16)
    readings: dict[str, str] = {}  # codec → text, for those that decode, in the order tried
    problems: dict[str, str] = {}
    failures: list[int] = []  # where the others broke off
    profiles: dict[str, _Profile] = {}
    for codecs_ in (["utf-8"], ["cp932", "euc-jp"]):
        for codec in codecs_:
            try:
                readings[codec] = _decode_with(data, codec)
            except UnicodeDecodeError as e:
                failures.append(e.start)
        if "euc-jp" in readings and "cp932" in readings and _prefer_euc(readings["cp932"], readings["euc-jp"]):
            readings["cp932"] = readings.pop("cp932")  # EUC-JP first
        if list(readings) == ["utf-8"]:
            profiles["utf-8"] = _Profile(readings["utf-8"])  # made once (a million answers: 3.3 s before arrays)
            if (cp932 := _rather_cp932(data, readings["utf-8"], profiles["utf-8"])) is not None:
                return cp932
        for codec, text in readings.items():
            if codec not in problems:
                problem = _problem(data, text, codec, profiles.get(codec))
                if problem is None:
                    return text
                problems[codec] = problem
    if readings:
        codec = next(iter(readings))
        raise _garbled(path, data, readings[codec], codec, problems[codec], forced=False)
    # Report the position of whichever reading got furthest: that is the likelier encoding.
    pos = max(failures)
    raise UserError(
        f"{path.name} の文字コードを判別できません: {_line_at(data, pos)} 行目に UTF-8 でも Shift_JIS（CP932）でも"
        f" EUC-JP でも読めないバイト {_byte_at(data, pos)} があります。",
        "Excel で「CSV UTF-8（コンマ区切り）」として保存し直すか、--encoding で文字コードを指定してください。",
    )


def _rather_cp932(data: bytes, utf8: str, profile: _Profile | None = None) -> str | None:
    """A few CP932 characters can also be valid UTF-8 (ﾊゃぁ is CA 82 E1 82 9F, which reads ʂ႟ as
    UTF-8): too short for the UTF-8 reading's odd characters to count as garbage, yet Japanese as
    CP932. The CP932 reading when the UTF-8 one has an odd character and it has none; else None.
    (Real UTF-8 Japanese practically never decodes as CP932.)"""
    if data.isascii() or (profile or _Profile(utf8)).odd == 0:
        return None
    try:
        cp932 = _decode_with(data, "cp932")
    except UnicodeDecodeError:
        return None
    profile = _Profile(cp932)
    return cp932 if profile.odd == 0 and profile.problem() is None else None


def _codec_by_bom_or_nuls(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return _utf16_without_bom(data)


def _decode_with(data: bytes, codec: str) -> str:
    """Strict decoding. EUC-JP is JIS X 0208 (and 0212) plus the NEC symbols of row 13 (①, ㈱, ㍉)
    that the exports of many systems contain: row 13 is read through EUC-JIS-2004, which has
    them at the same places; nothing else of JIS X 0213 is accepted."""
    if codec != "euc-jp":
        return data.decode(codec)
    try:
        return data.decode("euc_jp")
    except UnicodeDecodeError as error:
        try:
            text = data.decode("euc_jis_2004")
        except UnicodeDecodeError:
            raise error from None
        for ch in set(text):
            if not ch.isascii() and not _encodes(ch, "euc_jp") and not _encodes(ch, "euc_jis_2004", b"\xad"):
                raise error from None
        return text


def _encodes(ch: str, codec: str, prefix: bytes = b"") -> bool:
    """Whether `codec` has the character (a combining mark alone, for one, it has not)."""
    try:
        return ch.encode(codec).startswith(prefix)
    except UnicodeEncodeError:
        return False


def _strict(path: Path, data: bytes, codec: str, forced: bool) -> str:
    """Decode with `codec` or stop with a message naming the line, the byte and a likelier encoding."""
    try:
        return _decode_with(data, codec)
    except UnicodeDecodeError as e:
        line = _line_at(data, e.start, codec)
        message = f"{path.name} を{_named(codec)}として読めません（{line} 行目、バイト {_byte_at(data, e.start)}）。"
        suspect = _suspect(data, codec)
        if suspect is not None:
            hint = f"{_named(suspect).lstrip()}で書かれているようです。--encoding {_OPTION[suspect]} を指定してください。"
        elif forced:
            hint = "--encoding auto を試すか、ファイルの文字コードを確認してください。"
        else:
            hint = "ファイルが途中で切れたり壊れたりしていないか確認し、元のシステムから書き出し直してください。"
        raise UserError(message, hint) from None


def _forced_codec(data: bytes, encoding: str) -> str:
    """The codec for an encoding the user named. `utf-16` without a BOM takes its byte order from
    the NULs or, failing that, from whichever order reads as Japanese (little-endian otherwise)."""
    if encoding == "utf-16" and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_without_bom(data) or _plausible_utf16(data) or "utf-16-le"
    if encoding == "utf-8":
        return "utf-8-sig"  # a BOM is no reason to fail
    return encoding


def _named(codec: str) -> str:
    """The name of an encoding for a message, with the spaces Japanese text puts around it."""
    label = _LABELS.get(codec, codec)
    return f" {label}" + ("" if label.endswith("）") else " ")


def _byte_at(data: bytes, pos: int) -> str:
    return f"0x{data[pos]:02X}" if pos < len(data) else "（ファイルの末尾）"


def _line_at(data: bytes, pos: int, codec: str = "") -> int:
    if codec.startswith("utf-16"):
        return data[:pos - pos % 2].decode(codec, errors="replace").count("\n") + 1
    return data.count(b"\n", 0, pos) + 1


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the NUL bytes show UTF-16 without a BOM, else None.

    CSV text is partly ASCII (commas, digits, line breaks, ids), and every ASCII character in
    UTF-16 is one NUL byte and one non-NUL byte: many NULs on one side of the byte pairs and
    (almost) none on the other is UTF-16. UTF-8, CP932 and EUC-JP text has no NULs at all.
    """
    sample = data[:8192]
    sample = sample[:len(sample) - len(sample) % 2]
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= max(2, pairs // 20) and even * 4 <= odd:
        return "utf-16-le"
    if even >= max(2, pairs // 20) and odd * 4 <= even:
        return "utf-16-be"
    return None


def _plausible_utf16(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the bytes read in that order as plausible text, 20 % kana."""
    if len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        profile = _Profile(text)
        if profile.share(profile.kana) >= 0.2 and _problem(data, text, codec) is None:
            return codec
    return None


# ---------------------------------------------------------------------------------------------
# Plausibility of decoded text.
#
# Each character outside printable ASCII gets a weight (_weight): 0 for what Japanese answers are
# made of (kana, JIS level-1 kanji, 全角/半角 forms, 半角カナ, ①②, ㈱, ㍉, ☆, ※, arrows, box
# drawing, emoji, °±×); 0.1 for JIS level-2 kanji, Greek and Cyrillic; 0.25 for kanji outside
# JIS X 0208 (髙, 﨑), accented Latin letters and other scripts; 0.5 for the level-2 kanji CP932
# makes of a UTF-8 lead byte and a continuation byte (縺, 繧, 繝…); 1 for U+FFFD, private-use,
# unassigned and surrogate code points. A text is garbage (_Profile.problem) when
#   - it has UTF-8 read as Latin-1/CP1252 in it (_LATIN_MOJIBAKE: ã followed by \x81, ‚, ƒ…), or
#   - 半角カナ sit next to rare kanji (weight ≥ 0.1) at least 3 times and for 5 % of the 半角カナ:
#     EUC-JP read as CP932 (ｽﾋﾎ煤ｬﾂｿ…); real 半角カナ words stand next to kana and common kanji, or
#   - control characters (NUL included) are at least _CONTROL_MIN and _CONTROL_SHARE of all
#     its characters (a few are pasted noise, removed later; many are binary data or UTF-16), or
#   - the weights add up to at least _ODD_MIN and _ODD_SHARE of its non-ASCII characters.
# The bundled survey scores 0 %; names with rare kanji, Hangul, café, ① and emoji stay well under;
# UTF-8 read as CP932 scores about 30 %, UTF-16 read with the wrong byte order about 30 %. Short
# EUC-JP read as CP932 can be all 半角カナ; _prefer_euc and _problem compare it with EUC-JP.
_ODD_SHARE = 0.08
_ODD_MIN = 3.0
_CONTROL_SHARE = 0.05
_CONTROL_MIN = 10

# A UTF-8 lead byte as a Latin letter (Â, Ã, ã, æ, é…) followed by a continuation byte as a
# Latin-1 or CP1252 symbol (\x81, ‚, ƒ, €, ™…): UTF-8 read as Latin-1/CP1252 and saved again.
_LATIN_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                             "\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026"
                             "\u2030\u2039\u203a\u20ac\u2122]")

_NEUTRAL_RANGES = (
    (0x00A0, 0x00BF),  # Latin-1 punctuation: ° ± § ¥
    (0x2000, 0x2BFF),  # punctuation, letterlike symbols, arrows, maths, box drawing, ①②, ■□, ☆★, dingbats
    (0x3000, 0x30FF),  # CJK punctuation, hiragana, katakana
    (0x31F0, 0x33FF),  # katakana extension, ㈱, ㍉, ㎡
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFF01, 0xFFEF),  # 全角 and 半角 forms, 半角カナ
    (0x1F000, 0x1FAFF),  # emoji
    (0xE0100, 0xE01EF),  # variation selectors (異体字)
)


@functools.cache
def _kanji_weights() -> dict[str, float]:
    """Weights of the CJK unified ideographs that are not level-1 kanji, by exception (default 0.25)."""
    weights: dict[str, float] = {}
    for row in range(16, 85):  # JIS X 0208 rows 16–47: level-1 kanji; 48–84: level 2
        for cell in range(1, 95):
            try:
                weights[bytes([0xA0 + row, 0xA0 + cell]).decode("euc_jp")] = 0.0 if row < 48 else 0.1
            except UnicodeDecodeError:
                pass
    for lead in (*range(0xE3, 0xEA), 0xEF):  # UTF-8 lead bytes of Japanese, then a continuation byte
        for trail in range(0x80, 0xC0):
            try:
                weights[bytes([lead, trail]).decode("cp932")] = 0.5
            except UnicodeDecodeError:
                pass
    return weights


def _weight(ch: str) -> float:
    """How unlikely `ch` is in a Japanese answer (0 … 1); control characters are counted apart."""
    o = ord(ch)
    if o < 0xA0 or o == 0xFFFD:
        return 0.0 if o < 0x7F else 1.0  # ASCII, DEL/C1 controls (see _is_control), U+FFFD
    if 0x4E00 <= o <= 0x9FFF:
        return _kanji_weights().get(ch, 0.25)
    category = unicodedata.category(ch)
    if category in ("Cn", "Co", "Cs"):
        return 1.0
    if o in (0xD7, 0xF7, 0xFEFF) or any(lo <= o <= hi for lo, hi in _NEUTRAL_RANGES):
        return 0.0
    if 0x0370 <= o <= 0x04FF:  # Greek and Cyrillic: in JIS X 0208, so in some answers
        return 0.1
    return 0.25  # accented Latin letters, other scripts, kanji outside the BMP block


def _is_control(o: int) -> bool:
    return (o < 0x20 and o not in (0x09, 0x0A, 0x0D)) or 0x7F <= o < 0xA0


COUNT_IN_ARRAYS = 1_000_000  # characters above which `_char_counts` counts them with NumPy


def _char_counts(text: str, codes=None) -> list[tuple[str, int]]:
    """How often each character occurs in `text`. A long text's characters are counted as an
    array of code points (`bincount`: 0.2 s instead of 1.6 s for 27 million characters, the text of
    300,000 answers; `codes`, `_code_points`, when made already); a short one's with a Counter,
    which spares importing NumPy."""
    if len(text) <= COUNT_IN_ARRAYS:
        return list(collections.Counter(text).items())
    import numpy as np

    counts = np.bincount(_code_points(text) if codes is None else codes)
    present = np.flatnonzero(counts)
    return list(zip(map(chr, present.tolist()), counts[present].tolist()))


def _code_points(text: str):
    """The code points of `text` as a NumPy array (one per character: the text's indices)."""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


_HALF_KANA = re.compile("[\uff61-\uff9f]+")


def _mixed(text: str, rare: list[str], codes=None) -> int:
    """How many times a 半角カナ stands next to one of the `rare` characters: the matches of
    [半角カナ][rare]|[rare][半角カナ] in `text`, looked for only in the windows around the runs of
    半角カナ (each match holds one; the runs' windows that overlap or touch are one window, so the
    matches are those of the whole text). The runs are found in `codes` (`_code_points`) when
    given: 986,513 answers (77 million characters, 3,421 半角カナ) 1.0 s → 0.1 s."""
    r = re.escape("".join(rare))
    pattern = re.compile(f"[\uff61-\uff9f][{r}]|[{r}][\uff61-\uff9f]")
    if codes is None:
        runs = [(m.start(), m.end()) for m in _HALF_KANA.finditer(text)]
    else:
        import numpy as np

        at = np.flatnonzero((codes >= 0xFF61) & (codes <= 0xFF9F))
        breaks = np.flatnonzero(np.diff(at) > 1) + 1
        runs = list(zip(at[np.r_[0, breaks]].tolist(), (at[np.r_[breaks - 1, len(at) - 1]] + 1).tolist())) \
            if len(at) else []
    count = 0
    start = end = 0
    for run_start, run_end in runs:
        low, high = max(run_start - 1, 0), run_end + 1
        if low > end:
            count += len(pattern.findall(text, start, end))
            start = low
        end = high
    return count + len(pattern.findall(text, start, end))


class _Profile:
    """What the characters of a decoded text look like."""

    def __init__(self, text: str):
        codes = _code_points(text) if len(text) > COUNT_IN_ARRAYS else None
        counts = _char_counts(text, codes)
        self.length = len(text)
        self.chars = 0  # non-ASCII characters: what the shares are shares of
        self.controls = 0  # control characters other than tab and line breaks
        self.kana = 0  # 全角 hiragana and katakana
        self.half = 0  # 半角カナ
        rare = []  # level-2 kanji and anything odder, except accented Latin letters
        weighted: dict[float, int] = {}  # characters per weight: the sum below is the same in any order
        for ch, n in counts:
            o = ord(ch)
            if _is_control(o):
                self.controls += n
            if o < 0x80:
                continue
            self.chars += n
            w = _weight(ch)
            weighted[w] = weighted.get(w, 0) + n
            if 0x3041 <= o <= 0x30FF:
                self.kana += n
            elif 0xFF61 <= o <= 0xFF9F:
                self.half += n
            elif w >= 0.1 and o > 0xFF:
                rare.append(ch)
        self.odd = sum(w * n for w, n in sorted(weighted.items()))  # the sum of their weights
        self.latin = len(_LATIN_MOJIBAKE.findall(text)) if any(0xC2 <= ord(c) <= 0xF4 for c, _ in counts) else 0
        self.mixed = _mixed(text, rare, codes) if self.half and rare else 0  # 半角カナ next to a rare character

    def share(self, n: float) -> float:
        return n / self.chars if self.chars else 0.0

    def problem(self) -> str | None:
        """What makes the text garbage (Japanese, for the message), or None."""
        if self.latin >= 3 and self.share(2 * self.latin) >= 0.2:
            return "UTF-8 の文字を Latin-1 として読んで保存した跡（Ã や ã で始まる文字化け）があります"
        if self.mixed >= 3 and self.mixed >= 0.05 * self.half:
            return "半角カナとまれな漢字が入り混じっています（EUC-JP を Shift_JIS として読んだ文字化けの特徴）"
        if self.controls >= _CONTROL_MIN and self.controls >= _CONTROL_SHARE * self.length:
            return f"制御文字が多すぎます（{self.controls / self.length:.0%}）"
        if self.odd >= _ODD_MIN and self.share(self.odd) >= _ODD_SHARE:
            return f"読めない文字・まれな漢字が多すぎます（{self.share(self.odd):.0%}）"
        return None


def _has_letter(text: str) -> bool:
    return any(ord(ch) > 0x7F and unicodedata.category(ch).startswith("L") for ch in text)


def _prefer_euc(cp932: str, euc: str, tie: bool = True) -> bool:
    """When bytes read as both CP932 and EUC-JP: is EUC-JP the likelier reading?

    Real CP932 text that also reads as EUC-JP can only be ASCII and 半角カナ (every 全角 character
    of CP932 has a byte EUC-JP does not allow); EUC-JP read as CP932 becomes 半角カナ and rare kanji
    without a single 全角 kana. EUC-JP wins when its reading has fewer odd characters (see _weight);
    as many, when `tie` and either reading has a letter (半角カナ that reads as EUC-JP without one
    rare kanji or symbol is far less likely than EUC-JP of common kanji); a few more, when it is kana-rich prose (≥ 30 % kana, ≥ 5 kana).
    """
    c, e = _Profile(cp932), _Profile(euc)
    odd_c, odd_e = c.share(c.odd), e.share(e.odd)
    if odd_e < odd_c:
        return True
    if odd_e == odd_c and tie:
        # A tie goes to EUC-JP unless neither reading has a letter (kana, kanji): ｡｡ in CP932 reads
        # as one 全角 space in EUC-JP, and symbols either way are likelier 半角 punctuation.
        return _has_letter(euc) or _has_letter(cp932)
    return e.kana >= 5 and e.share(e.kana) >= 0.3 and odd_e <= odd_c + 0.05


_VALID_UTF8 = "ファイル全体が UTF-8 として正しく読めます"


def _problem(data: bytes, text: str, codec: str, profile: _Profile | None = None) -> str | None:
    """None when `text` is plausible, else what is wrong with it (Japanese, for the message);
    `profile`: the text's `_Profile`, when made already."""
    profile = profile or _Profile(text)
    problem = profile.problem()
    if problem is not None:
        return problem
    # CP932 and EUC-JP text is practically never valid UTF-8 (kana, and most kanji, start with a byte
    # that cannot start a UTF-8 character): a plausible multi-byte UTF-8 reading means UTF-8.
    if codec in ("cp932", "euc-jp") and not data.isascii():
        try:
            utf8 = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        else:
            if _problem(data, utf8, "utf-8") is None:
                return _VALID_UTF8
    # EUC-JP read as CP932 may consist of 半角カナ alone; ask whether EUC-JP reads better.
    if codec == "cp932" and profile.half and profile.share(profile.kana) < 0.05:
        try:
            euc = _decode_with(data, "euc-jp")
        except UnicodeDecodeError:
            return None
        if _prefer_euc(text, euc, tie=False):
            return "半角カナばかりで、全角のかなが一つもありません"
    return None


def _garbled(path: Path, data: bytes, text: str, codec: str, problem: str, forced: bool) -> UserError:
    """The error for an implausible reading: where it starts, and which --encoding reads the file."""
    first = _first_suspicious(text) if problem != _VALID_UTF8 else None
    where = f"{text.count(chr(10), 0, first) + 1} 行目から、" if first is not None else ""
    suspect = _suspect(data, codec)
    head = f"{path.name} を{_named(codec)}として読むと文字化けします。{where}{problem}。"
    if suspect is not None:
        return UserError(head, f"{_named(suspect).lstrip()}で書かれているようです。--encoding {_OPTION[suspect]} を指定してください。")
    hint = "元のシステムや Excel から「CSV UTF-8（コンマ区切り）」で書き出し直してください。"
    if forced:
        hint = "--encoding auto を試すか、" + hint
    return UserError(head, hint)


def _first_suspicious(text: str) -> int | None:
    """Where the garbage starts: the first control, Latin mojibake, odd character or 半角カナ."""
    latin = _LATIN_MOJIBAKE.search(text)
    if latin:
        return latin.start()
    chars = sorted(ch for ch in set(text) if _is_control(ord(ch)) or _weight(ch) >= 0.5)
    if not chars:
        chars = [chr(o) for o in range(0xFF61, 0xFFA0)]
    found = re.search("[" + re.escape("".join(chars)) + "]", text)
    return found.start() if found else None


def _suspect(data: bytes, used: str) -> str | None:
    """The encoding other than `used` that reads `data` as plausible text, if there is one."""
    utf16: str | None = "utf-16"
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        utf16 = _utf16_without_bom(data) or _plausible_utf16(data)
    best: tuple[tuple[float, float], str] | None = None
    for codec in ([utf16] if utf16 else []) + ["utf-8-sig", "cp932", "euc-jp"]:
        if _OPTION[codec] == _OPTION.get(used, used):
            continue
        try:
            text = _decode_with(data, codec)
        except UnicodeDecodeError:
            continue
        if _problem(data, text, codec) is None:
            profile = _Profile(text)
            key = (profile.share(profile.odd), -profile.share(profile.kana))
            if best is None or key < best[0]:
                best = (key, codec)
    return best[1] if best else None


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


ROWS_PER_UPDATE = 20_000  # rows between two updates of a progress bar


def _read_delimited(path: Path, text: str, delimiter: str, progress: Progress | None = None) -> list[list[str]]:
    if "\x00" in text:
        text = text.replace("\x00", "")
    # No cell is longer than the whole text. The csv module's limit on a cell (131,072 characters
    # by default) is process-wide: raise it for this read only when the text could exceed it,
    # and put it back.
    limit = csv.field_size_limit()
    if len(text) > limit:
        csv.field_size_limit(len(text))
    try:
        stream = io.StringIO(text, newline="")
        reader = csv.reader(stream, delimiter=delimiter)
        if progress is None or not progress.enabled:
            return [row for row in reader]
        table: list[list[str]] = []
        with progress.bar("表の読み込み", len(text), "字") as bar:  # by characters: rows differ in length
            while block := list(itertools.islice(reader, ROWS_PER_UPDATE)):
                table += block
                bar.update(stream.tell() - bar.n)
        return table
    except csv.Error as e:
        raise UserError(f"{path.name} を CSV として読めません: {e}", "区切り文字と引用符（\"）の対応を確認してください。") from None
    finally:
        if len(text) > limit:
            csv.field_size_limit(limit)


def open_workbook(path: Path, hint: str = "ファイルが壊れていないか、.xlsx 形式で保存されているか確認してください。"):
    """An .xlsx file opened read-only with cached formula values, or a UserError."""
    import openpyxl  # imported here: only Excel files need it

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a broken file
        raise UserError(f"Excel ファイル {path.name} を開けません（{type(e).__name__}）。", hint) from None


def _read_xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    book = open_workbook(path)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UserError(f"{path.name} にシート「{sheet}」がありません。",
                            f"あるシート: {'、'.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        return [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: 3.0 → "3", None → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SUGGEST_ROWS = 2000  # data rows read to suggest the columns of a table (the first ones)
FREE_TEXT_LENGTH = 8  # characters: the mean length of a free-text column's answers, at least
ATTRIBUTE_VALUES = 20  # distinct values of an attribute column (年代, 性別, 団体種別), at most


_QUESTION_NAME = re.compile(r"設問|質問|問い|question", re.IGNORECASE)


def suggested_columns(header: list[str], rows: list[list[str]]) -> str:
    """When the answers' column is not found: which columns look like free text (long answers
    that differ from row to row), like a respondent's attribute (a few short values that repeat)
    and like an id (a different short value in every row), as the options to pass — a survey
    export names its columns after its questions (問3 不便に感じたこと), never `text`. "" when
    no column looks like free text."""
    sample = rows[:SUGGEST_ROWS]
    free, attrs, ids = [], [], []
    for i, name in enumerate(header):
        if not name:
            continue
        values = [row[i].strip() for row in sample if i < len(row) and row[i].strip()]
        if not values:
            continue
        distinct = len(set(values))
        mean = sum(map(len, values)) / len(values)
        if mean >= FREE_TEXT_LENGTH and distinct >= len(values) / 2:
            free.append(name)
        elif distinct == len(values) == len(sample) and len(sample) > ATTRIBUTE_VALUES:
            ids.append(name)
        elif distinct <= ATTRIBUTE_VALUES and distinct < len(values):
            attrs.append(name)
    if not free:
        return ""

    def quoted(name: str) -> str:
        return f'"{name}"' if any(ch.isspace() for ch in name) else name

    # One free-text column beside a column naming the question: a long table (one answer a row).
    asked = [n for n in attrs if _QUESTION_NAME.search(n)] if len(free) == 1 else []
    options = [f"--text-col {quoted(n)}" for n in free] + [f"--question-col {quoted(n)}" for n in asked[:1]] \
        + [f"--attr-col {quoted(n)}" for n in attrs if n not in asked[:1]]
    if len(ids) == 1:
        options.append(f"--id-col {quoted(ids[0])}")
    kind = "横持ちの表（設問ごとに列）" if len(free) > 1 else "縦持ちの表（1 行に 1 回答）" if asked else "回答の列"
    return f"\n自由記述らしい列から見て、{kind}ならたとえば: {' '.join(options)}"


def to_answers(path: Path, header: list[str], rows: list[list[str]], config: Config,
               header_line: int = 1, progress: Progress | None = None) -> list[Answer]:
    """One Answer per data row and question (wide) or per data row (long).

    Rows are numbered 1, 2, … over all data rows, blank ones included; without an id column the
    number is the id. An entirely blank row is
    - in a wide table without an id column: a respondent who answered nothing, one Answer with
      raw "" per question (set aside later as `empty`);
    - in a table with an id column: an empty line of the export, not a respondent (one who
      answered nothing still has an id), so skipped rather than refused for its missing id;
    - in a long table: skipped, as it has no question to belong to.
    Skipping never renumbers: the ids and line numbers of the other rows stay as in the file.
    """
    columns = {name: i for i, name in enumerate(header) if name}

    def column(name: str, option: str) -> int:
        if name not in columns:
            hint = f"{option} で列名を指定してください。ある列: {'、'.join(n for n in header if n)}"
            if option == "--text-col":
                hint += suggested_columns(header, rows)
            raise UserError(f"列「{name}」が {path.name} にありません。", hint)
        return columns[name]

    text_idx = [(name, column(name, "--text-col")) for name in config.text_cols]
    if config.question_col is not None and len(text_idx) > 1:
        raise UserError("--question-col（縦持ちの表）と複数の --text-col（横持ちの表）は同時に指定できません。")
    question_idx = column(config.question_col, "--question-col") if config.question_col else None
    attr_idx = [(name, column(name, "--attr-col")) for name in config.attr_cols]
    id_idx = columns.get(config.id_col)
    if id_idx is None and config.id_col != "id":
        column(config.id_col, "--id-col")

    # Rows shorter than the header are read as if padded with empty cells.
    width = 1 + max([i for _, i in text_idx + attr_idx] + [j for j in (id_idx, question_idx) if j is not None])
    # Attribute values, question names and answers repeat from row to row: one object for each
    # distinct value (a million rows of a few areas and ages: about 300 MB less; repeated answers
    # such as 特になし, or an export repeated: 380 bytes each).
    same: dict[Any, Any] = {}
    skip_blank = id_idx is not None or question_idx is not None
    # A row whose id (or else question) cell says something is not blank: only the others are
    # joined to be tested (a million rows: 0.7 s).
    probe = id_idx if id_idx is not None else question_idx
    # Each row's attributes as one tuple of its raw cells (`itemgetter`), stripped and paired with
    # their names once per distinct tuple.
    columns_of_attrs = [i for _, i in attr_idx]
    cells: Callable[[list[str]], tuple] = operator.itemgetter(*columns_of_attrs) if len(columns_of_attrs) > 1 \
        else lambda row: tuple([row[i] for i in columns_of_attrs])
    attrs_of: dict[tuple, tuple] = {}
    questions_of: dict[str, str] = {}  # a question cell as read → its name (stripped, one object)
    answers: list[Answer] = []
    # Each (id, question) once: a set whose size tells a repeat (the line of the first is looked up
    # only then), one hash of the pair per answer instead of two.
    seen: set[tuple[str, str]] = set()
    with (progress or Progress(quiet=True)).bar("回答の取り出し", len(rows), "行") as bar:
        for n, row in enumerate(rows, start=1):
            if not n % ROWS_PER_UPDATE:
                bar.update(ROWS_PER_UPDATE)
            if skip_blank and not (probe is not None and probe < len(row) and row[probe].strip()) and _blank(row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            rid = row[id_idx].strip() if id_idx is not None else str(n)
            if not rid:
                raise UserError(f"{path.name} の {header_line + n} 行目に ID（列「{config.id_col}」）がありません。",
                                "すべての行に ID を入れるか、--id-col を外して行番号を ID にしてください。")
            raw_attrs = cells(row)
            attrs = attrs_of.get(raw_attrs)
            if attrs is None:
                attrs = tuple([(name, value.strip()) for (name, _), value in zip(attr_idx, raw_attrs)])
                attrs = attrs_of[raw_attrs] = same.setdefault(attrs, attrs)
            for text_col, i in text_idx:
                question = text_col
                if question_idx is not None:
                    named = questions_of.get(row[question_idx])
                    if named is None:
                        named = row[question_idx].strip()
                        named = questions_of[row[question_idx]] = same.setdefault(named, named)
                    question = named
                    if not question:
                        raise UserError(f"{path.name} の {header_line + n} 行目に設問名（列「{config.question_col}」）がありません。")
                before = len(seen)
                seen.add((rid, question))
                if len(seen) == before:
                    raise _repeated_id(path, rows, n, header_line, rid, question, config, id_idx, question_idx)
                raw = row[i]
                answers.append(Answer(rid, question, n, same.setdefault(raw, raw), attrs))
        bar.update(len(rows) % ROWS_PER_UPDATE)
    return answers


def _repeated_id(path: Path, rows: list[list[str]], n: int, header_line: int, rid: str, question: str, config: Config,
                 id_idx: int | None, question_idx: int | None) -> UserError:
    """The error for the n-th row, whose (id, question) an earlier row had: the earlier row found again."""
    for m, row in enumerate(rows[:n - 1], start=1):
        same_id = (row[id_idx].strip() if id_idx is not None and id_idx < len(row) else str(m)) == rid
        if same_id and (question_idx is None or question_idx < len(row) and row[question_idx].strip() == question):
            first = header_line + m
            break
    else:  # (not reached: the set held the pair)
        first = header_line + n
    return UserError(f"ID「{rid}」が {first} 行目と {header_line + n} 行目に重複しています（設問「{question}」）。",
                     "ID は回答ごとに一意にしてください。")
