"""Answers that say nothing on the question: set aside with a reason, never dropped.

`reason(norm)` gives "" for a real answer, "empty" for a blank or symbols-only cell and
"non_answer" for 特になし, 無回答, 同上, 上記のとおり, わからない and their variants, alone or with a
closing formula (特になし。以上です). Only a whole answer is matched: 「特にないが、強いて言えば
会場の確保」 is a real answer. Answers that say there is nothing to report in the question's own
terms (特に不便はなかった, 現状で満足) are `no_issue`, decided per question (pipeline.noissue).
"""

from __future__ import annotations

import re
import unicodedata

_PREFIX = (r"(?:現時点で|現時点では|現在|現在は|現在のところ|現状|現状では|今のところ|今のところは|いまのところ|今の所|"
           r"今の所は|今の時点で|今の時点では|今は|"
           r"今回は|いまは|当面は|当会では|うちは|私は|)")
_ADVERB = r"(?:特に|とくに|特には|とくには|特段|特別|別に|まったく|全く|とりわけ|これといって|これと言って|)"
_NOTHING = (
    r"(?:なし|無し|ナシ|ない|無い|ないです|無いです|ありません|有りません|ございません|ありませんでした|有りませんでした|"
    r"ございませんでした|ないと思います|無いと思います|ないと思う|なかった|無かった|なかったです|無かったです|ないかな|"
    r"思いつかない|思いつきません|思い当たらない|思い当たりません|思い浮かばない|思い浮かびません|浮かばない|浮かびません|"
    r"ないですね|なしです|無しです|ありませんね|おりません|ないよ|ありませんよ|なしかな)"
)
# A closing particle or a slip of one kana after a non-answer: 特にないよ, 特になしてす (です).
_SLIP = r"(?:[てで][すず](?:ね|よ)?|っす|す|よ|ね|わ|さ|な|)"
# Pointing at another answer instead of answering: 同上, 上記のとおり, 先に書いた通り, 満足度の理由と同じ.
_WHERE = (r"(?:上|上記|上記の|前記|前述|上述|先|先程|先ほど|さきほど|前|前問|前の設問|前の質問|前の回答|先の回答|"
          r"満足度の理由|満足度理由|満足度|満足の理由|先に書いた|先に記入した|上に書いた|上で書いた|前に書いた|"
          r"先に述べた|上に記入した|上記に記入した|上記記入|(?:一つ|1つ|ひとつ|二つ|2つ|ふたつ|この)前の(?:質問|設問|回答|答え|欄|項目)|"
          r"前の答え)")
# What may follow a pointer when the answer says nothing else: 上記に記載しました, 上記ご参照下さい, 一つ前の
# 質問で答えた通りです, 上記早急に検討下さい (the request is the one written above). Function words and
# verbs of writing, referring or asking only: a content word (上記の駐車場) ends the match.
_POINTER_TAIL = (r"(?:の|に|と|で|を|は|も|にて|欄|記載|記入|記した|記しました|書いた|書きました|書かせていただきました|"
                 r"書かせて頂きました|書いています|回答|解答|答え|答えた|答えました|述べた|述べました|参照|ご参照|同じく|同じ|"
                 r"おなじ|同様|同等|いっしょ|一緒|重複|重なり|重なる|重なります|かさなり|かさなる|かさなります|被る|"
                 r"被ります|かぶる|通り|とおり|どおり|理由|内容|コメント|意見|こと|事|件|点|省略|検討|ご検討|改善|"
                 r"対応|ご対応|早急に|至急|ぜひ|是非|よろしく|お願い|致します|いたします|します|しました|した|して|"
                 r"です|でした|ます|ました|ください|下さい|ため|から|なので|ので|済み|済|させていただきました|"
                 r"させて頂きました)")
_SAME = (r"(?:と同じ|に同じ|とおなじ|におなじ|と同様|同様|のとおり|の通り|とおり|通り|どおり|参照|に記載|に記載済み|"
         r"に記入|に記入済み|に書いた|に書いたとおり|に書いた通り|で書いた|で記入|で述べた|と同じ回答|と同じ内容|内容と同じ|"
         r"記載|記入|記載済み|記入済み|記入しました|記載しました|の点|の理由|理由)")
_PATTERNS = [
    rf"{_PREFIX}{_ADVERB}(?:意見|回答|コメント|記入|記載|こと|事|ことは|事は|意見は)?{_NOTHING}{_SLIP}",
    r"(?:無回答|未回答|未記入|回答なし|記入なし|該当なし|該当無し|該当しない|該当しません|該当事項なし|特記事項なし|特記なし)",
    r"(?:同上|上記|上記に同じ|上記と同じ|上記同様|上記のとおり|上記の通り|前に同じ|前問と同じ|前述のとおり|前述の通り|同じ|以下同文|同様)(?:です)?",
    rf"{_WHERE}{_SAME}(?:です|でした|になります|となります|に同じ|と同じです|)",
    rf"{_WHERE}{_POINTER_TAIL}+",
    # 施設と同じ内容 / 交通手段のところのコメントに記載: the answer is given under another question.
    r"[^、。]{1,12}?(?:と同じ|に同じ|とおなじ)(?:内容|回答|意見|理由|)(?:です|でした|)",
    r"[^、。]{1,16}?(?:のところ|の欄|の項目|の設問|の質問)(?:の(?:コメント|回答|欄))?(?:に|で)"
    r"(?:記載|記入|書いた|書きました|回答|述べた)(?:しました|済み|済|した|)(?:とおり|通り|です|)",
    r"(?:よく|特に|まだ|)(?:わからない|分からない|判らない|わかりません|分かりません|解らない|不明)(?:です)?",
    r"(?:none|nothing|no|na|n/a|nil|non|nai)",
    r"(?:特に|とくに)(?:何も|なにも|なんにも)(?:です|)",  # the sentence left unfinished: 特に何も
    # Denying the premise of a question about experience: まだ協働したことがない.
    r"(?:まだ|これまで|今まで|いままで|)[^、。]{0,12}(?:したことが|した事が|したことは|した経験が|経験が|経験は)"
    r"(?:ない|無い|ないです|ありません|なし|無し|ないので|ないのでわからない|ないのでわかりません)",
]
_NON_ANSWER = re.compile("^(?:" + "|".join(_PATTERNS) + ")$")
# Formulas that close an answer and add nothing to it.
CLOSING = re.compile(r"^(?:以上(?:です|になります|となります|)|"
                     r"(?:今後とも|今後も|これからも|引き続き|ひきつづき|)(?:どうぞ|)(?:よろしく|宜しく|)"
                     r"お願い(?:します|いたします|致します|申し上げます)|お疲れ様(?:です|でした)|"
                     r"(?:今後とも|今後も|これからも|引き続き|ひきつづき)(?:どうぞ|)(?:よろしく|宜しく)(?:です|ね|)(?:ー|)+)$")
# Sentence ends, commas, list marks, line breaks and the wave dash (〜, which `normalize` writes ～); and
# contrastive conjunctions, which start a
# new clause: 「特にないが駐車場は狭い」 is 特にない + 駐車場は狭い.
_SPLIT = re.compile(
    r"[。．.!！?？\n、,，・･/／;；:：()（）「」『』【】\[\]〜～~…→⇒　 ]+"
    r"|(?:(?<=です)|(?<=でした)|(?<=ました)|(?<=ません)|(?<=った)|(?<=ない)|(?<=だ)|(?<=る))が"
    r"|けれども|けれど|けど|ものの|のに|しかし|ただし"
)


class _Dropped(dict):
    """str.translate table that deletes punctuation, symbols, spaces and control characters:
    each character's Unicode category is looked up once (the table holds at most the characters
    seen, a few thousand), which makes `core` several times faster than a per-character test on
    the 90,000 answers of a large export."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code))[0] in "PSZC" else code
        self[code] = kept
        return kept


_DROPPED = _Dropped()


def core(text: str) -> str:
    """The text without punctuation, symbols and spaces, lower-cased (ASCII)."""
    return text.translate(_DROPPED).lower()


_core = core


def pieces(norm: str) -> list[str]:
    """The clauses of an answer as written (see _SPLIT), blanks left out."""
    return [p for p in _SPLIT.split(norm) if p and core(p)]


_CONCESSIVE = frozenset("が けど けれど けれども ものの".split())


def concessive(norm: str) -> list[bool]:
    """For each clause of `pieces(norm)`, whether a concessive conjunction follows it (…ですが,
    …けど, …ものの): what it says is conceded to the next clause."""
    out: list[bool] = []
    start = 0
    for m in _SPLIT.finditer(norm):
        piece = norm[start:m.start()]
        if piece and core(piece):
            out.append(m.group(0) in _CONCESSIVE)
        start = m.end()
    if norm[start:] and core(norm[start:]):
        out.append(False)
    return out


def is_non_answer(clause_core: str) -> bool:
    """Whether a clause (as `core` gives it) is a non-answer: 特になし, 同上, わからない…"""
    return bool(_NON_ANSWER.match(clause_core))


LONGEST = 60  # characters; every non-answer pattern is shorter


def reason(norm: str, extra: frozenset[str] = frozenset()) -> str:
    """Why an answer (NFKC-normalised) is set aside: "", "empty" or "non_answer"."""
    if len(norm) > LONGEST and not extra:
        return "" if any(ch.isalnum() and ch not in "ーｰ" for ch in norm) else "empty"
    whole = core(norm).strip("ーｰ～")
    if not whole:
        return "empty"
    if _NON_ANSWER.match(whole) or whole in extra:
        return "non_answer"
    # 特になし。以上です / なし、なし: every clause a non-answer or a closing formula.
    parts = [core(p).strip("ーｰ～") for p in pieces(norm)]
    parts = [p for p in parts if p]
    if len(parts) > 1 and all(is_non_answer(p) or p in extra or CLOSING.match(p) for p in parts) \
            and not all(CLOSING.match(p) for p in parts):
        return "non_answer"
    return ""


def extra_set(words: tuple[str, ...]) -> frozenset[str]:
    """User-configured non-answers, in the same form `reason` compares."""
    from pipeline.normalize import normalize

    return frozenset(core(normalize(w)) for w in words)
