"""Answers set aside: empty, non_answer (says nothing on the subject) and no_issue (only says there
is nothing to report in the question's own terms, or only praises a question on problems or
requests). The table tests/data/nonanswer_cases.tsv holds real answers of the Fukui tourism
survey (credit in its header) and made ones, each with what its question asks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline import noissue
from pipeline.nonanswer import concessive, extra_set, pieces, reason
from pipeline.normalize import normalize

CASES_FILE = Path(__file__).parent / "data" / "nonanswer_cases.tsv"


def read_cases() -> list[tuple[str, str, str, str]]:
    with CASES_FILE.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t",
                              quoting=csv.QUOTE_NONE)
        return [(r["text"], r["asks"], r["expected"], r["source"]) for r in rows]


CASES = read_cases()


def set_aside(text: str, asks: str) -> str:
    """What the pipeline does with one answer to a question that asks `asks`."""
    norm = normalize(text)
    why = reason(norm)
    if why:
        return why
    return "no_issue" if noissue.applies(noissue.kind(norm), asks) else "keep"


@pytest.mark.parametrize("text,asks,expected,source", CASES, ids=[f"{c[3]}:{c[0][:20]}" for c in CASES])
def test_table(text, asks, expected, source):
    assert set_aside(text, asks) == expected


def test_table_is_large_and_mostly_real():
    aside = [c for c in CASES if c[2] != "keep"]
    kept = [c for c in CASES if c[2] == "keep"]
    assert len(aside) >= 150 and len(kept) >= 150
    assert {c[2] for c in CASES} == {"non_answer", "no_issue", "keep"} and {c[1] for c in CASES} <= set(noissue.ASKS)
    real = [c for c in CASES if c[3].startswith("fk-")]
    assert 2 * len(real) >= len(CASES)
    assert len({(c[0], c[1]) for c in CASES}) == len(CASES), "no case twice"


BASIC = [
    ("", "empty"), ("   ", "empty"), ("－", "empty"), ("ー", "empty"), ("・", "empty"), ("…", "empty"),
    ("？", "empty"), ("×", "empty"), ("-", "empty"),
    ("特になし", "non_answer"), ("特に無し。", "non_answer"), ("上と同じ", "non_answer"),
    ("特になし。以上です。", "non_answer"), ("以上です", ""),
    # No longer non_answer: they are no_issue where the question asks for problems (below).
    ("問題なし", ""), ("不便はなかった", ""), ("満足しています", ""), ("特に不満はない", ""),
    ("まだ協働したことがない", "non_answer"),
]


@pytest.mark.parametrize("text,expected", BASIC)
def test_reason(text, expected):
    assert reason(normalize(text)) == expected


def test_configured_non_answers():
    extra = extra_set(("該当する活動なし",))
    assert reason(normalize("該当する活動なし。"), extra) == "non_answer"
    assert reason(normalize("該当する活動なし。"), frozenset()) == ""


@pytest.mark.parametrize("text,expected", [
    ("特に不便はなかった", noissue.NOTHING), ("現状で満足です", noissue.ENOUGH), ("とても良い所です", noissue.PRAISE),
    ("特になし。満足しています", noissue.ENOUGH), ("特にありません。楽しかったです", noissue.PRAISE),
    ("特にないが、駐車場は狭い", ""), ("特になし", ""), ("x" * (noissue.LONGEST + 1), ""),
    # A denial among plain statements with no concern in them; not one conceded to what follows,
    # nor beside a statement that ends in a noun (a request as these questions get them).
    ("バスで来たので停留所もすぐわかり、特に困ることはありませんでした", noissue.AMID),
    ("問題は特にありません。受付も早かったです", noissue.AMID),
    ("特に問題はないが、展示の説明が英語だけだった", ""), ("特にありません。館内のWi-Fi化", ""),
    ("特に不便はありません。駐車場が狭いです", ""),
    # Good things found, what makes the place good, enjoyment going on; not an interest, which is a wish.
    ("美味しい食べ物がたくさんありました", noissue.PRAISE), ("地元の野菜が買えるのも魅力です", noissue.PRAISE),
    ("子どもがとても楽しんでいました", noissue.PRAISE), ("見どころ満載の町でした", noissue.PRAISE),
    ("美味しいお米に興味があります", ""), ("良い店が多くて良いが、場所に偏りがあると思った", ""),
    # An attributive cut off by a space goes on (ホテルからの 眺望); a list ending in もの does not.
    ("駅からの 眺めが素晴らしい", noissue.PRAISE), ("地元の食材 景色を活かしたもの 博物館はよかったです", ""),
    ("お店が揃ってると思う", noissue.PRAISE), ("そばが美味しい。毎回お土産に買って帰ります", noissue.PRAISE),
    ("安くてお得感がありました", noissue.PRAISE),
    # The words of a problem in kana are read as in kanji.
    ("とくにふべんはありません", noissue.NOTHING), ("もんだいなしです", noissue.NOTHING),
    ("こまったことはないです", noissue.NOTHING), ("ちょっとふべんでした", ""),
    # A lost emoji's "?" after a declarative ending is no question; a question stays one.
    ("スタッフの方がとても親切でした?", noissue.PRAISE), ("レンタサイクルはどこかにありました?", ""),
    ("ゆっくりできました???", ""),
    # Goodwill for what goes on is thanks, also after statements of fact or what was done.
    ("いつも通っている図書館です。これからもよろしくお願いします", noissue.PRAISE),
    ("毎週利用しています。今後ともよろしくお願いいたします", noissue.PRAISE),
    ("トイレを洋式に。よろしくお願いします", ""), ("駐車場が狭いです。これからもよろしくお願いします", ""),
    ("引き続きよろしくお願いいたします。", noissue.PRAISE), ("よろしくお願いします", ""),
    # A verb of having trouble denied, after where at most; not where it happened.
    ("初診でも迷いませんでした", noissue.NOTHING), ("手続きで戸惑うことはありませんでした", noissue.NOTHING),
    ("支払いで手間取ることもなかった", noissue.NOTHING), ("苦労しませんでした", noissue.NOTHING),
    ("少し迷いました", ""), ("駐車場の場所に迷うことはなかったが、狭かった", ""), ("迷わないように案内板がほしい", ""),
    # The question's words echoed before the answer are no question of its own.
    ("困りごと？特にないですね", noissue.NOTHING), ("要望ですか？特にありません", noissue.NOTHING),
    ("不便なこと？駐車場が狭い", ""), ("困りごと？", ""),
    # What was done by the place's leave (体験させてもらいました) is a setting; an absence praised in the past or with a
    # strong word is praise, a present よい may be the place wished for; liking the place said as a bare noun phrase.
    ("体験させてもらいました。とても楽しかったです", noissue.PRAISE),
    ("俗化していないところが良かった", noissue.PRAISE), ("何もないところがよい", ""),
    ("駐車場がないところが残念", ""), ("好きな県です", noissue.PRAISE), ("好きな食べ物", ""),
    # A wave dash ends a sentence (normalised 〜 is ～); a crowd, a jam or a queue denied; nothing to change;
    # a plain promise to come again; an occasion told with a verb; a comparison with before is a complaint.
    ("とくになかったよ〜楽しかった！", noissue.PRAISE), ("混雑もなかった", noissue.NOTHING),
    ("行列は特になかったです", noissue.NOTHING), ("迷子にならずに済みました", noissue.NOTHING),
    ("迷うこともなく回れました", noissue.NOTHING), ("要望なんてとんでもない", noissue.NOTHING),
    ("今の雰囲気が大好きなので、何も変えなくていいと思います", noissue.ENOUGH), ("また絶対来る！", noissue.PRAISE),
    ("初めて来たけど、めっちゃ楽しかった", noissue.PRAISE), ("また来る時は駐車場を広くして", ""),
    ("以前来たときの方がお湯が熱くて良かったです", ""), ("何もなかった", ""),
    # A list of bare topics praised all together; praise given as the reason of what was done; better than
    # expected; a lack denied.
    ("鯖寿司、へしこ、カニなど、どれも美味しかったです", noissue.PRAISE), ("そば、カニ、どれも美味しかった", noissue.PRAISE),
    ("駐車場、トイレ、どれも狭い", ""), ("そば、カニ、どれも食べたい", ""),
    ("温泉饅頭が美味しかったのでお土産に買いました", noissue.PRAISE), ("高かったので買いませんでした", ""),
    ("期待していた以上に美味しかったです", noissue.PRAISE), ("特に不足を感じなかった", noissue.NOTHING),
    # The visitor's own worry conceded to a relief; relief that something did not happen.
    ("船酔いが心配でしたが、全然揺れなくて安心しました", noissue.PRAISE),
    ("心配していた天気も晴れて、最高の花火でした", noissue.PRAISE), ("人出が少なくて良かったです", noissue.PRAISE),
    ("駐車場が心配でしたが、狭くて停めにくかった", ""), ("トイレがなくて困った", ""),
    # Humble forms read as plain polite ones; help received; two clauses joined by a giving continuative; the
    # respondent's own condition; a potential verb's failure denied; waiting denied; laughter closes.
    ("このままで十分でございます", noissue.ENOUGH), ("心より感謝申し上げます", noissue.PRAISE),
    ("受講してよかったと思っております", noissue.PRAISE), ("先生方には感謝の気持ちしかありません", noissue.PRAISE),
    ("色々教えていただき、毎回勉強になっております", noissue.PRAISE),
    ("職員の方が丁寧に案内してくださり大丈夫でした", noissue.PRAISE),
    ("説明がわかりやすく、足の悪い私でも無理なく参加できました", noissue.PRAISE), ("足が悪いので階段がつらい", ""),
    ("いつも空きがあり、停められなかったことはないです", noissue.AMID), ("停められなかったことはないです", noissue.NOTHING),
    ("当日はほとんど待ちませんでした", noissue.NOTHING), ("お祭りは毎年楽しみ！困ったことなんて無いよ〜笑", noissue.PRAISE),
    ("いつも時間通りに来てくれるので助かってます。これからもよろしく！", noissue.PRAISE),
    ("来てくれると助かります", ""), ("不安なく終えられました", noissue.NOTHING), ("来年も家族で来るつもりです", noissue.PRAISE),
    # What was spared; one's own dislike or fear conceded; weather as the occasion; 何ひとつ, ゼロ, 負担もなく.
    ("歯医者が大の苦手でしたが、痛みもほとんどなく、怖い思いをせずに済みました", noissue.NOTHING),
    ("運転が怖くて不安でしたが、教官が優しくて最後まで楽しく通えました", noissue.PRAISE),
    ("雨予報でしたが屋根付きの席で濡れずに済み、問題なく観戦できました", noissue.NOTHING),
    ("雨でしたが、屋根がなくて濡れました", ""), ("出張で利用しましたが、何ひとつ困ることはありませんでした", noissue.NOTHING),
    ("不満はゼロです", noissue.NOTHING), ("在宅勤務中心なので通勤の負担もなく、現状困っていることはありません", noissue.AMID),
    ("機械が苦手な私でも迷わず使えました", noissue.NOTHING), ("またツアーがあったら絶対行きます！！", noissue.PRAISE),
    ("駐車場があれば行きたい", ""), ("担任の先生のおかげだと思います。ありがとうございます", noissue.PRAISE),
    ("感謝の言葉しかありません", noissue.PRAISE), ("トイレがきれい", ""),
    # Good to excess; Kansai copulas; 100点; a bare びっくり; nothing to add; care taken everywhere; 何度来ても.
    ("コスパ良すぎ", noissue.PRAISE), ("値段が高すぎ", ""), ("これで十分やと思うよ", noissue.ENOUGH),
    ("めっちゃ良かったで", noissue.PRAISE), ("景色が綺麗で", ""), ("満足度100点です", noissue.ENOUGH),
    ("お刺身が新鮮でびっくり", noissue.PRAISE), ("何も付け足さなくていいと思う", noissue.ENOUGH),
    ("ゲレンデ整備が行き届いてた", noissue.PRAISE), ("必要なものは全部そろってました", noissue.PRAISE),
    ("値段も手ごろで良かった", noissue.PRAISE), ("何度来ても良いところです", noissue.PRAISE),
    ("整備してほしい", ""),
    # A short story of what happened that ends in praise: every clause before told as an action, no concern
    # marker, no limit, no number, nothing conceded.
    ("農家民泊で二泊しました。子どもたちは畑で玉ねぎを抜いていました。最高の思い出です", noissue.PRAISE),
    ("お団子屋さんが無愛想だったけど味は美味しかった", ""), ("支払いは現金のみでした。景色は最高でした", ""),
    ("最終バスが17時に出ました。景色は最高でした", ""),
])
def test_kind(text, expected):
    assert noissue.kind(normalize(text)) == expected


@pytest.mark.parametrize("kind,asks,applies", [
    (noissue.NOTHING, "problems", True), (noissue.NOTHING, "requests", True), (noissue.NOTHING, "other", True),
    (noissue.NOTHING, "good", False),
    (noissue.ENOUGH, "problems", True), (noissue.ENOUGH, "requests", True), (noissue.ENOUGH, "other", False),
    (noissue.ENOUGH, "good", False),
    (noissue.PRAISE, "problems", True), (noissue.PRAISE, "requests", True), (noissue.PRAISE, "other", False),
    (noissue.PRAISE, "good", False), ("", "problems", False),
    (noissue.AMID, "problems", True), (noissue.AMID, "requests", True), (noissue.AMID, "other", False),
    (noissue.AMID, "good", False),
])
def test_what_applies_to_which_question(kind, asks, applies):
    assert noissue.applies(kind, asks) is applies


@pytest.mark.parametrize("title,asks", [
    ("不便さの内容", "problems"), ("来訪中に困ったこと", "problems"), ("協働するうえでの課題", "problems"),
    ("不便に感じたこと・改善してほしいこと", "problems"),
    ("施設に求めるもの", "requests"), ("福井県に求めるもの", "requests"), ("ご意見・ご要望", "requests"),
    ("協働を進めるために整っているとよい環境", "requests"), ("今後あってほしいサービス", "requests"),
    ("満足度の理由", "good"), ("推奨項目", "good"), ("協働してよかったこと", "good"), ("地域の魅力", "good"),
    ("良かった点・悪かった点", "other"), ("協働したくない理由", "other"),
    ("ご意見・ご感想をお聞かせください", "other"), ("講座に参加した感想・今後希望するテーマ", "other"),
    ("今回の旅行の感想", ""), ("旅行の感想・不便に感じたこと", "other"), ("印象に残ったこと", "good"),
    ("inconv", ""), ("Q5", ""), ("自由記述", ""),
    ("公園の使いにくいところ", "problems"), ("通学路で危ないと感じる場所", "problems"),
    ("満足している点", "good"), ("満足していない点", "problems"), ("本事業の成果", "good"), ("研修で役に立ったこと", "good"),
    ("参加して嬉しかったこと", "good"), ("研修で学んだこと", ""), ("ボランティアを始めたきっかけ", ""),
])
def test_framing_from_the_title(title, asks):
    assert noissue.from_title(title) == asks


PROBLEMS = ["駐車場が狭い", "バスの本数が少ない", "トイレが分かりにくい", "特に不便はなかった", "道が混んでいた",
            "飲食店が少ない", "階段が多くて大変", "コンビニがない", "案内板が小さくて見にくい", "満足でした"]
REQUESTS = ["飲食店を増やしてほしい", "駐車場がもっとあれば良い", "今のままで良い", "地元の野菜", "足湯があると嬉しい",
            "Wi-Fiを整備してほしい", "海鮮", "体験メニューがほしい", "営業時間を延ばしてください", "案内の充実"]
GOOD = ["景色が最高でした", "料理が美味しかった", "スタッフが親切でした", "とても楽しかったです", "温泉が気持ちよかった",
        "海がきれいだった", "また来たいです", "駅から近くて便利", "子供が喜んでいました", "特に不満はない"]


@pytest.mark.parametrize("answers,asks", [
    (PROBLEMS * 3, "problems"), (REQUESTS * 3, "requests"), (GOOD * 3, "good"),
    (["海鮮", "そば", "恐竜博物館", "東尋坊", "カニ"] * 5, "other"),  # bare nouns: neither problems nor requests
    (PROBLEMS[:5], "other"),  # too few answers to say
])
def test_framing_from_the_answers(answers, asks):
    assert noissue.from_answers([normalize(a) for a in answers]) == asks


def test_configured_framing_wins_then_the_title():
    answers = [normalize(a) for a in GOOD * 3]
    assert noissue.framing("不便な点", answers, "requests") == noissue.Framing("requests", "config")
    assert noissue.framing("不便な点", answers) == noissue.Framing("problems", "title")
    assert noissue.framing("Q5", answers) == noissue.Framing("good", "answers")


@pytest.mark.parametrize("text,expected", [
    ("2回目の利用ですが、快適でした", [True, False]),
    ("初めてだけど楽しめた。また来たい", [True, False, False]),
    ("駐車場が狭い。トイレも古い", [False, False]),
    ("特になし", [False]),
    ("、、良かったです。", [False]),
])
def test_concessive_clauses_line_up_with_the_pieces(text, expected):
    """`concessive` marks the clauses that a concessive conjunction follows, one flag per piece."""
    assert len(concessive(text)) == len(pieces(text))
    assert concessive(text) == expected
