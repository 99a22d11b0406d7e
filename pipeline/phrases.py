"""Label candidates: the phrases an answer offers to name its theme, in plain form.

A label names a concern with words the answers use. Each answer offers (`phrases`, once per
distinct text, at preparation, cached with the terms):

- noun phrases: each compound and its head-final parts (路線バス, バス), 名詞の名詞 (交通の便,
  バスの本数) and a noun with its modifier (新しい取り組み, 対等な関係, 相談できる窓口);
- predicate phrases about one of those nouns: noun + particle + predicate with voice, negation
  and wishes kept and tense and politeness dropped (駐車場が狭い ← 駐車場が狭かった, 提案が通らない ←
  提案は通りません, 開館時間を延ばしてほしい, 飲食店がほしい ← 飲食店があるといい), and noun + の +
  verbal noun (窓口の一元化, 会場の確保).

Written variants of one phrase share a key (道がせまい, 道が狭かった → 道が狭い). `pipeline.label`
counts how many of a theme's answers offer each candidate and picks the label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from pipeline.tokenize import STOP_WORDS, Token, is_compound_part, words_only

SEP = "\x1f"  # between the fields of an encoded candidate; never in normalised text
MINOR = "\x1e"  # before its stop-word nouns
MAX_PHRASE = 15  # characters: a longer phrase is no label


class Phrase(NamedTuple):
    """A label candidate. `key` identifies it: written variants of one phrase share it (道がせまい,
    道が狭かった → 道が狭い); `text` is how this answer writes it in plain form; `head` is the key of
    the noun phrase it is about (itself for a noun phrase); `words` are its content words, which
    tell whether it repeats a word of every theme or of another label; `minor` its stop-word nouns
    (協働 in 協働事業), which with `words` tell whether it repeats the question's title."""

    key: str
    text: str
    head: str
    words: tuple[str, ...]
    minor: tuple[str, ...] = ()

    @property
    def predicate(self) -> bool:
        return self.key != self.head

    def encode(self) -> str:
        return SEP.join((self.key, self.text, self.head, *self.words)) + MINOR + SEP.join(self.minor)

    @staticmethod
    def decode(encoded: str) -> Phrase:
        main, _, minor = encoded.partition(MINOR)
        key, text, head, *words = main.split(SEP)
        return Phrase(key, text, head, tuple(words), tuple(minor.split(SEP)) if minor else ())


# は and も mark the same subject as が (予算はない = 予算がない); には is に.
_PARTICLES = {"が": "が", "は": "が", "も": "が", "を": "を", "に": "に"}
_NEGATIONS = frozenset("ない ぬ ず ん".split())
_VOICES = frozenset("れる られる せる させる".split())
_BE = frozenset("ある 有る いる 居る".split())
# Written variants of one word, so that answers that say the same thing offer the same phrase.
_PLAIN = {"無い": "ない", "欲しい": "ほしい", "づらい": "にくい", "ずらい": "にくい", "辛い": "にくい"}
_A_ROW = dict(zip("うくぐすつぬぶむる", "わかがさたなばまら"))
# Verbs that make a compound particle with に and て: について, に関して, に対して, によって, にとって.
_COMPOUND_PARTICLES = frozenset("つく 付く 就く 関する 対する よる 因る 依る 拠る とる 取る あたる 当たる 際する 沿う".split())
# How a predicate after を ends: a verb (u-row kana, ない, たい, ほしい, いる), never a bare state.
_ACTIONS = tuple("うくぐすつぬぶむる") + ("ない", "たい", "ほしい", "いる")


def phrases(tokens: Sequence[Token], stop_words: frozenset[str] = STOP_WORDS,
            skip: Sequence[tuple[int, int, str]] = ()) -> tuple[str, ...]:
    """The label candidates of an answer (encoded `Phrase`s, each once, in text order):

    - noun phrases: each compound and its head-final parts (路線バス, バス), 名詞の名詞 (交通の便,
      バスの本数) and a noun with its modifier (新しい取り組み, 対等な関係, 相談できる窓口);
    - predicate phrases about one of those nouns, in plain form: noun + particle + predicate
      (駐車場が狭い ← 駐車場が狭かった, 予算がない, 提案が通らない ← 提案は通りません, 開館時間を延ばしてほしい,
      案内がわかりにくい ← わかりづらい, 飲食店がほしい ← 飲食店があるといい) and noun + の + a verbal noun
      (窓口の一元化, 会場の確保).

    は and も are read as が. Tokens inside `skip` (masked personal information) take no part."""
    if skip:
        tokens = [t for t in tokens if not any(s < t.end and t.start < e for s, e, _ in skip)]
    tokens = words_only(tokens)
    out: dict[str, None] = {}

    def emit(key: str, text: str, head: str, words: list[str]) -> None:
        # (Phrase(key, text, head, content, minor).encode(), without making the Phrase)
        if len(text) > MAX_PHRASE:
            return
        content = [x for x in words if x not in stop_words]
        if content:
            minor = [x for x in words if x in stop_words]
            out.setdefault(SEP.join((key, text, head, *dict.fromkeys(content))) + MINOR + SEP.join(dict.fromkeys(minor)))

    n = len(tokens)
    ends = _chunk_ends(tokens)
    i = 0
    while i < n:
        j = ends[i]
        if j == i:
            i += 1
            continue
        nps = _noun_phrases(tokens, i, j, stop_words, ends)
        for text, words in nps:
            emit(text, text, text, words)
        # Noun + の + verbal noun: 窓口の一元化, 会場の確保 — a predicate about the first noun.
        if j + 1 < n and tokens[j].surface == "の" and tokens[j].pos1 == "助詞":
            k = ends[j + 1]
            if k > j + 1 and tokens[k - 1].pos3 == "サ変可能" and (k == n or tokens[k].pos1 != "助詞" or tokens[k].surface != "の"):
                verbal = "".join(t.surface for t in tokens[j + 1:k])
                if verbal not in stop_words:
                    for text, words in _variants(tokens, i, j, stop_words):
                        said = f"{text}の{verbal}"
                        emit(said, said, text, words + _nouns(tokens[j + 1:k]))
        # The particle may be left out before an adjective: お蕎麦美味しかった, トイレ綺麗.
        bare = j < n and tokens[j - 1].pos3 != "形状詞可能" and (  # (親切丁寧 lists two qualities)
            tokens[j].pos1 == "形容詞" and tokens[j].pos2 != "非自立可能" or tokens[j].pos1 == "形状詞" and tokens[j].pos2 != "助動詞語幹")
        if bare or j < n and tokens[j].pos1 == "助詞" and tokens[j].surface in _PARTICLES:
            particle = "が" if bare else _PARTICLES[tokens[j].surface]
            q = j if bare else j + 1
            if particle == "に" and j - i == 1 and tokens[i].pos3 == "形状詞可能":
                q = n  # 親切に, 丁寧に: an adverb, not a place
            if particle == "に" and q < n and tokens[q].surface == "は":
                q += 1
            if particle == "に" and q < n and tokens[q].base in _COMPOUND_PARTICLES and tokens[q].cform.startswith("連用形"):
                q = n  # について, に関して, にとって: one particle, no predicate
            while q < n and q - j <= 3 and tokens[q].pos1 == "副詞":  # 駐車場がちょっと狭い
                q += 1
            found = _predicate(tokens, q, stop_words, _as_written, ends) if q < n else None
            if found is not None and particle == "を" and not found[0].endswith(_ACTIONS):
                found = None  # 営業時間を長い: を takes an action, not a state
            canonical = _predicate(tokens, q, stop_words, _as_lemma, ends) if found is not None else None
            if found is not None and canonical is not None:
                (pred, _, wish), (pred_key, word, _) = found, canonical
                link = "が" if wish else particle
                if link == "が" and tokens[j].surface in ("は", "も") and pred.endswith(("てほしい", "でほしい")):
                    link = "は"  # 書類は簡単にしてほしい: the topic may be the object (not 書類が…)
                for text, words in nps:
                    emit(text + link + pred_key, text + link + pred, text, words + ([word] if word else []))
        i = j
    return tuple(out)


def _chunk_ends(tokens: Sequence[Token]) -> list[int]:
    """For each token i, the end of the compound noun that starts there (i itself when none
    does); one more entry, n, for the end. A compound goes on while its tokens are compound parts
    (`is_compound_part`): `stop[i]` is the first token from i that cannot go on one."""
    n = len(tokens)
    stop = list(range(n + 1))
    ends = list(range(n + 1))
    for k in range(n - 1, -1, -1):
        t = tokens[k]
        if not is_compound_part(t, True):
            continue
        stop[k] = stop[k + 1]
        # Where a compound starts: a compound part that joins at the start too (not a suffix),
        # but a prefix only before a noun (お + 店)…
        if t.pos1 != "接尾辞" and not (t.pos1 == "接頭辞" and not (k + 1 < n and tokens[k + 1].pos1 == "名詞")):
            ends[k] = stop[k + 1]
    for i in range(n - 1):
        t, nxt = tokens[i], tokens[i + 1]
        # …or an adjectival noun made a noun: 簡素化, 必要性.
        if t.pos1 == "形状詞" and nxt.pos1 == "接尾辞" and nxt.pos2 == "名詞的":
            ends[i] = stop[i + 1]
    return ends


def _nouns(chunk: Sequence[Token]) -> list[str]:
    """The nouns of a compound (stop words too: `emit` tells them apart)."""
    return [t.surface for t in chunk if t.pos1 in ("名詞", "形状詞") and t.pos2 != "数詞"]


def _variants(tokens: Sequence[Token], i: int, j: int, stop_words: frozenset[str]) -> list[tuple[str, list[str]]]:
    """The compound tokens[i:j] and its head-final parts, which name what it is a kind of
    (路線バス → バス, 提出書類 → 書類, 人手不足 → 不足): (text, content words) each."""
    out = []
    for s in range(i, j):
        part = tokens[s:j]
        if part[0].pos1 == "接尾辞" or part[0].pos1 == "接頭辞" and len(part) == 1:
            continue
        text = "".join(t.surface for t in part)
        if s > i and (len(text) < 2 or _katakana(tokens[s - 1].surface[-1]) and _katakana(text[0])):
            continue  # 県 of 福井県: too vague alone; クリーム of ソフトクリーム: inside one loanword
        words = _nouns(part)
        lone = len(part) == 1 and part[0].pos3 in ("副詞可能", "助数詞可能")  # まま, 以前; 回, ページ
        if text not in stop_words and any(x not in stop_words for x in words) and not lone \
                and not (len(text) == 1 and not "\u4e00" <= text <= "\u9fff"):
            out.append((text, words))
    return out


def _katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _noun_phrases(tokens: Sequence[Token], i: int, j: int, stop_words: frozenset[str],
                  ends: Sequence[int]) -> list[tuple[str, list[str]]]:
    """The noun phrases that end with the compound tokens[i:j]: its variants, and each with the
    modifier before it — a noun and の (バスの本数), an adjective (新しい取り組み), an adjectival noun
    and な (対等な関係) or a verb (遊べる場所, 相談できる窓口)."""
    own = _variants(tokens, i, j, stop_words)
    if not own:
        return []
    out = list(own)
    whole = own[0] if own[0][0] == "".join(t.surface for t in tokens[i:j]) else None
    if whole is None:
        return out
    text, words = whole
    before = tokens[i - 1] if i > 0 else None
    if before is not None and before.surface == "の" and before.pos1 == "助詞" and i >= 2 and tokens[j - 1].pos3 != "サ変可能":
        # (noun + の + a verbal noun, 窓口の一元化, is a predicate phrase: see `phrases`)
        start = i - 1
        while start > 0 and is_compound_part(tokens[start - 1], True) and tokens[start].pos1 != "接頭辞":
            start -= 1
        while start < i - 1 and ends[start] != i - 1:  # a suffix cannot start a noun
            start += 1
        if start < i - 1:
            for mod, mod_words in _variants(tokens, start, i - 1, stop_words):
                out.append((f"{mod}の{text}", mod_words + words))
    elif before is not None and before.pos1 == "形容詞" and before.pos2 != "非自立可能" and before.cform.startswith("連体形") \
            and before.base not in stop_words:
        out.append((before.surface + text, [before.base] + words))
    elif before is not None and before.pos1 == "助動詞" and before.surface == "な" and i >= 2 \
            and tokens[i - 2].pos1 == "形状詞" and tokens[i - 2].base not in stop_words:
        out.append((tokens[i - 2].surface + "な" + text, [tokens[i - 2].base] + words))
    elif before is not None and before.pos1 == "動詞" and before.cform.startswith("連体形"):
        if before.lemma == "出来る" and i >= 2 and tokens[i - 2].pos3 == "サ変可能" and tokens[i - 2].pos1 == "名詞":
            out.append((tokens[i - 2].surface + before.surface + text, [tokens[i - 2].surface] + words))
        elif before.pos2 != "非自立可能" and before.base not in stop_words:
            out.append((before.surface + text, [before.base] + words))
    return out


def _predicate(tokens: Sequence[Token], q: int, stop_words: frozenset[str],
               spell: Callable[[Token, str], str], ends: Sequence[int]) -> tuple[str, str, bool] | None:
    """The predicate that starts at token q in plain form, written by `spell`; its content word
    ("" for a function-like one such as ない or ほしい); and whether it is a wish said as a
    condition (あればいい, あると助かる: read as ほしい). None when there is none."""
    n = len(tokens)
    t = tokens[q]
    after = tokens[q + 1] if q + 1 < n else None
    base = _PLAIN.get(t.base, t.base)
    function_like = base in stop_words or t.lemma in stop_words or _as_lemma(t, base) in stop_words
    word = "" if function_like or t.lemma in ("無い", "欲しい") else spell(t, base)
    e = ends[q]
    if e > q and tokens[e - 1].pos3 == "サ変可能" and e < n and tokens[e].pos1 == "動詞" \
            and tokens[e].lemma in ("為る", "出来る"):  # 確保してほしい, 簡素化してほしい, 確保できない
        verbal = "".join(x.surface for x in tokens[q:e])
        chain = _verb_chain(tokens, e, spell, prefix=verbal)
        head = ([x for x in _nouns(tokens[q:e]) if x not in stop_words] or [""])[-1]
        return (chain, head, False) if chain else None
    makes = after is not None and after.pos1 == "動詞" and after.lemma == "為る"
    if t.pos1 == "形容詞" and t.cform.startswith("連用形") and makes:  # 長くしてほしい
        chain = _verb_chain(tokens, q + 1, spell, prefix=spell(t, t.surface))
        return (chain, word, False) if chain else None
    if t.pos1 in ("形状詞", "名詞") and after is not None and after.surface == "に" and q + 2 < n \
            and tokens[q + 2].pos1 == "動詞" and tokens[q + 2].lemma == "為る" \
            and (t.pos1 == "形状詞" or t.pos3 == "形状詞可能"):  # 簡単にしてほしい
        chain = _verb_chain(tokens, q + 2, spell, prefix=spell(t, t.base) + "に")
        return (chain, word, False) if chain else None
    if t.pos1 in ("形容詞", "形状詞", "名詞") and t.lemma not in ("無い", "欲しい") and _conditional(tokens, q):
        # 安ければ, 長いと嬉しい, 静かだといい: a wish said as a condition.
        return spell(t, base) + ("とよい" if t.pos1 == "形容詞" else "だとよい"), word, False
    if t.pos1 == "形容詞":
        if after is not None and after.base in ("ない", "無い") and t.cform.startswith("連用形") and t.lemma != "無い":
            return spell(t, base)[:-1] + "くない", word, False  # 良くない, 広くない
        return (base if t.lemma in ("無い", "欲しい") else spell(t, base)), word, False
    if t.pos1 == "形状詞" and t.pos2 != "助動詞語幹" or t.pos1 == "名詞" and t.pos3 == "形状詞可能":
        if after is None or after.pos1 in ("助動詞", "補助記号", "終助詞") or after.pos2 in ("接続助詞", "終助詞"):
            if after is not None and after.surface in ("じゃ", "では", "で") and q + 2 < n and tokens[q + 2].base in ("ない", "無い"):
                return spell(t, t.base) + "でない", word, False
            return spell(t, t.base), word, False
        return None
    if t.pos1 != "動詞":
        return None
    if t.base in _BE or t.lemma in ("有る", "居る"):
        # あれば・あると・あったら (いい, 助かる): a wish; ありません, いない: the lack of it.
        if t.cform.startswith("仮定形") or _wish_after(tokens, q + 1):
            return "ほしい", "", True
        chain = _verb_chain(tokens, q, spell)
        if chain and chain.endswith("ない"):
            return ("ない" if t.lemma == "有る" else chain), "", False
        return None
    chain = _verb_chain(tokens, q, spell)
    if not chain:
        return None
    # A function-like verb makes a predicate only with what follows: わかりにくい, 必要を感じない.
    said = chain.endswith(("ない", "にくい", "やすい")) and not t.pos2 == "非自立可能"
    if (function_like or t.pos2 == "非自立可能") and t.lemma != "出来る" and not said:
        return None
    # (Its word is kept even when function-like: 感じる in a label repeats a title 「不便に感じたこと」.)
    return chain, "" if t.lemma == "出来る" else spell(t, t.base), False


def _conditional(tokens: Sequence[Token], q: int) -> bool:
    """Is the adjective (or adjectival noun with だ) at q said as a condition: 安ければ, 長いと,
    安かったら, 静かだと?"""
    n = len(tokens)
    t = tokens[q]
    k = q + 1
    if t.pos1 != "形容詞":
        if not (k < n and tokens[k].pos1 == "助動詞" and tokens[k].base == "だ"):
            return False
        if tokens[k].cform.startswith("仮定形"):  # 静かなら(ば)
            return True
        k += 1
    elif t.cform.startswith("仮定形"):  # 安けれ + ば
        return True
    return _wish_after(tokens, k)


# What follows a condition that makes it a wish: 〜といい, 〜と嬉しい, 〜と助かる, 〜とありがたい.
_WISHES = frozenset("いい よい 良い 嬉しい うれしい 助かる ありがたい 有難い 有り難い 便利".split())


def _wish_after(tokens: Sequence[Token], k: int) -> bool:
    """Does a condition start at token k that makes a wish: ば or たら (安ければ, あったら), or と
    followed by いい, 嬉しい, 助かる and the like (あるといい; not 狭いと困る)?"""
    n = len(tokens)
    nxt = tokens[k] if k < n else None
    if nxt is None:
        return False
    if nxt.base == "た" and nxt.cform.startswith("仮定形") or nxt.surface == "ば" and nxt.pos2 == "接続助詞":
        return True
    # (MeCab reads あるといい as と + 言い: the written いい counts.)
    return nxt.surface == "と" and k + 1 < n and (tokens[k + 1].base in _WISHES or tokens[k + 1].surface in _WISHES)


def _verb_chain(tokens: Sequence[Token], q: int, spell: Callable[[Token, str], str], prefix: str = "") -> str | None:
    """The verb at token q with what follows it, in plain form: voice kept (断られる), negation
    kept (通らない ← 通りません), wishes kept (食べたい, 増やしてほしい), excess kept (効きすぎる: 効く
    says the opposite; an adjective's 高すぎる stays 高い), tense and politeness dropped (増えた → 増える)."""
    n = len(tokens)
    pieces = [tokens[q]]
    k = q + 1
    while k < n and tokens[k].pos1 == "助動詞" and tokens[k].base in _VOICES:
        pieces.append(tokens[k])
        k += 1
    polite = k < n and tokens[k].pos1 == "助動詞" and tokens[k].base == "ます"
    if polite:
        k += 1
    nxt = tokens[k] if k < n else None
    stem = prefix + "".join(spell(p, p.surface) for p in pieces[:-1])
    last = pieces[-1]
    written = spell(last, last.surface)
    if nxt is not None and nxt.pos1 == "助動詞" and nxt.base in _NEGATIONS:
        if polite:
            form = _irrealis(last)
            return None if form is None else stem + spell(last, form) + "ない"
        return stem + written + "ない"
    if polite:
        return stem + spell(last, last.base)
    if nxt is not None and nxt.pos1 == "助動詞" and nxt.base == "たい":
        return stem + written + "たい"
    if nxt is not None and nxt.pos1 == "動詞" and nxt.lemma == "過ぎる":  # 効きすぎる: not 効く, its opposite
        return stem + written + "すぎる"
    if nxt is not None and nxt.pos1 == "接尾辞" and nxt.pos2 == "形容詞的":  # わかりにくい, 使いやすい
        return stem + written + _PLAIN.get(nxt.base, nxt.base)
    if nxt is not None and nxt.surface in ("て", "で") and nxt.pos1 == "助詞" and k + 1 < n:
        aux = tokens[k + 1]
        if aux.base in ("ほしい", "欲しい") or aux.base in ("もらう", "貰う", "いただく", "頂く") and k + 2 < n \
                and tokens[k + 2].base == "たい" or aux.base in ("くださる", "下さる") and aux.cform.startswith("命令形"):
            return stem + written + nxt.surface + "ほしい"
        if aux.base in ("いる", "居る"):  # 閉まっている, 混雑している (いない: 来ていない)
            tail = tokens[k + 2] if k + 2 < n else None
            neg = tail is not None and tail.pos1 == "助動詞" and tail.base in _NEGATIONS
            return stem + written + nxt.surface + ("いない" if neg else "いる")
    return stem + spell(last, last.base)


def _as_written(tok: Token, form: str) -> str:
    return form


def _as_lemma(tok: Token, form: str) -> str:
    """`form` (the token's surface or base) spelled as its lemma is (わかり → 分かり, せまい → 狭い),
    so that answers that write a word differently offer the same candidate."""
    if tok.pos1 not in ("動詞", "形容詞", "形状詞") or not tok.lemma or tok.lemma == tok.base:
        return form
    n = 0
    while n < min(len(tok.base), len(tok.lemma)) and tok.base[-1 - n] == tok.lemma[-1 - n]:
        n += 1
    stem, lemma_stem = tok.base[:len(tok.base) - n], tok.lemma[:len(tok.lemma) - n]
    # Only a stem written in kana is respelled: the lemma of 使える is 使う, of 見れる 見る.
    kana = all("\u3041" <= ch <= "\u30ff" for ch in stem)
    return lemma_stem + form[len(stem):] if n and stem and kana and form.startswith(stem) else form


def _irrealis(tok: Token) -> str | None:
    """The form before ない of a verb or voice auxiliary written in its polite form (通り → 通ら)."""
    base = tok.base
    if tok.ctype.startswith("五段") and base and base[-1] in _A_ROW:
        return base[:-1] + _A_ROW[base[-1]]
    if tok.ctype.startswith(("上一段", "下一段", "助動詞-レル", "助動詞-セル")) and len(base) > 1:
        return base[:-1]
    if tok.ctype.startswith("サ行変格"):
        return base[:-2] + "し"
    return None
