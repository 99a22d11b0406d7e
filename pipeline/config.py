"""One frozen configuration, read from TOML and the command line, written next to the outputs."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import UserError

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "euc-jp", "utf-16")
# What a question asks for (`[questions."列名"] asks = …`): it decides which answers are no_issue
# (pipeline.noissue). Unset: read from the question's title, else from its answers.
ASKS = ("problems", "requests", "good", "other")


@dataclass(frozen=True)
class Config:
    # input
    id_col: str = "id"
    text_cols: tuple[str, ...] = ("text",)
    question_col: str | None = None
    attr_cols: tuple[str, ...] = ()
    multi_separators: tuple[str, ...] = ("、", ";", "；", "／", "/")  # split multi-answer attribute cells (単純集計)
    encoding: str = "auto"
    sheet: str | None = None  # .xlsx: the sheet to read; the first one when None
    # analysis
    k: int | None = None  # None: choose the number of themes per question
    k_max: int = 10
    min_theme_size: int = 3
    seed: int = 0
    workers: int = 0  # processes for tokenization; 0 = one per core
    word_vectors: bool = True  # use chiVe word vectors when ja-ginza is installed
    stop_words: tuple[str, ...] = ()  # added to the built-in list
    user_phrases: tuple[str, ...] = ()  # kept as one term each (e.g. 協働事業提案制度)
    non_answers: tuple[str, ...] = ()  # whole answers that say nothing, added to the built-in list
    fixed_expressions: bool = True  # a question's fixed 名詞の名詞 (道の駅, 海の幸) counted as one term (`collocations`)
    # output
    mask: bool = True
    max_quotes: int = 5  # per theme in themes.json and the report (3..8)
    n_candidates: int = 20  # per theme in quotes.xlsx
    font_path: str | None = None  # a Japanese TrueType/OpenType font; IPAexGothic when None
    title: str = "自由記述の分析"
    question_titles: tuple[tuple[str, str], ...] = ()  # question → display title
    question_asks: tuple[tuple[str, str], ...] = ()  # question → one of ASKS

    def question_title(self, question: str) -> str:
        return dict(self.question_titles).get(question, question)

    def question_ask(self, question: str) -> str | None:
        """What the question asks for, as configured; None when the configuration says nothing."""
        return dict(self.question_asks).get(question)

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["question_titles"] = dict(self.question_titles)
        data["question_asks"] = dict(self.question_asks)
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


_TUPLE_FIELDS = {"text_cols", "attr_cols", "multi_separators", "stop_words", "user_phrases", "non_answers"}
FIELDS = frozenset(f.name for f in dataclasses.fields(Config))


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a config file into a dict of Config field values (not yet validated)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"設定ファイルが見つかりません: {path}", "--config に正しいパスを指定してください。")
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"設定ファイル {path} を読めません（TOML の書式の誤り）: {e}",
                        "記述を確認してください。") from None
    except UnicodeDecodeError:
        raise UserError(f"設定ファイル {path} は UTF-8 で保存してください。") from None
    values: dict[str, Any] = {}
    questions = raw.pop("questions", {})
    if not isinstance(questions, dict):
        raise UserError(f"設定ファイル {path}: [questions] は表（テーブル）で書いてください。")
    titles, asks = [], []
    for name, spec in questions.items():
        title = spec.get("title") if isinstance(spec, dict) else spec
        ask = spec.get("asks") if isinstance(spec, dict) else None
        if ask is not None:
            asks.append((str(name), ask))
        elif not isinstance(title, str):
            raise UserError(f"設定ファイル {path}: questions.\"{name}\" の title は文字列で書いてください。")
        if title is not None:
            if not isinstance(title, str):
                raise UserError(f"設定ファイル {path}: questions.\"{name}\" の title は文字列で書いてください。")
            titles.append((str(name), title))
    if titles:
        values["question_titles"] = tuple(titles)
    if asks:
        values["question_asks"] = tuple(asks)
    for key, value in raw.items():
        if key not in FIELDS or key in ("question_titles", "question_asks"):
            raise UserError(f"設定ファイル {path} に不明な項目があります: {key}",
                            "README の「設定ファイル」の節で使える項目を確認してください。")
        values[key] = value
    if values.get("font_path"):
        font = Path(values["font_path"])
        values["font_path"] = str(font if font.is_absolute() else (path.parent / font))
    return values


def build(values: dict[str, Any]) -> Config:
    """Validate values (from TOML and the command line) into a Config."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in _TUPLE_FIELDS:
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise UserError(f"設定 {key} は文字列のリストで指定してください。")
            value = tuple(value)
        clean[key] = value
    k = clean.get("k")
    if k == "auto":
        clean["k"] = None
    elif k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise UserError(f"テーマ数 k は 1 以上の整数か auto で指定してください（指定値: {k}）。")
    for key in ("seed", "k_max", "min_theme_size", "max_quotes", "n_candidates", "workers"):
        if key in clean and (not isinstance(clean[key], int) or isinstance(clean[key], bool) or clean[key] < 0):
            raise UserError(f"設定 {key} は 0 以上の整数で指定してください（指定値: {clean[key]}）。")
    if "max_quotes" in clean and not 3 <= clean["max_quotes"] <= 8:
        raise UserError("設定 max_quotes は 3 から 8 の整数で指定してください。")
    if clean.get("encoding", "auto") not in ENCODINGS:
        raise UserError(f"文字コード {clean['encoding']} には対応していません。",
                        f"--encoding には {' / '.join(ENCODINGS)} のいずれかを指定してください。")
    for key in ("mask", "word_vectors", "fixed_expressions"):
        if key in clean and not isinstance(clean[key], bool):
            raise UserError(f"設定 {key} は true か false で指定してください。")
    for key in ("question_titles", "question_asks"):  # a {question: value} table from Python is fine too
        if isinstance(clean.get(key), dict):
            clean[key] = tuple(clean[key].items())
    for name, ask in clean.get("question_asks", ()):
        if ask not in ASKS:
            raise UserError(f"設問「{name}」の asks に {ask!r} は使えません。",
                            f"{' / '.join(ASKS)} のいずれかを指定してください（problems: 不便・問題をたずねる設問、"
                            "requests: 要望をたずねる設問、good: 良かった点をたずねる設問、other: それ以外）。")
    for key in ("id_col", "question_col", "sheet", "font_path", "title"):
        if clean.get(key) is not None and not isinstance(clean[key], str):
            raise UserError(f"設定 {key} は文字列で指定してください。")
    return Config(**clean)
