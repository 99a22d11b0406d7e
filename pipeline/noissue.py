"""Answers with nothing to report in the question's own terms (`no_issue`), and how a question
is framed.

A question that asks for problems or requests gets answers that only say there is none —
特に不便はなかった, 問題なく利用できました, 現状で満足, 自家用車なので特に不便はありません — and
answers that only praise or thank (とても良い所です, 最高の夏休みとなりました！). Municipal reports
count them apart (「特に不便はなかった 212 件」) instead of letting them form a theme. A question
that asks what went well is the opposite case: praise is its content.

`kind(norm)` reads one whole answer and says "nothing" (it only says there is nothing to
report), "praise" (it only praises or thanks) or "" (anything else). It works clause by clause:
the answer is cut at sentence ends, commas and contrastive conjunctions (が、 けど ものの しかし;
nonanswer.pieces), and every clause must be a non-answer (特になし), a nothing-to-report
statement, a praise clause or a closing formula (以上です). One clause of anything else keeps
the whole answer: 「特にないが、駐車場は狭い」 stays.

Precision comes first: an answer wrongly set aside hides a real concern from the report, a missed
one only stays among the themes. So a praise clause must end in a positive predicate (良かった,
最高です, 美味しい, 楽しめました, また来たい, ありがとうございました) — a bare noun phrase (美味しい
料理, きれいなトイレ, お土産の充実) is what the answers to a requests question look like, not
praise — and hold no problem or request marker (少ない, 狭い, 高い, ない, ほしい, ください, たら/
れば/と良い wishes, もっと, もう少し, 残念, a question). The markers are looked for after removing
the fixed phrases where they belong to praise (申し分ない, 問題なく, また来たい, ありがたい).
Besides adjectives, a clause praises when it states a good present state or an experience the
visit gave: a quality the place has (活気がある, 見応えのある展示でした, 自然豊かである, 駐車場が近い),
plenty of choice (お土産の種類が多い — 多い only after a word for choice: 人が多い, 階段が多い are
problems), a state kept up (サービスが行き届いている, 整備されていて), what the visitor could do (…
ことができた, 味わえた, リフレッシュできた, ゆっくりできる), a praised manner of what was done (綺麗に陳列さ
れていました, 丁寧に説明してくれました), 飽きない, 頑張っている, a wish to come back (また来たくなる,
機会があればまた来たい) or to have again what the visit gave (また食べたい, もう一度味わいたい — but
次はカニが食べたい, ぜひ蟹を食べたい and また地元の料理も食べたい name what the answer would like), a
wish to recommend the place (みんなに勧めたい, 県外の友人に紹介したい), a quality word after an
intensifier (十分魅力的, とても綺麗; a bare 魅力的 or 綺麗なトイレ may be what is asked for), ease of use
before a noun (使いやすい施設だと思います), a manner of ongoing use (いつも気持ちよく利用しています) and
thanks for it (いつもお世話になっています, よくやってくれている, 勉強になりました), looking forward with
nothing named (毎年楽しみにしています; 新しい商品の開発を楽しみにしています may ask for it), and a wish
that what there is go on (これからも続けてほしい: satisfaction). A present-tense …のが一番です (トイレ
が使いやすいのが一番です) says what matters most to the answer: a preference, as …のが良い. A wish
to do something else (甘いものが食べたくなる), 同じ物が多い, …となお良い, …できる場所がいい and a verb
+ と condition (売りにしていくと) stay requests. A bare topic cut
off by a space (越前そば　美味しかった) is read with the praise predicate after it. A clause that only
tells what the visitor did (お蕎麦をいただきました, 海鮮を目当てに来た) is the setting of the praise beside
it; on its own it is not set aside (梅干しを買いました says nothing either way).
An answer whose clauses are not all of these kinds is still set aside, to a question on problems
or requests, when one clause denies any problem or request and the others are plain statements
that end as a predicate and hold no concern marker (車で行ったので駐車場もすぐ見つかり、特に不便なことは
ありませんでした; `AMID`), unless the denial is conceded to what follows (特に問題ないが、…).
Regular expressions over the normalised text, no tokenizer: the check runs on every answer of a
90,000-answer export and must stay cheap, and the phrases it looks for are fixed expressions
whose written forms the patterns list.

`framing(...)` decides what a question asks: as configured (`[questions."列名"] asks =
"problems"`), else from the words of its title, else from its answers. `applies(kind, asks)`
says when a kind is set aside: nothing-to-report for every framing but "good"; praise only for
"problems" and "requests".
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.config import ASKS
from pipeline.endings import ending
from pipeline.nonanswer import CLOSING, concessive, core, is_non_answer, pieces
from pipeline.records import Prepared

__all__ = ["ASKS", "Framing", "applies", "framing", "from_answers", "from_title", "kind", "mark"]

# What an answer does (`kind`), from most to least often set aside.
NOTHING, ENOUGH, PRAISE = "nothing", "enough", "praise"
# A denial among plain statements (車で行ったので駐車場もすぐ見つかり、特に不便はなかった): nothing to report
# to a question on problems or requests, but to one on why something is not done (会員だけで活動が完結し
# ている・困っていることが特にない) the statements are the reasons.
AMID = "nothing_amid"
REASON = "no_issue"  # the excluded_reason of the answers set aside here
LONGEST = 120  # characters; a longer answer always says something

# --- Pieces shared by the patterns ---------------------------------------------------------------

_POLITE = r"(?:です|でした|だ|だった|である|ですね|でしたね|ですよ|だね|だよ|よ|ね|な|なあ|なぁ|かな|わ|ー|w+|笑|っす|っすね|や|やで|やな|やわ|やん|(?<=た)で)*"
_THINK = (r"(?:と思います|と思う|と思った|と思いました|と思っています|と思っている|と思ってます|と思ってる|と感じました|と感じた|と感じます|かと思います|"
          r"気がします|かと|と言って(?:います|いました|いる|いた|ます)|)")
_ADVERB = (r"(?:特に|とくに|特には|とくには|特段|別に|べつに|全く|まったく|全然|ぜんぜん|あまり|余り|ほとんど|殆ど|何も|"
           r"一度も|いちども|一回も|一つも|ひとつも|今まで|これまで|今は|いまは|現在は|今も|"
           r"なにも|なんも|なーんも|一切|何一つ|何ひとつ|なにひとつ|初めてでも|はじめてでも|これといって|これといった|これと言って|取り立てて|さほど|それほど|そんなに|"
           r"そこまで|大きな|大した|たいした|なんの|何の|どこも|今のところ|いまのところ|今回は|今回|現在|現状|当日は|"
           r"今日は|個人的には|私は|私的には|自分は|わたしは|全体的に|全体的には|基本的に|基本的には|本当に|ほんとに|全てにおいて|"
           r"すべてにおいて|全て|すべて|全部|ぜんぶ|何もかも|どれも|)")
# What a problems or requests question asks about, as the answer names it.
_ISSUE = (r"(?:改善すべき(?:点|こと|事|ところ)|改善の余地|直すべき(?:点|こと|ところ)|不便|不便さ|不便な(?:こと|事|点|ところ|所)|(?:不便|不満|問題|嫌)(?:に|だと|と)(?:思う|思った|感じる|感じた)(?:こと|事|点|ところ)|不満|不満な(?:こと|事|点)|"
          r"不満点|問題|問題点|困(?:った|っている|ってる|っていた)(?:こと|事|ところ|点)|困りごと|困り事|困る(?:こと|事)|支障|苦情|不自由|不都合|ストレス|"
          r"トラブル|混雑|渋滞|行列|待ち時間|不足|物足りなさ|負担|不快な(?:こと|事|思い)|嫌な(?:こと|事|思い)|悪い(?:点|ところ|所)|悪かった(?:点|ところ|所)|"
          r"マイナス(?:点|面)?|(?:改善的な|改善の|)(?:ご|)意見|改善点|(?:改善して|改善|変更して|変えて|直して|見直して)(?:ほしい|欲しい)"
          r"(?:こと|事|点|ところ|所)|要望|希望|注文|"
          r"(?:求める|求めている|欲しい|ほしい|望む)(?:もの|こと|事)(?=は|も)|"
          r"言うこと|いうこと|気になる(?:点|こと|事|ところ)|気になった(?:点|こと|事|ところ)|残念な(?:こと|事|点|ところ)|"
          r"残念だった(?:こと|事|点|ところ)|困難|心配|不安|そのような(?:こと|事)|その様な(?:こと|事)|そういった(?:こと|事)|"
          r"そういう(?:こと|事)|そのように|そう)")
_NEG = (r"(?:なし|無し|ナシ|ない|無い|なかった|無かった|なく|ありません|有りません|ございません|ありませんでした|"
        r"有りませんでした|ございませんでした|なかったです|無かったです|ないです|無いです|なしです|無しです|"
        r"ありませんね|ないですね|なかったですね|感じない|感じなかった|感じません|感じませんでした|感じなかったです|"
        r"感じていない|感じていません|感じてない|感じておりません|感じておりませんでした|見当たらない|見当たりません|見当たらなかった|思いつかない|思いつきません|"
        r"思い当たらない|思い当たりません|思い浮かばない|思い浮かびません|浮かばない|浮かびません|おりません|"
        r"とんでもない|とんでもありません|とんでもございません|ゼロ|皆無)")
# What went without a problem, for 問題なく利用できました.
_DONE = (r"(?:利用|観光|移動|見学|参拝|観覧|散策|宿泊|滞在|買い物|運転|来訪|到着|旅行|楽しむ|楽しめ|過ごせ|過ごす|過ごし|"
         r"接種|受診|手続き|申請|相談|参加|活動|終え|終わ|済ま|済ませ|済み|受け|進め|進ん|取れ|取得|観戦|通え|"
         r"行け|行き|来れ|来られ|来ることが|回れ|回る|使え|使う|帰れ|着け|見れ|見られ|見る|遊べ|楽しく|快適に|"
         r"スムーズに)[ぁ-んァ-ヶー一-龥]{0,8}?")
_DONE_END = (r"(?:できました|できた|出来ました|出来た|できます|出来ます|ました|ます|た|ている|ています|ていた|ていました|"
             r"る|れた|れました|られた|られました)")
_SO = r"(?:から|ので|ため|)"  # 特に不満な点が無いから (the reason of a rating)
# An optional reason before the statement: 車なので, 自家用車だったので, 事前に調べていたので.
_BECAUSE_STRONG = r"(?:なので|だったので|ので|だから|だったから|から|ため|ためか|おかげで|おかげか|せいか|のでか)"
_BECAUSE_END = rf"(?:{_BECAUSE_STRONG}|で|くて|て)"
_SATISFIED = (r"(?:満足度?(?:100|百)点(?:満点)?|(?:100|百)点満点|満足|大満足|十分満足|充分満足|とても満足|大変満足|非常に満足|すごく満足|概ね満足|おおむね満足|ほぼ満足|"
              r"だいたい満足|大体満足|十分|充分|じゅうぶん|満点|文句なし|言うことなし|申し分ない|申し分なし|"
              r"申し分ありません)")
_SATISFIED_END = (r"(?:しています|している|してます|してる|していました|していた|しました|した|しておりました|致しました|"
                  r"いたしました|致しております|いたしております|"
                  r"しております|できました|できた|出来ました|出来た|できています|です|でした|だ|だった|である|だと思います|"
                  r"だと思う|だと感じました|な(?:旅|一日|旅行|時間|日)(?:でした|です|になりました|となりました)?|"
                  r"のいく(?:旅|旅行|内容|一日)(?:でした|です)?|)")
_AS_IS = (r"(?:今のまま|いまのまま|このまま|現状のまま|現在のまま|今の状態|今の内容|現状|現在|今|いま|これ|それ|"
          r"いまの施設|今の施設|この位|このくらい|これくらい|これ位|この程度)")

# What a denial is about, before the issue (市への要望は特にありません, ごみ収集に関しては何も言うことはありません):
# in a pattern of its own (`_denies`), tried on a clause that has one of these markers.
_ABOUT_MARKS = r"(?:への|に対する|に対しての|に対して|についての|について|に関して|に関する|に関しては|については)"
_ABOUT = "{about}"
# Verbs of having trouble (困る, 迷う, 戸惑う, 苦労する, 悩む, 手間取る, まごつく, 苦戦する), by the stems their
# denials are made of: (before ない, before ます, plain, past).
_TROUBLE_VERBS = (("困ら", "困り", "困る", "困った"), ("迷わ", "迷い", "迷う", "迷った"), ("戸惑わ", "戸惑い", "戸惑う", "戸惑った"),
                  ("とまどわ", "とまどい", "とまどう", "とまどった"), ("苦労し", "苦労し", "苦労する", "苦労した"),
                  ("悩ま", "悩み", "悩む", "悩んだ"), ("手間取ら", "手間取り", "手間取る", "手間取った"),
                  ("まごつか", "まごつき", "まごつく", "まごついた"), ("苦戦し", "苦戦し", "苦戦する", "苦戦した"),
                  ("迷子になら", "迷子になり", "迷子になる", "迷子になった"), ("待た", "待ち", "待つ", "待った"))
# Such a verb denied, after where at most (a noun and で or に: 道に, 手続きで, 初診でも): 迷いませんでした,
# 戸惑うことはありませんでした, 苦労しなかった, 悩まずに済んだ.
_TROUBLE_NOT = (r"(?:[一-龥ァ-ヶー]{1,8}(?:の[一-龥ァ-ヶー]{1,6})?(?:で|に|でも|には|では|にも))?(?:" + "|".join(
    rf"{nai}(?:ない|なかった|ないです|なかったです|ず|ずに済んだ|ずに済みました|ずにすんだ|ずにすみました)|{masu}ませ(?:ん|んでした)|"
    rf"(?:{plain}|{past})(?:こと|事)(?:は|も)?{_NEG}" for nai, masu, plain, past in _TROUBLE_VERBS) + ")")
_DENIAL_PATTERNS = [
    # (車なので)特に不便はなかった / 問題ありません / 不便を感じることはなかった / 困ったことはない
    rf"{_ADVERB}{_ADVERB}{_ABOUT}{_ADVERB}{_ISSUE}(?:(?:や|とか|と|も|や特に){_ISSUE})?(?:は|わ|も|が|を|に|と|では|でも|など|等|なんて|とか|なども|らしい(?:もの|こと)|"
    rf"と(?:いう|言う)ほどの(?:もの|こと)|と(?:いった|言った)(?:もの|こと)|)(?:は|も|)(?:特に|)"
    rf"(?:感じ(?:る|た)?(?:こと|事|点|ところ|もの|ような(?:こと|事))?(?:は|も)?)?{_ADVERB}{_NEG}{_POLITE}{_THINK}{_POLITE}{_SO}",
    # まったく感じませんでした / 特に困らなかった / 困ることはなかった / 迷いませんでした
    rf"{_ADVERB}{_ADVERB}(?:感じ(?:ない|なかった|ません|ませんでした|なかったです|ていない|ていません|ること(?:は|も)"
    rf"(?:なかった|ない|ありません|ありませんでした))|困って(?:い|)(?:ない|ません|なかった)|困っておりません|"
    rf"{_TROUBLE_NOT}|[ぁ-んァ-ヶー一-龥]{{1,10}}?[えけせてねへめれげぜでべぺ]なかった(?:こと|事)(?:は|が|も){_ADVERB}{_NEG}|待たされる(?:こと|事)(?:も|は)(?:なかった|ありませんでした|ない|ありません)|"
    rf"(?:[ぁ-んァ-ヶー一-龥]{{1,10}}?(?:る|の))?必要(?:も|は|が|)(?:なかった|ありませんでした|ない|ありません)|(?:不便|不自由)し(?:て(?:いない|いません|おりません|ない|ません|いなかった)|なかった|ません|"
    rf"ませんでした|ない))"
    rf"{_POLITE}{_THINK}{_POLITE}",
    # 問題なく利用できました / 不便なく過ごせた / 特に問題もなく楽しめました
    rf"(?:[^、。]{{1,12}}?(?:私|わたし|僕|自分|母|父|子ども|子供|初心者|高齢者)でも)?{_ADVERB}{_ADVERB}(?:(?:問題|支障|不便|不自由|トラブル|ストレス|苦労|不安|心配|無理|混乱|困る(?:こと|事))(?:なく|無く|も(?:なく|無く)|は(?:なく|無く))|"
    rf"迷わずに|迷わず|迷う(?:こと|事)(?:も|)(?:なく|無く))(?:[ぁ-んァ-ヶー一-龥]{{1,8}}?(?:が|を))?(?:{_DONE})?{_DONE_END}{_POLITE}",
    # 大丈夫です / 全て大丈夫でした / 問題なしです / 車なので問題ない / ok
    rf"{_ADVERB}(?:{_AS_IS}(?:で|に|にて|でも|のままで|のまま|は|が|には|)?)?{_ADVERB}(?:大丈夫|だいじょうぶ|問題なし|問題無し|"
    rf"問題ない|問題ありません|ok|オッケー|ノープロブレム|noproblem)(?:です|でした|だった|だ|だと思います|と思います|)?"
    rf"{_POLITE}{_THINK}{_POLITE}",
    # 特に求めていない / 何も望んでいません
    rf"{_ADVERB}{_ADVERB}(?:求めて|望んで|期待して)(?:ない|いない|いません|ません|ないです|おりません){_POLITE}",
]
# Saying the place is good enough as it is: no request, but to a question that asks why (協働
# したくない理由 → 今のままで十分) it is the answer itself.
_ENOUGH_PATTERNS = [
    # 現状で満足 / 今で満足です / これで十分 / 満足しています
    rf"{_ADVERB}(?:{_AS_IS}(?:で|に|にて|でも|のままで|のまま|は|が|には|)?)?{_ADVERB}{_SATISFIED}"
    rf"{_SATISFIED_END}{_POLITE}{_THINK}{_POLITE}",
    # 今のままで良い / このままでいいと思います / 今のままで
    rf"{_ADVERB}{_AS_IS}(?:で|のままで|のまま|でも|は|が|)(?:良い|よい|いい|良いです|よいです|いいです|結構|よし|"
    rf"満足|十分|充分)(?:です|でした|だと思います|と思います|と思う|だ|)?(?:のでは(?:ないでしょうか|ないか|)|){_POLITE}",
    r"(?:今のまま|いまのまま|このまま|現状のまま|現在のまま)(?:で|が|)(?:です|)",
    # このままでいてほしい / このまま変わらないで下さい / 現状維持でお願いします
    rf"(?:いつまでも|ずっと|これからも|今後も|)"
    rf"{_AS_IS}(?:ままで|まま|で|の|)(?:いて|居て|あって|続けて|続けていって|進めて|残して|変わらないで|変わらずに|変わらず)"
    rf"(?:ほしい|欲しい|ください|下さい|ほしいです|欲しいです|もらいたい|いただきたい|頂きたい){_POLITE}",
    rf"(?:現状維持|このまま|今のまま)(?:で|を|が)?(?:お願いします|お願い致します|お願いいたします|希望します|希望|"
    rf"望みます|良い|いい|よい){_POLITE}",
    # このままの状態を維持してほしい / このまま続けてもらえれば十分です
    rf"(?:{_AS_IS}|このままの状態|今の状態)(?:の状態|)を?(?:維持|キープ)して(?:ほしい|欲しい|ください|下さい|いただきたい|頂きたい|"
    rf"もらいたい|ほしいです|欲しいです){_POLITE}",
    rf"(?:{_AS_IS}|今後も|これからも)(?:ずっと|)(?:続けて|継続して)(?:いって|)(?:もらえれば|いただければ|頂ければ|くだされば|くれれば)"
    rf"(?:それで|)(?:十分|充分|満足|いい|良い|よい|結構)(?:です|だ|だと思います|と思います|){_POLITE}",
    # これからも続けてほしい / 今後も継続してください: what there is, kept on (no object: 子ども食堂を続けて
    # ほしい may be a worry about its end)
    rf"(?:今後も|今後とも|これからも|引き続き|ひきつづき|ずっと|この調子で)(?:ぜひ|是非|)(?:変わらず|このまま|今のまま|)(?:続けて|継続して|続いて)"
    rf"(?:ほしい|欲しい|ください|下さい|いただきたい|頂きたい|もらいたい|ほしいです|欲しいです|いただければ(?:と思います|幸いです)|"
    rf"いってほしい|いってください){_POLITE}{_THINK}{_POLITE}",
    # 何も変えなくていい / どこも変えないでほしい: nothing to change
    rf"(?:何も|なにも|どこも|特に|とくに|)(?:変え|変わら|いじら|付け足さ|足さ|加え|直さ)(?:なくて|なくても|ないで|ずに)(?:いい|良い|よい|大丈夫|結構)"
    rf"(?:です|)(?:と思います|と思う|)?{_POLITE}",
    # これ以上ない（満足）
    rf"{_ADVERB}(?:これ以上|今以上)(?:は|の|に|)(?:ない|無い|ありません|望まない|求めない|望みません|求めません|必要ない|"
    rf"いらない|要らない){_POLITE}",
]
_DENIAL = re.compile("^(?:" + "|".join(p.replace(_ABOUT, "") for p in _DENIAL_PATTERNS) + ")$")
_DENIAL_ABOUT = re.compile("^(?:" + _DENIAL_PATTERNS[0].replace(_ABOUT, rf"[^、。]{{1,10}}?{_ABOUT_MARKS}") + ")$")
_ABOUT_MARK = re.compile(_ABOUT_MARKS)
_ENOUGH = re.compile("^(?:" + "|".join(_ENOUGH_PATTERNS) + ")$")
# Never felt what names a concern (読みにくいと感じたことはありません; 良いと思ったことはない stays).
_FELT_NOT = re.compile(rf"^(.{{1,12}}?)(?:と|に)(?:感じた|思った|感じる|思う|感じ)(?:こと|事|場面|瞬間|ところ|時|とき)(?:は|も)?{_ADVERB}{_NEG}{_POLITE}$")
# What was spared (怖い思いをせずに済みました, 濡れずに済み, 大事に至らずに済みました): nothing went wrong.
_SPARED = re.compile(rf"^.{{1,24}}?ずに(?:済|す)(?:みました|んだ|み|んで){_POLITE}$")  # in the past: 済みます may be a wish
# Where a reason, a concession or a listed reason ends, before a denial (車なので特に不便はない, 毎日使ってますが
# 不便はない, 駅も近いしスーパーもあるし何も困っていません).
_BECAUSE_ENDS = re.compile(rf"{_BECAUSE_END}|(?:ます|です)が|(?<=[いるただ])し")
# After a reason, a bare 特にない says there was nothing to report: ツアーバスのため特にありません.
_BARE_NOTHING = re.compile(rf"^(?:特に|とくに|特には|とくには|特段|別に){_NEG}{_POLITE}$")
_STRONG_END = re.compile(rf"{_BECAUSE_STRONG}$")
MAX_REASON = 24  # characters of a reason clause (車なので, 自家用車で移動したので)

# --- Praise ----------------------------------------------------------------------------------------

# Coming again: また来たい, 今度は泊まりに行きたい, 是非また伺います (not いただきたい, a request).
_AGAIN = r"(?:また|又|ぜひ|是非|必ず|絶対|今度|次回|次は|次も|来年も|もう一度|いつか|今後も|これからも)[ぁ-んァ-ヶー一-龥]{0,10}?"
_VISIT = r"(?:来|(?<!ただ)(?<!頂)き|行き|いき|行|訪れ|訪問し|伺い|通い|利用し|利用させていただき|利用させてもらい|泊まり|寄り|来訪し|参加し|来|こ)"
# Doing again what the visit gave (また食べたい, もう一度味わいたい, またお伺いしたい): only after a word for
# again — ぜひ蟹を食べたい, 次は海鮮を食べたい name what the answer would like.
_REPEAT = r"(?:また|又|もう一度|再び|再度)(?:(?!も)[ぁ-んァ-ヶー一-龥]){0,8}?"  # (また地元の料理も: also)
_REDO = r"(?:食べ|たべ|飲み|買い|味わい|見|観|遊び|楽しみ|お伺いし|伺いし|お邪魔し|体験し|お世話になり)"
# Thanks and praise said with a negative word (感謝しかない, 心細くなかった) or a word of toil (お疲れさまです,
# ご苦労様です): in the praise verbs, and removed before the concern markers are looked for.
_NEGATIVE_THANKS = r"(?:感謝(?:の気持ち|の思い|の言葉|)しか(?:ない|ありません)|(?:心細|寂し|さみし|さびし|退屈)(?:く|)(?:なかった|ありませんでした|ませんでした))"
_TOIL = r"(?:お疲れ|おつかれ|ご苦労|御苦労)(?:様|さま)"
# Wishes that praise: to have again what the visit gave, or to recommend the place (みんなに勧めたい).
_GOOD_WISH = rf"(?:{_REPEAT}{_REDO}|勧め|薦め|すすめ|おすすめし|オススメし|お勧めし|紹介し|住み続け|ずっと住み)たい"
# Positive adjectives (stems) and the endings that make them a statement.
_I_ADJ = (r"(?:良|よ|善|楽し|たのし|美味し|美味|おいし|旨|うま|美し|うつくし|素晴らし|すばらし|素晴し|嬉し|うれし|面白|"
          r"おもしろ|優し|やさし|心地よ|心地良|気持ちよ|気持ち良|気持ちい|可愛|かわい|懐かし|なつかし|清々し|"
          r"すがすがし|温か|暖か|あたたか|ありがた|有難|有り難|興味深|味わい深|感慨深|頼もし|心強|おもろ|"
          r"(?:使い|利用し|分かり|わかり|見|歩き|過ごし|入り|相談し|親しみ|働き|住み|通い)(?:やす|易)|"
          r"(?:気持ち|居心地|心地|感じ)の(?:よ|良|い))")
_I_END = r"(?:い|かった|く|くて|いです|かったです|いし|かったし)"
_GOOD_TOO = r"(?:良|よ|美味し|おいし|楽し|たのし|美し|素晴らし|すばらし|面白|おもしろ|かわい|可愛|うま|旨)(?:すぎ|過ぎ)"
# Adjectives that praise only as a predicate: 駅から近い, 駐車場が広くて.
_I_ADJ_PLAIN = r"(?:安|やす|易|明る|涼し|詳し|(?<!と)近|(?<!と)ちか)"
_I_END_PLAIN = r"(?:い|かった|くて|いです|かったです|いし|かったし)"
_EXCLAIM = (r"(?:最高|最幸|大満足|満足|感動|感激|感謝|賛成|絶景|完璧|満点|素敵|すてき|ステキ|絶品|圧巻|感無量|大喜び|大興奮|大はしゃぎ|"
            r"good|great|nice|excellent|perfect|wonderful|amazing|beautiful|fantastic|lovely|best|fun|delicious|"
            r"verygood|sogood)")
_NA_WORD = (rf"(?:{_EXCLAIM}|綺麗|きれい|キレイ|奇麗|親切|親身|丁寧|ていねい|快適|便利|清潔|幸せ|幸福|立派|見事|抜群|満喫|堪能|"
            r"充実|良好|安心|素朴|魅力的|上品|贅沢|大好き|好き|スムーズ|爽快|穏やか|静か|豊か|豊富|感心|印象的|新鮮|格別|"
            r"おしゃれ|オシャレ|お洒落|リーズナブル|お得|充分|十分|良心的|活気|賑やか|にぎやか|有意義|のどか|長閑|"
            r"壮観|神秘的|雄大|癒し|癒やし|楽|素晴らしい|快晴|晴天|好み|迅速|的確)")
_NA_END = (r"(?:です|でした|だ|だった|で|でして|でしたし|だし|ですし|である|であった|であり|"
           r"な[ぁ-んァ-ヶー一-龥]{1,6}?(?:です|でした|だ|だった|で|でしょう)|"
           r"の[ぁ-んァ-ヶー一-龥]{1,6}?(?:です|でした|だ|だった|で|となりました|になりました|となった|になった)|"
           r"しました|した|して|していた|していました|している|しています|してる|してます|しており|しております|"
           r"できた|できました|出来た|出来ました|できる|できます|出来る|出来ます|させていただきました|させて頂きました|させてもらいました|"
           r"にな(?:った|りました)|と思います|だと思います|だと思う|と思う|と感じました|"
           r"な(?:気分|気持ち)(?:に|と)な(?:ります|りました|った|る|れます|れました|れる|れた))")
_VERBS = (r"(?:楽しめ(?:た|ました|る|ます|て)|楽しみました|楽しませて(?:いただきました|頂きました|もらいました|もらった)|"
          r"楽しく(?:過ごせ|過ごし|遊べ|遊び|見学|観光|散策|買い物)(?:た|ました|でき(?:た|ました))|"
          r"癒(?:され|やされ)(?:た|ました|る|ます)|感動(?:した|しました|する|します)|感激(?:した|しました)|"
          r"気に入(?:った|りました)|助か(?:りました|ります|った|って(?:います|いる|おります|ます)|る)|"
          r"喜んで(?:いました|くれました|いた|くれた|います|いる|ます)|喜ばれ(?:ました|た|ます|ています|ている|ていました)|"
          r"楽しんで(?:います|いる|ます|おります|いました|いた)|"
          r"(?:勉強|参考|ため|為|刺激|励み)に(?:なりました|なった|なります|なる|なっています|なってます|なっている)|"
          r"(?:ゆっくり|のんびり|ゆったり)(?:でき|出来|過ごせ|過ごし|休め|くつろげ)(?:た|ました)|"
          rf"{_AGAIN}{_VISIT}(?:たい|ます|る|く|るつもり(?:です|)|ようと思(?:います|う|っています|いました))|{_GOOD_WISH}|"
          r"(?:お礼|御礼)(?:を|)(?:します|しました|いたします|致します)|杞憂(?:でした|だった|に終わりました|に終わった)|"
          r"一生忘れ(?:ない|ません|られない|られません)|(?:天気|天候|好天|晴天)に(?:も|)恵まれ(?:ました|た)|"
          r"心が洗われ(?:ました|た|る)|(?:ちょうど|丁度)(?:いい|良い|よい|良かった|よかった)|"
          r"安心して(?:いられ|いれ)(?:ます|る|ました|た)|安心して[ぁ-んァ-ヶー一-龥]{1,8}?(?:られ|れ|でき|せ)(?:ました|た)|"
          r"(?:毎年|毎回|毎月|毎週|いつも|今から|とても)楽しみ|"
          r"リピート(?:したい|します|決定|確定)|リピーターになり(?:ます|たい)|"
          r"(?:良い|よい|いい|素敵な|素晴らしい|楽しい|最高の)(?:思い出|記念|旅|旅行|一日|1日|時間|休日|体験|経験)"
          r"(?:に|と)(?:なった|なりました)|"
          r"(?:良い|よい|いい|素敵な|素晴らしい|楽しい|最高の)(?:思い出|記念|旅|旅行|一日|1日|時間|休日|体験|経験)"
          r"(?:が|を)(?:でき|出来|過ごせ|過ごし)(?:た|ました)|"
          r"ありがとう(?:ございました|ございます|ござました|ござます|)|有難う(?:ございました|ございます|)|有り難う(?:ございました|ございます|)|"
          r"thankyou|thanks|サンキュー|感謝(?:します|しています|してます|申し上げます|いたします|致します)|"
          r"お世話になりました|おせわになりました|ごちそうさま(?:でした)?|ご馳走様(?:でした)?|御馳走様(?:でした)?|"
          r"おすすめ(?:です|します)|オススメ(?:です|します)|お勧め(?:です|します)|お薦め(?:です|します)|"
          r"魅力を感じ(?:る|ます|た|ました)|"
          r"(?:頑張|がんば)って(?:ください|下さい|いる|いて|います|いますね|る|ます|ますね|おられ(?:る|ます))|応援(?:して(?:います|ます|る)|します)|"
          r"頑張れ|がんばれ|期待(?:以上|通り|どおり)(?:でした|です|だった|)|言うこと(?:なし|ない|ありません)|"
          r"申し分(?:ない|なし|ありません|なかった)|文句(?:なし|ない|ありません|のつけようがない)|"
          r"(?:快適|楽|気持ちよく|気持ち良く|楽しく|心地よく|スムーズ)に?(?:過ごせ|過ごし|移動|観光|利用|見学|散策|運転|回れ|"
          r"遊べ|参加|通っ|通え|散歩|買い物|運動)(?:でき|出来|し|させて(?:いただい|頂い|もらっ)|)(?:た|ました|る|ます|ている|ています|てます|ていました)|"
          r"元気に(?:過ごせ|過ごし|通っ|通え)(?:た|ました|ている|ています|てます|ていました)|"
          # (安心して遊べる in the present may be the wish: 子供が安心して遊べる)
          r"安心して(?:過ごせ|過ごし|利用|遊べ|遊ん|参加|通院|受診|通え|通っ|預けられ|預け|任せられ|任せ|暮らせ|暮らし|活動)(?:でき|出来|し|させて(?:いただい|頂い|もらっ)|)"
          r"(?:た|ました|ている|ています|てます|ていました)|"
          r"(?:おかげ|お陰|御蔭)(?:です|でした|だ|さま|様)|(?:おかげ|お陰|御蔭)で[^、。]{1,20}?(?:ました|た|ています|ている)|"
          r"お世話にな(?:って(?:います|おります|ます|いる)|っております)|"
          r"(?:よく|良く|十分|充分|しっかり)(?:やって|頑張って|がんばって)(?:くれて|くださって|下さって|いただいて|)(?:いる|います|いて|る|ます)|"
          rf"{_TOIL}(?:です|でした)|{_NEGATIVE_THANKS}|楽しみ(?:の一つ|のひとつ|)(?:です|でした|だ)|"
          r"(?:て|で)(?:くださり|くださって|くださった|くださいました|下さり|下さって|下さった|下さいました)|"
          r"(?:良く|よく|きれいに|綺麗に|便利に|快適に)なって(?:いる|います|きている|きています|きた|きました|いて)|"
          r"(?:便利|快適|気持ちよく|気持ち良く|楽しく)に?使わせて(?:もらっ|いただい|頂い)(?:ています|てます|ている|た|ました)|"
          r"元気を(?:もらっ|いただい|頂い)(?:ています|てます|ている|た|ました)|"
          r"(?:頑張|がんば)り(?:ます|ましょう)|(?:よく|良く)(?:わかり|分かり|わかる|分かる|理解でき)(?:ます|ました|る|た)|"
          r"(?:住み続け|ずっと住み)たい(?:町|まち|街|所|ところ|場所|)(?:です|だと思います|と思います|)|"
          r"(?:安心して|気軽に|気持ちよく|楽しく)(?:通え|利用でき|過ごせ|遊べ)る[ぁ-んァ-ヶー一-龥]{1,8}?(?:です|でした|だ))")
# A present state of the place that is good in itself: 活気がある, 駐車場が近くにある, サービスが行き届い
# ている, お土産の種類が多い (多い only after a word for choice: 人が多い, 階段が多い are problems).
_GOOD_NOUN = (rf"(?:{_NA_WORD}|風情|趣|雰囲気|魅力|特色|個性|見応え|見ごたえ|情緒|味わい|迫力|人気|清潔感|高級感|"
              r"開放感|統一感|重厚感|一体感|臨場感|安心感|季節感|お得感|満足感|充実感|特別感|温かみ|温もり|ぬくもり|落ち着き|ゆとり|遊び心|収穫|発見|学び)")
_CHOICE = (r"(?:種類|品数|品揃え|品ぞろえ|選択肢|メニュー|見どころ|見所|自然|緑|魅力|楽しみ|遊び|体験|展示|名物|特産品|"
           r"お土産|土産|商品|品物)")
_ARU = r"(?:ある|あり|あって|あります|あった|ありました)"
# 活気がある, 見応えのある展示でした, 活気に溢れている: a pattern of its own, tried only on a clause that
# has ある or 溢れる in it (the long list of nouns is slow to try at every position).
_HAS_GOOD_NOUN = (rf"{_GOOD_NOUN}(?:(?:が|も|に)?{_ARU}|(?:の|が)ある[ぁ-んァ-ヶー一-龥]{{1,8}}?(?:です|でした|だ|だった)|"
                  r"に?(?:あふれ|溢れ|満ち)(?:ている|ていた|ています|ていました|て))")
_ARU_OR_FULL = re.compile(r"あ[るりっ]|あふれ|溢れ|満ち")
_STATE = (rf"(?:(?:すぐ)?(?:近く|目の前|そば|側|隣)に{_ARU}|"
          rf"{_CHOICE}(?:の数)?(?:が|も|は)?(?:多(?:い|かった|くて|いです|かったです|いし)|"
          rf"(?:たくさん|沢山|いっぱい|色々|いろいろ|豊富に){_ARU})|"
          r"(?:行き届いて|整って|揃って|そろって)(?:いる|いた|います|いました|いて|おり|る|ます|ました|た)|"
          rf"(?:{_VISIT}|買い)たくな(?:る|った|ります|りました|ってしまう|ってしまった|ってしまいます|っちゃう)|"
          r"(?:こと|事)が(?:でき|出来)(?:た|ました)|得られ(?:た|ました)|"
          r"(?:リフレッシュ|リラックス|息抜き|気分転換)(?:でき|出来|し)(?:た|ました)|"
          r"(?:ゆっくり|のんびり|ゆったり|くつろぎ)(?:でき|出来|過ごせ|休め|くつろげ)(?:る|ます)|"
          r"(?:楽しめ|過ごせ|味わえ|感じられ|触れられ|触れ合え|学べ|遊べ|見れ|見られ|食べれ|食べられ|買え|回れ|泊まれ|"
          r"休め|くつろげ|入れ|受けられ)(?:た|ました|ている|ています|てます)|(?:理解|納得)(?:でき|出来)(?:た|ました)|"
          r"(?:ずっと|いつまでも)(?:見て|眺めて|居|い)(?:いられ|られ)(?:る|ます|た|ました))")
# Adjectives of a kind manner (優しく教えてくれました, 明るく対応してくれます); not よく, which is also "often".
_KIND_KU = r"(?:優し|やさし|明る|あかる|温か|暖か|あたたか|気持ちよ|気持ち良|心地よ|心地良|楽し|たのし|親し|手厚|素早|すばや|快)"
_PRAISE_PATTERNS = [
    rf".*{_STATE}",
    rf".*{_I_ADJ}{_I_END}",
    rf".*{_I_ADJ}(?:い|かった)[ぁ-んァ-ヶー一-龥]{{1,6}}?(?:です|でした|だ|だった|で|となりました|になりました)",
    r".*(?:いい|良き|よき|たまらない|たまりません|飽き(?:ない|なかった|ません|ませんでした))",
    # good to excess, as the young say it (コスパ良すぎ, 美味しすぎた)
    rf".*{_GOOD_TOO}(?:る|た|て|です|でした|)",
    r".*飽き(?:ない|ません)[ぁ-んァ-ヶー一-龥]{1,6}?(?:です|でした|だ|だった)",
    # A praised manner of what was done: 綺麗に陳列されていました, 親切に教えていただきました.
    # (one verb phrase: no particle that starts another, 豊富に扱っているお店を求めています).
    rf".*(?:{_NA_WORD}に|{_KIND_KU}く|笑顔で|(?:楽し|嬉し|うれし)そうに|楽しみに(?!し))[^をがはとのへや、。!?]{{1,10}}?(?:[てで]いました|[てで]いた|[てで]います|[てで]いる|[てで]ます|てくれました|てくれた|"
    r"てくれます|てくれる|てくださいます|てくださる|てくださいました|ていただき|て頂き|てくださり|て下さり|"
    r"ていただきました|ていただいた|て頂きました|て頂いた|てもらいました|てもらった|ました)",
    rf".*{_I_ADJ_PLAIN}{_I_END_PLAIN}",
    rf".*{_EXCLAIM}",
    rf".*{_NA_WORD}{_NA_END}",
    rf".*(?:とても|十分|充分|すごく|凄く|非常に|本当に|ほんとに|めちゃくちゃ|かなり|最高に){_NA_WORD}",
    rf".*{_VERBS}",
    # What makes the place good, said as such (ゆっくり出来る事が魅力のひとつだと思います), or plenty of it
    # (魅力いっぱいの福井県でした, 見どころ満載), and good things found there (美味しい食べ物がいっぱいあります;
    # one noun between: not 美味しいお米に興味があります, 良いが場所に偏りがある).
    r".*(?:が|も|こそ)魅力(?:の(?:一つ|ひとつ|1つ))?",
    # Liking said of a place as a bare noun phrase (好きな県, 大好きな町です): the respondent's, not a quality to ask for.
    r"^(?:とても|本当に|すごく|)(?:大|)好きな(?:県|町|街|まち|場所|所|ところ|土地|地域|観光地|お店|店)(?:の(?:一つ|ひとつ|1つ))?"
    r"(?:です|でした|だ|になりました|になった|)",
    r".*(?:魅力|見どころ|見所|楽しみ)(?:が|)(?:いっぱい|たっぷり|満載)(?:の[ぁ-んァ-ヶー一-龥]{1,6}?)?",
    rf".*{_I_ADJ}い(?:もの|物|(?![をがはにでとへやの])[ぁ-んァ-ヶー一-龥]){{1,8}}?(?:が|も)(?:いっぱい|たくさん|沢山|色々|いろいろ|)"
    r"(?:あった|ありました|ある|あります)",
]
_PRAISE_END = rf"{_POLITE}{_THINK}{_POLITE}(?:から|ので|)$"
_PRAISE = re.compile("^.*(?:" + "|".join(p.removeprefix(".*") for p in _PRAISE_PATTERNS) + ")" + _PRAISE_END)
_PRAISE_NOUN = re.compile(f"^.*{_HAS_GOOD_NOUN}{_PRAISE_END}")
# Both tried on every clause, and both only match at its end: read backwards (`endings`).
_praises, _praises_noun = ending(_PRAISE), ending(_PRAISE_NOUN)

# Phrases that look like a problem or a request but belong to praise or deny a problem; removed
# before the markers below are looked for.
_HARMLESS = re.compile(
    r"申し分(?:ない|なく|なし|ありません|なかった)|言うこと(?:なし|ない|ありません)|文句(?:なし|ない|ありません|のつけようがない)|"
    r"(?:問題|不便|不満|不自由|支障|トラブル|ストレス|苦労|混雑|渋滞|待ち時間|行列|不安|心配|無理|混乱|負担|痛み|困る(?:こと|事))(?:も|は|が)?"
    r"(?:ほとんど|全然|あまり|特に|)(?:なく|無く|なし|無し)|"
    r"(?:混雑|渋滞)(?:も|は)?(?:せず|しない|しなかった)(?:で|に)?|"
    r"飽き(?:ない|なかった|ません|ることなく|ずに)|忘れられ(?:ない|ません)|間違いない|この上ない|たまらない|"
    r"半端ない|ハンパない|欠かせない|惜しみなく|くまなく|隈なく|気兼ねなく|心置きなく|滞りなく|おもてなし|もてなし|"
    rf"足りて(?:いる|いて|います|おり|る)|{_NEGATIVE_THANKS}|{_TOIL}|"
    r"増えて(?:いて|いた|いました|きて|きました)|予約(?:なし|無し|不要)で|夜遅く|朝早く|"
    r"(?:値段|料金|価格)(?:も|は|が|)(?=満足|手頃|お手頃|手ごろ|お手ごろ|てごろ|リーズナブル|良心的|安)|"
    r"(?:お暑い|暑い|お寒い|寒い|お忙しい|忙しい|雨の)中|(?:要望|意見|不満)(?:というより|と言うより|ではなく|じゃなく)|"
    r"(?:頑張|がんば)り(?:ます|ましょう)|"
    r"(?:ない|なかった)(?:私|わたし|僕|自分|人|方|子ども|子供|初心者)でも|"
    # what was spared (窓口に行かずに手続きが済む, 濡れずに済み, 大事に至らずに済みました)
    r"(?:[一-龥]{1,2}[ぁ-ん]{0,2}|[ぁ-ん]{1,2})?ずに(?=[^、。]{0,8}?(?:済んだ|済みました|済み|すんだ|すみました))|一生忘れ(?:ない|ません)|"
    r"(?:痛い|怖い|嫌な|いやな|辛い|つらい)思いを(?:せず|しない|しなかった|しませんでした|することも?なく)|"
    r"(?:怖|こわ)くて(?=不安|心配)|心が洗われる(?:ような|よう)|"
    rf"また[^、。]{{1,8}}?が(?:あれば|あったら)(?=(?:絶対|ぜひ|是非|必ず|また|)(?:{_VISIT})(?:たい|ます))|"
    rf"{_GOOD_TOO}|(?:整備|清掃|手入れ|管理|配慮|掃除|サービス)(?:が|も|は)?(?:よく|良く|しっかり|きちんと|)行き届い|"
    r"必要な(?:もの|物)(?:は|が|も)(?:全部|全て|すべて|ひととおり|一通り|だいたい|ほぼ|)(?:揃|そろ)|"
    r"何度(?:来|き|行っ|訪れ|見|食べ)ても|"
    # the respondent's own condition (足の悪い私でも, 足が悪いので): not the place's
    r"(?:足|腰|膝|ひざ|目|耳)(?:が|の)(?:悪|弱|不自由)(?:い|く|な)(?=ので|ため|から|(?:私|わたし|僕|自分|母|父|祖母|祖父|高齢者|人|方)でも)|"
    r"(?:苦手|不慣れ|不得意)な(?=(?:私|わたし|僕|自分|母|父|祖母|祖父|高齢者|人|方)でも)|"
    # an absence praised (個性がかぶらないところが素敵です, 俗化していないところが良かった; not the present
    # 何もないところがよい, which may be the place the answer would like)
    r"(?<=[ぁ-ん])ない(?=(?:ところ|所|点|の)(?:が|も)(?:素敵|すてき|最高|魅力|好き|気に入|良かった|よかった))|"
    r"(?:くださ|下さ)(?:って|り|った|る|います|いました|いまして)|"
    # relief that something did not happen (揺れなくて安心しました, 混んでなくて助かった, 雨が降らずに済んだ)
    r"(?:なく|無く)て(?=安心|ほっと|ホッと|よかった|良かった|助かった|助かりました)|"
    r"心配(?:していた|してた|だった)(?=[^、。]{1,8}?(?:も|が|は)(?:晴れ|大丈夫|問題なく|無事|降らず))|"
    rf"{_AGAIN}{_VISIT}たい|リピートしたい|リピーターになりたい|"
    r"(?<![とばら])(?:ありがた|有難|有り難)(?:い|かった|く)|期待(?:以上|通り|どおり)|(?:頑張|がんば)って(?:ください|下さい|いる|いて|います|る|ます|おられ)|"
    rf"{_GOOD_WISH}|"
    r"よろしくお願い(?:します|いたします|致します|申し上げます)|ならでは|"
    rf"落ち着(?:い|き|け|く)|{_VISIT}たくなる(?:ような|様な)|"
    r"(?:整備|清掃|手入れ|管理|工夫|配慮|整理|掃除|準備)(?:が|も)?(?:さ|し)れて(?:いる|いた|います|いました|おり|いて)"
    r"(?!と(?:良|よ|い|嬉|うれ|助か|便利|あり|なお|尚)|ば|たら)|"
    r"(?:整備|清掃|手入れ|管理|工夫|掃除)(?:が|も)?して(?:あり|あって|ある|あった|あります|ありました)|"
    rf"(?:機会|時間|チャンス|縁|ご縁|余裕)が(?:あれば|あったら)(?={_AGAIN}{_VISIT}たい)|"
    r"(?:求めた|求めていた|期待した|期待していた|期待してた|思った|思っていた|想像した|想像していた|予想した|予想していた|想像|予想|"
    r"考えていた)(?:以上|よりも|より)(?=の|に)|"
    r"大変(?:満足|美味し|良|よ|楽し|素晴らし|親切|丁寧|お世話|気持ち|勉強|感動|参考|嬉し|うれし|ありがた|きれい|綺麗)|"
    r"たいへん(?:満足|良|よ|楽し|美味し|おいし)|"
    rf"{_NA_WORD}で(?:良|よ|い)い")
# A problem, a lack, a wish or a request anywhere in a clause makes it more than praise.
_CONCERN = re.compile(
    r"ない|無い|なく|無く|なかっ|無かっ|なし|無し|ません|ず(?:に|$)|ぬ$|"
    r"少な|狭|せま(?:い|かった|く)|遠|とお(?:い|かった|く)|悪|わる(?:い|かった|く)|汚|きたな|暑|あつかった|寒|さむ|暗|くら(?:い|かった)|"
    r"古(?:い|かった|くて|び)|細(?:い|く|かった)|不|困|こま(?:る|った)|残念|惜し|にく(?:い|かった|く|さ)|づら|"
    r"ずら(?:い|かった)|辛|つら|混(?![ざぜじ])|こん(?:で|だ)|込ん|渋滞|待|並ん|並ば|大変|たいへん|危|あぶな|怖|こわ|難|迷|苦|面倒|"
    r"めんどう|うるさ|臭|くさ(?:い|かった)|邪魔|閑散|寂|さみし|さびし|物足り|ものたり|足り|微妙|いまいち|イマイチ|今一|"
    r"今ひとつ|いまひとつ|がっかり|ガッカリ|期待外れ|期待はずれ|過ぎ|すぎ|高(?:い|か|く|額|価|め)|値段|料金|有料|休館|"
    r"(?<![夏冬春昼連])休み|休業|定休|閉|しま(?:って|る|った)|工事|売り切れ|売切|品切れ|故障|壊れ|疲れ|しんど|きつ|キツ|厳し|心配|気にな|嫌|"
    r"いや(?:な|だ)|最悪|ダメ|だめ|駄目|ひど|酷|弱|遅|欠|減|無理|失敗|迷惑|注意|危険|損|雨|雪|虫|熊|猿|蜂|カメムシ|"
    r"人が多|行列|ほし|欲し|くださ|下さ|頂きたい|いただきたい|もらいたい|願|希望|要望|望(?:む|み|ま|んで)|期待|たい|"
    r"たかった|もっと|もう少し|もうすこし|もうちょっと|少し|すこし|ちょっと|増や|増え|改善|整備|検討|工夫|対策|必要|べき|"
    r"導入|設置|作って|延長|延ば|拡大|拡充|見直|欲|たら|[えけせてねへめれげぜでべぺエケセテネヘメレ]ば|あれ[びぶべぼ]|なら(?!では)|と(?:良|よ|い)(?:い|かった|かな|です)|と嬉|とうれ|"
    r"と助か|とありがた|と便利|と楽し|と最高|と有難|あっても|(?<!と)(?<!とっ)ても(?:良|よ|いい)|でも(?:良|よ|い)|"
    r"ほうが|(?<!の)方が|(?:以前|昔|前回|去年|昨年|(?<![一-龥])前)[^、。]{0,12}?方が|より(?:も)?.*方が|ように|ような|(?:くれ|もらえ|いただけ|頂け)(?:る(?!ので|から)|れば|たら)|"
    r"(?<![いく])て(?:いい|良い|よい)と思|"  # (渡しやすくて良いと思った: a quality, not a permission)
    r"(?<!なの)で(?:良|よ|い)い|のが(?:良|よ|い)い|(?<!た)のが一番(?:です|だ|ですね|かな|と思います|だと思います)?$|は[^はが]{1,8}が(?:良|よ|い)い|など(?:が|も|は|)(?:良|よ|い)い|"
    r"(?<!とて)(?<!とって)も(?:良|よ|い)い(?:と思|のでは|かな|かも)|"
    r"(?:る|だ)と(?!ても|っても|思|感じ|言|いう|聞|ころ|き)|いと(?!ても|思|感じ|言|いう|聞|ころ)|"
    r"滑り|すべり|脱げ|ぬげ|濡れ|転び|転倒|こぼれ|詰まり|間違|ズレ|ずれ|落ち|忘れ(?!られ)|でしょう|かな$|"
    r"かも|けど|けれど|ものの|でも$|しかし|ただし|^ただ(?!ただ)|一方|反面|以外|除けば|除いて|気を付け|気をつけ|"
    r"ぼったくり|割高|分から|わから|知ら|やっと|ようやく|なんとか|何とか|どうにか|探し|並び|諦め|あきらめ|断ら|"
    r"外れ|取られ|とられ|言われ|満車|満席|だらけ|似た|似て|代わり映え|代わりばえ|ありきたり|"
    r"同じ(?:物|もの|ような|様な|よう|商品|店|お店|種類|土産|お土産|品|メニュー|内容|感じ)|"
    r"(?:なお|尚|更に|さらに)(?:良|よ|い|嬉|うれ|便利|あり|有|助か)|[くすつぬむぐぶ]と(?!思|感じ|言|いう|聞|ころ|き|ても|っても)")


# 「体験型がよい」「海鮮が良いと思います」 name what the answer would like (a request), unlike
# 「雰囲気が良い」「交通の便がいい」, which judge a quality of the place: a present-tense いい/良い
# after が is praise only after a word for such a quality, or with an intensifier before it.
_PREFERENCE = re.compile(r"([ぁ-んァ-ヶー一-龥a-z0-9]{1,6})が(?:良|よ|い)い(?:です|ですね|な|ね|と思います|と思う|と思った|"
                         r"と思いました|かな)*$")
_QUALITY = re.compile(r"(?:雰囲気|景色|景観|眺め|眺望|見晴らし|便|感じ|居心地|心地|対応|接客|味|品揃え|空気|天気|"
                      r"印象|立地|動線|流れ|気持ち|質|品質|鮮度|コスパ|環境|水|サービス|ところ|所|点|場所|位置|"
                      r"使い勝手|手際|愛想|人柄|人|方|皆さん|みなさん|スタッフ|店員|雰囲気|街並み|町並み|空間|"
                      r"景色も|全部|全て|すべて|どれも|何もかも|どこも)$")


# 「公共交通機関の充実です」「トイレの清潔さ」: a quality word after の is a noun, what the answer
# asks for, not a judgement of the place (but 予想以上の感動でした is one).
_NOMINAL = re.compile(rf"(?<![もそこあど])の(?:{_NA_WORD}(?:さ|化)?|(?:充実|便利|快適|安心|安全|清潔|綺麗|きれい|キレイ|"
                      r"豊富|活気|おしゃれ|オシャレ)(?:さ|化)?(?:です|でした|だ|を))$")


# 「落ち着いた食事ができる場所がいい」: a kind of place (場所, 店) described and then called good is the place the
# answer would like.
_WISHED_PLACE = re.compile(r"(?:る|た|い|な|の)(?:場所|店|お店|施設)(?:が|の方が)(?:良|よ|い)い"
                           r"(?:です|ですね|な|ね|と思います|と思う|かな)*$")


# Looking forward, with nothing named (毎年楽しみにしています, これからも楽しみにしております): 新しい商品の開発を
# 楽しみにしています may be a wish for what is not there yet.
_LOOKING_FORWARD = re.compile(r"^(?:毎年|毎回|毎週|毎月|毎日|いつも|これからも|今後も|次回も|次も|また|又|今年も|来年も|今から|とても|"
                              rf"すごく|本当に|大変|非常に)*楽しみにして(?:います|いる|おります|ます|る){_PRAISE_END}")


# Surprised by a quality (手続きがとてもスムーズで驚きました): tried only on a clause that has 驚 or びっくり (the
# quality words are slow to try at every position).
_SURPRISED = re.compile(rf"{_NA_WORD}で(?:(?:驚き|驚い|びっくりし)(?:ました|た)|びっくり|驚き){_PRAISE_END}")


def _praise_clause(clause: str) -> bool:
    praised = _praises(clause) or (_ARU_OR_FULL.search(clause) and _praises_noun(clause)) \
        or ("楽しみにし" in clause and _LOOKING_FORWARD.match(clause)) \
        or (("驚" in clause or "びっくり" in clause) and _SURPRISED.search(clause))
    if not praised or _NOMINAL.search(clause) or _WISHED_PLACE.search(clause) \
            or _CONCERN.search(_HARMLESS.sub("", clause)):
        return False
    wish = _PREFERENCE.search(clause)
    return not (wish and not _QUALITY.search(wish.group(1)))


def _denies(clause: str) -> bool:
    """Whether a clause (after any reason) only denies a problem or request (`_DENIAL_PATTERNS`)."""
    return bool(_DENIAL.match(clause) or (_ABOUT_MARK.search(clause) and _DENIAL_ABOUT.match(clause)))


def _nothing_kind(clause: str) -> str:
    """NOTHING when a clause denies any problem or request (特に不便はなかった), ENOUGH when it
    says things are fine as they are (現状で満足), after an optional reason (車なので…) that must
    not itself name a concern; else ""."""
    if _denies(clause):
        return NOTHING
    felt = ("感じ" in clause or "思" in clause) and _FELT_NOT.match(clause)
    if felt and _CONCERN.search(felt.group(1)):
        return NOTHING

    if _ENOUGH.match(clause):
        return ENOUGH
    if "ずに" in clause and _SPARED.match(clause) and not _CONCERN.search(_HARMLESS.sub("", clause)):
        return NOTHING
    for m in _BECAUSE_ENDS.finditer(clause, 1, MAX_REASON + 4):
        rest = clause[m.end():]
        said = ""
        if _denies(rest):
            said = NOTHING
        # After a reason in the te-form only a denial: 「二人で一匹で十分」 asks for smaller portions.
        elif _STRONG_END.search(clause, 0, m.end()):
            said = NOTHING if _BARE_NOTHING.match(rest) else ENOUGH if _ENOUGH.match(rest) else ""
        # The reason is read only behind a denial or satisfaction (the costlier test).
        if said and not _CONCERN.search(_HARMLESS.sub("", clause[:m.end()])):
            return said
    return ""


_QUESTION = re.compile(r"[?？]|でしょうか|ですか$|ますか$")
# An emoji that a Shift_JIS export could not hold comes out as "?" (とても親切でした?, 大満足でした?): a single
# "?" after a declarative ending, where a sentence ends, is no question.
_LOST_EMOJI = re.compile(r"(?:(?<=です)|(?<=した)|(?<=せん)|(?<=った)|(?<=しい)|(?<=ない))\?(?![?？])(?=$|\s|[。!！、])")

# What the visitor did, told plainly (お蕎麦をいただきました, 海鮮を目当てに来た, 梅干しを買いました): a clause that
# reports an action of the visit and nothing else. It neither praises nor asks; beside a praise
# clause it is the praise's setting (越前そばを初めていただきました。美味しかったです).
DONE = "done"
_DID = re.compile(r"(?:食べ|たべ|いただき|頂き|買い|買っ|購入し|行っ|行き|来|き|訪れ|訪問し|利用し|観光し|伺い|伺っ|"
                  r"うかがい|うかがっ|寄り|寄っ|泊まり|泊まっ|宿泊し|停め|参拝し|見学し|散策し|歩き|歩い|巡り|巡っ|"
                  r"回り|回っ|乗り|乗っ|過ごし|入り|入っ|使い|使っ|遊び|遊ん|立ち寄り|立ち寄っ|体験し|参加し|注文し|買って帰り|買って帰っ|"
                  r"頼み|頼ん|飲み|飲ん|撮り|撮っ|読み|読ん|聞い|聴い|通い|通っ|見|観)"
                  r"(?:ました|た|だ|[てで]いる|[てで]います|[てで]ます|[てで]る|[てで]いた|[てで]いました|てきました|てきた|て来ました|ます)(?:が|)$|"
                  r"(?:(?:利用|参加|使用|体験|見学|試食|試飲)させ|使わせ)て(?:(?:もらっ|いただい|頂い)(?:ています|ている|てます|ていました|た)|"
                  r"(?:もらい|いただき|頂き)ました)$|"
                  # help received (色々教えていただき, 窓口まで案内してくださいました)
                  r"(?:教え|案内し|説明し|対応し|手伝っ|助け|付き添っ)て(?:いただき|頂き|くださり|下さり|もらい|くれて|いただいた|頂いた|"
                  r"くださった|もらった|くれた|いただきました|頂きました|くださいました|下さいました|もらいました|くれました)$")
_did = ending(_DID)


# The kinds of the clauses read last, by text: a survey repeats its short clauses (とても良かった
# です, 特にありません) across answers, and a group is read whole and then in parts. Bounded, so a
# process holds at most this many (a few MB).
CLAUSES_REMEMBERED = 1 << 16


@functools.lru_cache(maxsize=CLAUSES_REMEMBERED)
def _clause_kind(piece: str) -> str:
    """One clause as written: "non_answer", "closing", "nothing", "enough", "praise", "done" or ""
    (anything else)."""
    clause = core(piece).strip("ーｰ～")
    if not clause:
        return "closing"
    if CLOSING.match(clause) or _SCOPE.match(clause) or len(clause) <= 16 and _ADDRESS.match(clause) \
            or _LAUGH.match(clause):
        return "closing"
    if is_non_answer(clause):
        return "non_answer"
    if _QUESTION.search(piece):
        return ""
    said = _nothing_kind(clause)
    if said:
        return said
    if _praise_clause(clause):
        return PRAISE
    if _did(clause) and not _CONCERN.search(_HARMLESS.sub("", clause)):
        # Praise given as the reason of what was done (温泉饅頭が美味しかったのでお土産に買いました) is praise.
        because = _PRAISE_BECAUSE.search(clause)
        if because and _praise_clause(clause[:because.start()]):
            return PRAISE
        return DONE
    # Two clauses joined by a giving continuative (丁寧に案内してくださり大丈夫でした): each read alone.
    joint = _GIVING.search(clause, 0, len(clause) - 2)
    if joint:
        first, rest = _clause_kind(clause[:joint.end()]), _clause_kind(clause[joint.end():])
        if first in (PRAISE, DONE) and rest in (PRAISE, NOTHING, ENOUGH, DONE) and (first, rest) != (DONE, DONE):
            return PRAISE if PRAISE in (first, rest) else rest
    return ""


_LAUGH = re.compile(r"^(?:笑|わら|w|草)+$")
_GIVING = re.compile(r"(?:てくださり|て下さり|ていただき|て頂き|てもらい|てくれて|てくださって|ていただいて)")
_PRAISE_BECAUSE = re.compile(r"(?<=[いたすだ])(?:ので|から)")


# A clause cut after a particle or a continuative (トイレも、 / 休憩スペースもあり、) or after a
# reason (車だったので、) goes on in the next piece; so does a bare noun before a comma, the topic
# of what follows (お蕎麦、とても美味しかった).
_GOES_ON = re.compile(rf"(?:{_BECAUSE_END}|(?<![な無])し|もてなし|く|あり|おり|なり|は|も|が|を|に|(?<!こ)と|や|たら|れば|(?<![んなも物])の|"
                      r"[一-龥ァ-ヶーa-z0-9])$")
_goes_on = ending(_GOES_ON)
_TRAILING = re.compile(r"(?:て|(?<!った)(?<!てた)で|し|く)$")  # (めっちゃ良かったで ends there, in Kansai)
_SCOPE = re.compile(rf"^{_ADVERB}$")  # 今のところ、 個人的には、: no content of its own
# Whom the answer addresses (職員の皆さん、 スタッフの方々へ): no content of its own either.
_ADDRESS = re.compile(r"^[^、。!?]{0,12}?(?:皆さん|皆様|みなさん|みなさま|方々|先生方|さん|様|さま)(?:へ|には|に|)$")


def _groups(parts: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    carry: list[str] = []
    for part in parts:
        carry.append(part)
        if not _goes_on(core(part)):
            out.append(carry)
            carry = []
    if carry:
        out.append(carry)
    return out


def _group_kinds(group: list[str]) -> list[str] | None:
    """The kinds of a group of pieces read as one clause or, failing that, as a first clause and
    the rest (トイレも、気持ちよいし、 + 不便なところは、ない); None when some part says more. A
    group read whole as only telling what was done (カレーがとても美味しくて、必ず食べます) is read in
    parts when a part praises."""
    whole = _clause_kind("".join(group))
    if whole and whole != DONE:
        return [whole]
    for i in range(1, len(group)):
        first = _clause_kind("".join(group[:i]))
        rest = _group_kinds(group[i:]) if first else None
        if rest is not None and (whole != DONE or PRAISE in [first] + rest):
            return [first] + rest
    return [whole] if whole else None


# A topic left alone by a space or comma (谷川のおそば  おいしかったです): a short piece that ends in no
# predicate, before a piece that is only a praise predicate, is read with it as one clause.
_BARE_PRAISE = re.compile(rf"^(?:とても|すごく|凄く|大変|本当に|ほんとに|めちゃくちゃ|非常に|とっても|すっごく|超|)"
                          rf"(?:{_I_ADJ}{_I_END}|{_NA_WORD}{_NA_END}|{_EXCLAIM}){_POLITE}{_THINK}{_POLITE}$")
_PREDICATE_END = re.compile(r"[たいすだるねよなかぬうしくてでがはもをにとや]$")
MAX_TOPIC = 16  # characters


def _topic_kinds(group: list[str], following: list[str]) -> list[str] | None:
    """The kinds of a bare topic and a bare praise predicate read as one clause, or None."""
    topic, predicate = core("".join(group)), core("".join(following))
    if len(topic) > MAX_TOPIC or _PREDICATE_END.search(topic):
        return None
    if _LOOKING_FORWARD.match(predicate):
        return [PRAISE]
    if not _BARE_PRAISE.match(predicate):
        return None
    found = _clause_kind("".join(group + following))
    return [found] if found == PRAISE else None


# What a praise after a list of bare topics says of all of them (鯖寿司、へしこ、カニなど、どれも美味しかったです).
_ALL_OF_THEM = re.compile(r"^(?:どれも|どれもこれも|全部|ぜんぶ|全て|すべて|いずれも|どちらも|何もかも|みんな|みな|皆)")
_ALL_OF_THEM_ANYWHERE = re.compile(_ALL_OF_THEM.pattern.removeprefix("^"))  # (the cheap test first)
MAX_LIST = 40  # characters of the listed topics


def _listed(groups: list[list[str]], i: int) -> int | None:
    """Where the praise of a list of bare topics starting at groups[i] ends (the index after it),
    or None: each topic short, ending in no predicate, and the praise one clause that starts by
    taking them all (`_ALL_OF_THEM`)."""
    total = 0
    for j in range(i, len(groups)):
        for k, piece in enumerate(groups[j]):
            clause = core(piece)
            if (j > i or k > 0) and _ALL_OF_THEM.match(clause):
                return j + 1 if _clause_kind("".join(groups[j][k:])) == PRAISE else None
            total += len(clause)
            if total > MAX_LIST or _PREDICATE_END.search(clause) and not clause.endswith(("など", "とか", "や")):
                return None
    return None


# The occasion of a visit, conceded to what follows (2回目の利用ですが、 初めての福井旅行でしたが、 子ども2人連れで
# したが、 夜遅くの救急でしたが、): a noun of the occasion and a copula, nothing judged. A judgement conceded
# (無愛想だったけど, カツが冷めていて固かったのですが, 階段が急。だが) names a concern that no marker word may show.
_WEATHER_WORDS = r"雨予報|あいにくの雨|雨|雪|台風|悪天候"  # an occasion, not the place's doing
_OCCASION = re.compile(r"(?:初めて|はじめて|初|[0-9一二三四五六七八九十何数]+回目|久しぶり|ぶり|旅行|観光|出張|帰省|連れ|付き添い|"
                       rf"付添い|救急|利用|参加|来訪|訪問|用事|仕事|平日|休日|週末|連休|{_WEATHER_WORDS}|合宿|短期間)"
                       r"(?:の[^、。がはをに]{1,10})?"
                       r"(?:です|でした|だ|だった|であった|なの|なん)$|"
                       r"(?:初めて|はじめて|久しぶりに|[0-9一二三四五六七八九十何数]+回目で)(?:来|き|行っ|訪れ|利用し|参加し|泊まっ)"
                       r"(?:た|ました)$")


# A worry the visitor had, conceded to what follows (船酔いが心配でしたが、 天気が不安だったけど、): the
# setting of a relief, not a concern about the place — when what follows is praise or relief.
_WORRIED = re.compile(r"(?:が|も|は|を|の)?(?:心配|不安|大の苦手|苦手)(?:でした|だった|していました|していた|してました|してた)$")


def _conceded(group: list[str]) -> list[str] | None:
    """A clause conceded to the next that only states the occasion (`_OCCASION`) or the visitor's
    own worry (`_WORRIED`): its setting, as a clause that tells what was done."""
    clause = core("".join(group))
    worried = _WORRIED.search(clause)
    if not worried and not _OCCASION.search(clause):
        return None
    cleaned = _HARMLESS.sub("", clause)
    said = _WORRIED.search(cleaned)
    if said:
        cleaned = cleaned[:said.start()]
    if _CONCERN.search(_WEATHER.sub("", cleaned)):
        return None
    return [DONE]


_WEATHER = re.compile(_WEATHER_WORDS)


# The words of a problem written in kana (とくにふべんはないです, もんだいなし, こまったことはない): read as
# their usual kanji, which the patterns spell.
_KANA_WORDS = re.compile(r"ふべん|ふまん|もんだい|ふじゆう|こま(?=[るっらりれ])")
_KANJI_OF = {"ふべん": "不便", "ふまん": "不満", "もんだい": "問題", "ふじゆう": "不自由", "こま": "困"}


# The question's words echoed before the answer (困りごと？特にないです, 要望ですか?特には): no question of the
# answer's own.
_ECHO = re.compile(rf"^{_ISSUE}(?:は|ですか|)[?？]+\s*(?=.)")


# Humble and formal forms (…ております, …でございます, 感謝申し上げます, と存じます), read as the plain polite
# forms the patterns spell: older respondents write them throughout.
_HUMBLE = re.compile(r"(?<=[てで])おり(?=ます|ました|まして)|でございます|でございました|申し上げ(?=ます|ました)|と存じ(?=ます)")
_PLAIN_OF = {"おり": "い", "でございます": "です", "でございました": "でした", "申し上げ": "し", "と存じ": "と思い"}


def _in_kanji(norm: str) -> str:
    """The answer as the patterns read it: problem words in kanji, humble forms as plain polite
    ones, a lost emoji's "?" and the question's words echoed before the answer dropped."""
    if "?" in norm:
        norm = _LOST_EMOJI.sub("", norm)
    norm = _KANA_WORDS.sub(lambda m: _KANJI_OF[m.group()], norm)
    if "おり" in norm or "ござい" in norm or "申し上げ" in norm or "存じ" in norm:
        norm = _HUMBLE.sub(lambda m: _PLAIN_OF[m.group()], norm)
    return _ECHO.sub("", norm) if "?" in norm else norm


_GOODWILL = re.compile(r"(?:今後とも|今後も|これからも|引き続き|ひきつづき|また)(?:どうぞ|)(?:よろしく|宜しく)お願い")


# A clause that ends as a predicate or a reason does (…早く, …見つかり, …ので): not a bare noun phrase, which
# is what a request looks like (駐車場の拡充, 洋式トイレ), nor one ending in a noun written in kana.
_NOUN_END = re.compile(r"(?:こと|もの|ところ|とこ|など|さ|[^ぁ-ん])$")


# What every denial or satisfaction clause holds one of (`_DENIAL_PATTERNS`, `_ENOUGH_PATTERNS`): an answer
# without any is not read clause by clause again.
_MAYBE_DENIAL = re.compile(r"な[いくかし]|無[いくかし]|ません|ず|満足|で(?:良|よ|い)い|十分|充分|満点|大丈夫|ok|オッケー|problem|まま|"
                           r"現状|これ以上|今以上|結構|申し分")


_STATEMENT_END = re.compile(r"(?:です|でした|ます|ました|だ|だった|た|だ|いる|ている|ておる)$")


# A story's statements: actions told in the past or as what goes on (…しました, …していました, …しています), not a
# copula (和式でした may be the lack), with no limit or number (現金のみ, 最終バスが17時).
_TOLD = re.compile(r"(?:ました|[たっいきしちにびみりえけせてねめれげぜでべ]た|んだ|ている|ています|ていた|ていました|てます|てる|でいます|でいました)$")
_LIMITED = re.compile(r"だけ|のみ|しか|ばかり|まで|[0-9０-９一二三四五六七八九十百千]+(?:時|分|円|本|回|日|時間|km|キロ|メートル|人|組|件|台|か所|ヶ所|箇所|番)")
MAX_STORY = 5  # clauses


def _story(norm: str, parts: list[str]) -> str:
    """PRAISE for a short story of what happened that ends in praise or thanks (農家民泊で二泊しました。…最高の
    思い出です): every clause before the last told as an action with no concern marker, no limit and no
    number, nothing conceded; else ""."""
    if not 2 <= len(parts) <= MAX_STORY:
        return ""
    told = [core(part) for part in parts[:-1]]
    # The cheap tests first: most answers that get here name a concern early.
    if any(_LIMITED.search(c) or _CONCERN.search(c) and _CONCERN.search(_HARMLESS.sub("", c)) for c in told):
        return ""
    if _clause_kind(parts[-1]) != PRAISE or any(concessive(norm)):
        return ""
    if all(_TOLD.search(c) or _clause_kind(part) in (PRAISE, DONE, "closing") for c, part in zip(told, parts)):
        return PRAISE
    return ""


def _denied_in_setting(norm: str, parts: list[str]) -> str:
    """AMID for an answer with a clause that denies any problem or request and
    otherwise only plain statements around it, none with a concern marker: 車で行ったので駐車場も
    すぐ見つかり、特に不便なことはありませんでした / 特に問題なし。配送も早かったです. Not when the denial is
    conceded to what follows (特に問題ないが、案内板が英語だけだった), nor when a statement ends in a noun
    (特にないです。洋式トイレ化). PRAISE for goodwill for what goes on after such statements; else ""."""
    goodwill = "お願い" in norm and _GOODWILL.search(norm)
    if "しかし" in norm or "ただし" in norm:
        return ""
    if not _MAYBE_DENIAL.search(norm):
        story = _story(norm, parts)
        if story or not goodwill:
            return story
    denials: list[int] = []
    plain: list[int] = []
    for i, part in enumerate(parts):
        clause = core(part)
        # A plain statement (the cheap test first: most answers fail at their first concern);
        # read for a denial only when nothing else failed (問題なく利用できました has no marker left).
        if not _NOUN_END.search(clause) and not (_CONCERN.search(clause) and _CONCERN.search(_HARMLESS.sub("", clause))):
            plain.append(i)
            continue
        k = _clause_kind(part)
        if k in (NOTHING, ENOUGH):
            denials.append(i)
        elif k not in (PRAISE, DONE, "closing", "non_answer"):
            return ""
    denials += [i for i in plain if _clause_kind(parts[i]) in (NOTHING, ENOUGH)]
    if not denials:
        # Goodwill for what goes on after statements of fact (子どもの頃から通っている公園です。これからも
        # よろしくお願いします): thanks, when each statement ends as one (not トイレを洋式に。よろしくお願いします).
        if goodwill and all(_STATEMENT_END.search(core(parts[i])) for i in plain):
            return PRAISE
        return ""
    conceded = concessive(norm)
    if any(conceded[i] for i in denials):
        return ""
    return AMID


def kind(norm: str) -> str:
    """What a whole answer (NFKC-normalised) does: "nothing" when it only says there is nothing
    to report (特に不便はなかった, 現状で満足, 自家用車なので困らなかった), "praise" when it only
    praises or thanks (とても良い所です, 最高の夏休みとなりました！), AMID when it says so among
    plain statements with no concern in them (`_denied_in_setting`), else ""."""
    original, norm = norm, _in_kanji(norm)
    if not norm or len(norm) > LONGEST or _QUESTION.search(norm):
        return ""
    parts = pieces(norm)
    conceded: list[bool] = []  # (`concessive`, found when first needed)
    kinds: list[str] = []
    groups = _groups(parts)
    i = n = 0  # n: the pieces before groups[i]
    while i < len(groups):
        found = _group_kinds(groups[i])
        if found is None and i + 1 < len(groups):
            conceded = conceded or concessive(norm)
            if conceded[n + len(groups[i]) - 1]:
                found = _conceded(groups[i])
        if found is None:
            listed = _listed(groups, i) if _ALL_OF_THEM_ANYWHERE.search(norm) else None
            if listed:
                kinds.append(PRAISE)
                n += sum(len(g) for g in groups[i:listed])
                i = listed
                continue
            found = _topic_kinds(groups[i], groups[i + 1]) if i + 1 < len(groups) else None
            if found is None:
                return _denied_in_setting(norm, parts)
            n += len(groups[i])
            i += 1
        kinds += found
        n += len(groups[i])
        i += 1
    # Praise that trails off (…隣と近くて。) leaves its point unsaid.
    if kinds and kinds[-1] == PRAISE and _TRAILING.search(core(parts[-1])):
        return ""
    for k in (PRAISE, ENOUGH, NOTHING):  # the answer is what its least common clause kind is
        if k in kinds:
            return k
    # Only "nothing" said in the words of a non-answer, after the question echoed (要望ですか？特にありません):
    # the non-answer table reads the whole text, echo included.
    if "non_answer" in kinds and all(k in ("non_answer", "closing") for k in kinds) and _ECHO.search(original):
        return NOTHING
    # Only goodwill for what goes on (引き続きよろしくお願いいたします), after what was done at most (いつも利用して
    # います。今後ともよろしくお願いいたします): thanks, as ありがとうございます is.
    if "closing" in kinds and all(k in ("closing", DONE) for k in kinds) and _GOODWILL.search(norm):
        return PRAISE
    return ""


def says_aside(norm: str, asks: str) -> bool:
    """Whether some clause of an answer (NFKC-normalised), read alone, is what a question on
    problems or requests sets aside (praise, satisfaction or nothing to report, `applies`):
    「駐車場が狭い。食事は美味しかった」. Such an answer names a concern, but not on its own: it is
    quoted after the theme's answers that only say the concern (`run._build_themes`). Not for
    other questions: to one on why something is not done, 「困っていることが特にない」 is the reason."""
    if asks not in ("problems", "requests") or not norm:
        return False
    return any(applies(_clause_kind(piece), asks) for piece in pieces(_in_kanji(norm)))


def applies(answer_kind: str, asks: str) -> bool:
    """Whether an answer of `answer_kind` is set aside as no_issue for a question that asks `asks`:
    a denial of any problem (特に不便はなかった) to every question but one on what went well;
    satisfaction (現状で満足) and praise only to questions on problems or requests — to a question
    on what went well or why (協働したくない理由: 今のままで十分) they are the answer."""
    if answer_kind == NOTHING:
        return asks != "good"
    if answer_kind in (ENOUGH, PRAISE, AMID):
        return asks in ("problems", "requests")
    return False


# --- How a question is framed ------------------------------------------------------------------


@dataclass(frozen=True)
class Framing:
    asks: str  # one of ASKS
    source: str  # "config", "title" or "answers"


_TITLE_PROBLEMS = re.compile(r"不便|困|課題|問題|不満|改善|悪かった|悪い点|苦労|障害|支障|心配|不安|トラブル|苦情|嫌|"
                             r"にくい|づらい|危な|危険|怖|満足して(?:いない|いません|ない)|満足でき(?:ない|なかった)")
# Why something is not done (協働したくない理由, 利用しない理由): the reasons are the content, 今の
# ままで十分 among them.
_TITLE_WHY_NOT = re.compile(r"(?:ない|なかった|ません|ず)(?:の|)理由|しない訳|しないわけ")
_TITLE_REQUESTS = re.compile(r"要望|求め|ほしい|欲しい|希望|意見|提案|必要|望む|期待|あれば|あると|とよい|と良い|といい|"
                             r"たらよい|たら良い|べき|アイデア")
_TITLE_GOOD = re.compile(r"よかった|良かった|良い点|よい点|良いところ|よいところ|満足(?:度)?の理由|満足した|満足して(?!いない|いません|ない)|魅力|"
                         r"おすすめ|オススメ|お勧め|推奨|楽しかった|印象に残|感動|気に入|好きな|成果|評価できる|"
                         r"役に立った|役立った|嬉しかった|うれしかった")
# Impressions (ご意見・ご感想, 参加した感想): praise is what such a question asks for among the rest.
_TITLE_IMPRESSIONS = re.compile(r"感想|所感")


def from_title(title: str) -> str:
    """The framing the question's title states, or "" when it states none. Problem words win
    over request words (不便に感じたこと・改善してほしいこと asks for problems). "other" for a
    title that asks for good points or impressions and problems or requests together (良かった
    点・悪かった点, ご意見・ご感想: praise is content there) and for one that asks why something is
    not done (協働したくない理由: 今のままで十分 is a reason); "" for impressions alone (今回の旅行の
    感想: the answers tell)."""
    good = bool(_TITLE_GOOD.search(title))
    impressions = bool(_TITLE_IMPRESSIONS.search(title)) and not good
    problems = bool(_TITLE_PROBLEMS.search(title))
    requests = bool(_TITLE_REQUESTS.search(title))
    if ((good or impressions) and (problems or requests)) or _TITLE_WHY_NOT.search(title):
        return "other"
    if impressions:
        return ""
    if good:
        return "good"
    if problems:
        return "problems"
    if requests:
        return "requests"
    return ""


# Markers for reading a question's framing from its answers (see `from_answers`).
_PROBLEM_MARK = re.compile(
    r"少な|狭|せま|遠|悪|汚|暑|寒|暗|古い|不便|不満|不足|不親切|不十分|困|残念|にく(?:い|かった|く)|づら(?:い|かった)|"
    r"混|込ん|渋滞|待ち|待た|並ん|大変|危|怖|難し|迷|分から|わから|高い|高かった|閉ま|休み|休館|工事|売り切れ|"
    r"(?:が|は|も)(?:ない|無い|なかった|無かった|なく|無く)")
_REQUEST_MARK = re.compile(
    r"ほし|欲し|くださ|下さ|希望|要望|たい|てもらい|いただき|頂き|もっと|もう少し|増や|充実を|充実して(?:ほ|欲)|"
    r"たら|れば|と(?:良|よ|い)い|と嬉|とうれ|と助か|とありがた|ても(?:良|よ|い)い|べき|必要|改善|整備")
MIN_ANSWERS = 20  # fewer answers say too little about the question


def from_answers(texts: Iterable[str], kind_of: Callable[[str], str] = kind) -> str:
    """The framing read from a question's answers (NFKC-normalised; non-answers left out by the
    caller). Each answer counts once, as praise-only, nothing-to-report, naming a problem
    (少ない, 狭い, 不便, 分かりにくい, …がない) or naming a request (ほしい, あれば, もっと). "good" when
    praise-only answers outnumber those naming a problem or a request: a question on problems or
    requests gets few praise-only answers, one on what went well gets mostly praise. Otherwise
    "problems" or "requests", whichever marker is more common, when answers naming either or
    saying there is nothing to report make at least a third of the answers; else "other" (a
    question of bare nouns or free opinions: nothing-to-report is still set aside, praise is
    kept). Fewer than MIN_ANSWERS answers: "other"."""
    n = problems = requests = praise = nothing = 0
    for text, m in Counter(texts).items():  # each distinct text read once, counted as often as given
        if not text:
            continue
        n += m
        k = kind_of(text)
        if k == PRAISE:
            praise += m
        elif k in (NOTHING, ENOUGH, AMID):
            nothing += m
        elif _PROBLEM_MARK.search(text):
            problems += m
        elif _REQUEST_MARK.search(text):
            requests += m
    if n < MIN_ANSWERS:
        return "other"
    if praise > problems + requests:
        return "good"
    if 3 * (problems + requests + nothing) < n:
        return "other"
    return "problems" if problems >= requests else "requests"


def framing(title: str, texts: Iterable[str], configured: str | None = None,
            kind_of: Callable[[str], str] = kind) -> Framing:
    """How a question is framed: as configured, else as its title says (the display title and
    the column name), else from its answers."""
    if configured:
        return Framing(configured, "config")
    stated = from_title(title)
    if stated:
        return Framing(stated, "title")
    return Framing(from_answers(texts, kind_of), "answers")


def mark(items: list[Prepared], title: str, configured: str | None = None,
         known: dict[str, str] | None = None) -> tuple[list[Prepared], Framing]:
    """A question's answers with `no_issue` set on the kept ones it applies to (`items` itself
    when it applies to none), and the framing used. `known`: kinds already found (normalised
    text → kind), shared across questions: the same answer text is read once."""
    known = {} if known is None else known

    def kind_of(text: str) -> str:
        found = known.get(text)
        if found is None:
            found = known[text] = kind(text)
        return found

    kept = [p.norm for p in items if not p.excluded_reason]
    found = framing(title, kept, configured, kind_of)
    # Decided once per distinct text (an export repeats its answers); `items` itself when none goes.
    aside = {norm for norm in dict.fromkeys(kept) if applies(kind_of(norm), found.asks)}
    if not aside:
        return items, found
    return [dataclasses.replace(p, excluded_reason=REASON) if not p.excluded_reason and p.norm in aside else p
            for p in items], found
