"""Answers that say nothing on the question: set aside with a reason, never dropped.

`reason(norm)` gives "" for a real answer, "empty" for a blank or symbols-only cell and
"non_answer" for 特になし, 無回答, 同上, わからない and their variants, and for answers that
only deny the premise of a question asking for problems (問題なし, 不便はなかった).
Only a whole answer is matched: 「特にないが、強いて言えば会場の確保」 is a real answer.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIX = (r"(?:現時点で|現時点では|現在|現在は|現在のところ|現状|現状では|今のところ|今のところは|いまのところ|今は|"
           r"今回は|いまは|当面は|当会では|うちは|私は|)")
_ADVERB = r"(?:特に|とくに|特段|特別|別に|まったく|全く|とりわけ|)"
_NOTHING = (
    r"(?:なし|無し|ナシ|ない|無い|ないです|無いです|ありません|ございません|ありませんでした|"
    r"ないと思います|無いと思います|ないと思う|なかった|無かった|ないかな|思いつかない|思いつきません|"
    r"思い当たらない|思い当たりません|思い浮かばない|思い浮かびません|ないですね|なしです|無しです)"
)
_PATTERNS = [
    rf"{_PREFIX}{_ADVERB}(?:意見|要望|回答|コメント|記入|記載|こと|事|ことは|事は|意見は|要望は)?{_NOTHING}",
    r"(?:無回答|未回答|未記入|回答なし|記入なし|該当なし|該当無し|該当しない|該当しません|該当事項なし|特記事項なし|特記なし)",
    r"(?:同上|上記|上記に同じ|上記と同じ|上記同様|上記のとおり|上記の通り|前に同じ|前問と同じ|前述のとおり|前述の通り|同じ|以下同文|同様)(?:です)?",
    r"(?:よく|特に|まだ|)(?:わからない|分からない|判らない|わかりません|分かりません|解らない|不明)(?:です)?",
    r"(?:none|nothing|no|na|n/a|nil|non)",
    # Denying the premise of a question that asks for problems or complaints.
    rf"{_ADVERB}(?:問題|不便|不満|困ったこと|課題|支障|苦情)(?:は|も|点は|なところは|)"
    r"(?:なし|無し|ない|無い|ないです|無いです|ありません|なかった|無かった|ありませんでした|感じない|感じません|感じなかった)",
    r"(?:大変|とても|十分|)(?:満足|大満足)(?:しています|している|してます|です|しました|)",
    # Denying the premise of a question about experience: まだ協働したことがない.
    r"(?:まだ|これまで|今まで|いままで|)[^、。]{0,12}(?:したことが|した事が|したことは|した経験が|経験が|経験は)"
    r"(?:ない|無い|ないです|ありません|なし|無し|ないので|ないのでわからない|ないのでわかりません)",
]
_NON_ANSWER = re.compile("^(?:" + "|".join(_PATTERNS) + ")$")


def _core(norm: str) -> str:
    """The answer without punctuation, symbols and spaces, lower-cased (ASCII)."""
    return "".join(ch for ch in norm if unicodedata.category(ch)[0] not in "PSZC").lower()


LONGEST = 60  # characters; every non-answer pattern is shorter


def reason(norm: str, extra: frozenset[str] = frozenset()) -> str:
    """Why an answer (NFKC-normalised) is set aside: "", "empty" or "non_answer"."""
    if len(norm) > LONGEST and not extra:
        return "" if any(ch.isalnum() and ch not in "ーｰ" for ch in norm) else "empty"
    core = _core(norm).strip("ーｰ～")
    if not core:
        return "empty"
    if _NON_ANSWER.match(core) or core in extra:
        return "non_answer"
    return ""


def extra_set(words: tuple[str, ...]) -> frozenset[str]:
    """User-configured non-answers, in the same form `reason` compares."""
    from pipeline.normalize import normalize

    return frozenset(_core(normalize(w)) for w in words)
