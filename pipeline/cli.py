"""Command line: parses arguments, calls the library, turns user errors into exit status 2."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from pipeline import config as configuration
from pipeline.errors import UserError

PROG = "python -m pipeline"
CACHE_FOLDER = ".cache"  # inside --out: see pipeline.cache


class _Parser(argparse.ArgumentParser):
    """argparse with its errors in Japanese and raised as UserError (exit 2, no usage dump)."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        raise UserError(_translate(message), f"使い方は `{self.prog} --help` で確認できます。")


def _translate(message: str) -> str:
    patterns = [
        (r"argument COMMAND: invalid choice: (.*?) \(choose from (.*)\)", "不明なコマンドです: {0}（使えるコマンド: {1}）"),
        (r"unrecognized arguments: (.*)", "不明なオプションです: {0}"),
        (r"the following arguments are required: (.*)", "必要な引数がありません: {0}"),
        (r"argument (\S+): expected one argument", "オプション {0} には値が必要です。"),
        (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "オプション {0} の値 {1} は使えません（選べる値: {2}）。"),
        (r"argument (\S+): invalid (\w+) value: (.*)", "オプション {0} の値 {2} が正しくありません。"),
        (r"argument (\S+): (.*)", "オプション {0}: {1}"),
        (r"invalid choice: (.*?) \(choose from (.*)\)", "不明なコマンドです: {0}（使えるコマンド: {1}）"),
        (r"ambiguous option: (\S+) could match (.*)", "オプション {0} があいまいです（候補: {1}）。"),
    ]
    for pattern, template in patterns:
        m = re.fullmatch(pattern, message)
        if m:
            return template.format(*m.groups())
    return f"コマンドラインの指定が正しくありません: {message}"


def _k_value(text: str):
    if text == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        k = 0
    if k < 1:
        raise argparse.ArgumentTypeError(f"テーマ数 --k は 1 以上の整数か auto で指定してください（指定値: {text}）")
    return k


def _int_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"整数で指定してください（指定値: {text}）") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 以上の整数で指定してください（指定値: {text}）")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="自由記述の回答をテーマに分類し、集計・抜粋・報告書を作ります。")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    themes = sub.add_parser("themes", help="回答をテーマに分類して出力フォルダに結果を書き出す",
                            description="自由記述の回答をテーマに分類し、assignments.csv・themes.json・"
                                        "quotes.xlsx・ワードクラウド・report.html を書き出します。")
    themes.add_argument("input", metavar="INPUT", help="アンケートの書き出し（.csv / .tsv / .xlsx）")
    themes.add_argument("--out", required=True, metavar="DIR", help="出力フォルダ（完成してから置き換えます）")
    themes.add_argument("--id-col", metavar="NAME", help="ID の列（既定: id。列がなければ行番号）")
    themes.add_argument("--text-col", action="append", metavar="NAME",
                        help="回答の列（既定: text）。横持ちの表では設問ごとに繰り返し指定")
    themes.add_argument("--question-col", metavar="NAME", help="縦持ちの表で設問名が入った列")
    themes.add_argument("--attr-col", action="append", metavar="NAME", help="回答者の属性の列（団体種別・年代など）。繰り返し指定可")
    themes.add_argument("--k", type=_k_value, metavar="N|auto", help="設問ごとのテーマ数（既定: auto）")
    themes.add_argument("--seed", type=_int_value, metavar="N", help="乱数シード（既定: 0）。同じ入力・同じシードなら同じ結果")
    themes.add_argument("--encoding", choices=configuration.ENCODINGS, help="文字コード（既定: auto）")
    themes.add_argument("--config", metavar="FILE.toml", help="設定ファイル（ストップワード・ユーザー辞書など）")
    themes.add_argument("--sheet", metavar="NAME", help="Excel の読み込むシート（既定: 最初のシート）")
    themes.add_argument("--no-mask", action="store_true", help="個人情報のマスキングをしない（取り扱いに注意）")
    themes.add_argument("--workers", type=_int_value, metavar="N", help="形態素解析に使うプロセス数（既定: 0 = コア数）")
    themes.add_argument("--quiet", action="store_true", help="進み具合を表示しない")
    themes.add_argument("--review", metavar="quotes.xlsx",
                        help="前回の採用・ラベル修正を引き継ぐ確認用ファイル（既定: 出力フォルダの quotes.xlsx があれば使う）")
    themes.add_argument("--no-review", action="store_true", help="前回の採用・ラベル修正を引き継がない")
    themes.add_argument("--previous", metavar="DIR",
                        help="前回の調査の出力フォルダ。テーマごとの前回の割合と今回の割合を並べ、変化を検定する")
    themes.add_argument("--no-cache", action="store_true",
                        help="前回の実行の途中結果（出力フォルダの .cache）を使わず、残さない")
    themes.add_argument("--codebook", metavar="FILE",
                        help="テーマを定義したコードブック（出力の codebook.toml か、Excel で編集できる codebook.xlsx、"
                             "または KH Coder のコーディングルール .txt）。"
                             "自動で見つける代わりに、このテーマで回答を分類する")
    kwic = sub.add_parser("kwic", help="語を含む回答を前後の文脈つきで一覧する（KWIC）",
                          description="WORD を含むすべての回答を、前後の文脈をそろえて表示します（マスキング済み）。"
                                      "正規化した文字列と見出し語の両方で探すので、「予算」で「予算がない」「予算的に」も、"
                                      "「増える」で「増えた」も見つかります。")
    kwic.add_argument("input", metavar="INPUT", help="アンケートの書き出し（.csv / .tsv / .xlsx）")
    kwic.add_argument("word", metavar="WORD", help="探す語")
    kwic.add_argument("--width", type=_int_value, default=20, metavar="N", help="前後の文脈の幅（半角換算の桁数、既定: 20）")
    kwic.add_argument("--results", metavar="DIR", help="テーマを表示するための分析結果のフォルダ（themes の --out）")
    for flag, kw in (("--id-col", {}), ("--text-col", {"action": "append"}), ("--question-col", {}),
                     ("--encoding", {"choices": configuration.ENCODINGS}), ("--config", {}), ("--sheet", {})):
        kwic.add_argument(flag, metavar=None if "choices" in kw else "NAME", **kw)
    report = sub.add_parser("report", help="quotes.xlsx の採用・ラベル修正を反映して報告書を作り直す（再分類しない）",
                            description="分析済みの出力フォルダの report.html と themes.json を、quotes.xlsx で選んだ"
                                        "抜粋と修正したラベルで作り直します。テーマの分類はやり直しません。")
    report.add_argument("--review", required=True, metavar="quotes.xlsx", help="採用・ラベル修正を記入した quotes.xlsx")
    report.add_argument("--out", required=True, metavar="DIR", help="分析済みの出力フォルダ（ここを更新します）")
    return parser


_OPTION_FIELDS = {"id_col": "id_col", "text_col": "text_cols", "question_col": "question_col",
                  "attr_col": "attr_cols", "k": "k", "seed": "seed", "encoding": "encoding", "sheet": "sheet",
                  "workers": "workers"}


def _config_from(args: argparse.Namespace) -> configuration.Config:
    values = configuration.read_toml(args.config) if args.config else {}
    for option, field in _OPTION_FIELDS.items():
        value = getattr(args, option, None)
        if value is not None:
            values[field] = value
    if getattr(args, "no_mask", False):
        values["mask"] = False
    return configuration.build(values)


def run_themes(args: argparse.Namespace) -> int:
    from pipeline import api

    config = _config_from(args)
    out = Path(args.out)
    review_path = Path(args.review) if args.review else out / "quotes.xlsx"
    use_review = not args.no_review and (args.review is not None or review_path.is_file())
    # Prepared answers, images and font subsets of the same data are reused from DIR/.cache (the
    # codebook loop reruns on the same input after every edit).
    from pipeline.cache import Cache

    # Held until the outputs are complete: a run that fails leaves DIR as it was.
    cache = None if args.no_cache else Cache(out / CACHE_FOLDER, defer=True)
    from pipeline.outputs import EarlyClouds

    clouds = EarlyClouds(config, cache)  # word clouds drawn while the last questions are analysed
    try:
        result = api.analyse(Path(args.input), config, quiet=args.quiet, codebook=args.codebook,
                             previous=args.previous, cache=cache, clouds=clouds)
        _warn(result.notices)
        if use_review:
            result = _carry_over(result, review_path)
        api.write(result, out, cache=cache, quiet=args.quiet, clouds=clouds)
    finally:
        clouds.close()
    answered = sum(r.n_answers for r in result)
    kept = sum(r.n_answers - r.n_excluded for r in result)
    print(f"{answered} 件の回答（分析対象 {kept} 件）を {len(result)} 設問で分析し、{args.out} に書き出しました。")
    for r in result:
        for line in r.review_log:
            print(f"［{r.question}］{line}")
    return 0


def _warn(lines) -> None:
    """Warnings the user should see (what the run did without, marks it could not read)."""
    for line in lines:
        print(f"注意: {line}", file=sys.stderr)


def _with_questions(result, questions):
    """`result` with reviewed questions; overviews and cross-tabs follow the new labels."""
    import dataclasses

    from pipeline.run import summarised

    return dataclasses.replace(result, questions=tuple(summarised(q, result.config) for q in questions))


def _carry_over(result, review_path: Path):
    """Staff's earlier picks and labels (quotes.xlsx beside an earlier result) onto new results."""
    from pipeline import review
    from pipeline.outputs import STATE, read_results

    previous = review_path.parent
    earlier = previous / STATE
    # The earlier state is read only when staff made choices (a rerun after a codebook edit
    # usually has none), or when the sheets are of questions this input does not have.
    try:
        choices = review.read(review_path, [r.question for r in result])
        old = None
    except UserError:
        if not earlier.is_file():
            raise
        old = list(read_results(previous))
        choices = review.read(review_path, [r.question for r in old])
    _warn(choices.warnings)
    if choices.empty():
        return result
    if old is None:
        old = list(read_results(previous)) if earlier.is_file() else []
    return _with_questions(result, review.carry_over(list(result), choices, old, result.config.max_quotes))


def run_report(args: argparse.Namespace) -> int:
    from pipeline import review
    from pipeline.outputs import read_results, write_all

    out = Path(args.out)
    result = read_results(out)
    choices = review.read(Path(args.review), [r.question for r in result])
    _warn(choices.warnings)
    result = _with_questions(result, review.apply(list(result), choices, Path(args.review), result.config.max_quotes))
    write_all(result, out, reuse_images=out)
    picked = sum(q.picked for r in result for t in r.themes for q in t.quotes)
    renamed = sum(bool(t.auto_label) for r in result for t in r.themes)
    print(f"採用 {picked} 件・ラベル修正 {renamed} 件を反映して {out / 'report.html'} を作り直しました。")
    return 0


def run_kwic(args: argparse.Namespace) -> int:
    from pipeline import kwic
    from pipeline.load import load
    from pipeline.run import prepare
    from pipeline.tokenize import Tokenizer

    config = _config_from(args)
    if not args.word.strip():
        raise UserError("探す語が空です。", "例: python -m pipeline kwic 回答.csv 予算")
    themes = _theme_labels(Path(args.results)) if args.results else {}
    tokenizer = Tokenizer()
    items = prepare(load(Path(args.input), config), config, tokenizer)
    found = kwic.lines(items, args.word, tokenizer, args.width)
    id_width = max((kwic.columns(line.id) for line in found), default=2)
    theme_width = max((kwic.columns(themes.get((line.question, line.id), "-")) for line in found), default=1)
    for line in found:
        theme = themes.get((line.question, line.id), "-")
        print(f"{line.id}{' ' * (id_width - kwic.columns(line.id))}  "
              f"{theme}{' ' * (theme_width - kwic.columns(theme))}  {line.left}【{line.key}】{line.right}")
    questions = len({line.question for line in found})
    print(f"「{args.word}」: {len(found)} 件（{questions} 設問）", file=sys.stderr)
    return 0


def _theme_labels(out: Path) -> dict[tuple[str, str], str]:
    from pipeline.outputs import read_results

    labels = {}
    for r in read_results(out):
        names = {t.theme_id: t.label for t in r.themes}
        for a in r.assignments:
            labels[(r.question, a.answer.id)] = names.get(a.theme_id) or f"（除外: {a.excluded_reason}）"
    return labels


COMMANDS = {"themes": run_themes, "report": run_report, "kwic": run_kwic}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UserError as e:
        print(f"エラー: {e.message}", file=sys.stderr)
        if e.hint:
            print(e.hint, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
