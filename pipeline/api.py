"""The library entry points: analyse answers held in memory or in a file, write the outputs.

    import pipeline
    result = pipeline.analyse({"困っていること": ["書類が多い", "会場がない", …]})
    for theme in result[0].themes:
        print(theme.label, theme.size, theme.share)
    pipeline.write(result, "結果")

Nothing here changes process-wide state (no matplotlib backend switch, no csv limits, no umask).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.cache import Cache
from pipeline.config import Config, build
from pipeline.errors import UserError
from pipeline.progress import Progress
from pipeline.records import Answer, Result

Data = Any  # a path, Answers, texts, {question: texts}, or a pandas DataFrame


def analyse(data: Data, config: Config | Mapping[str, Any] | None = None, *, quiet: bool = True,
            codebook: str | Path | None = None, previous: str | Path | None = None,
            cache: str | Path | Cache | None = None, clouds: Any = None) -> Result:
    """Themes, quotes, views and cross-tabs of every question of `data`.

    `data` is one of:
    - a path to a .csv / .tsv / .xlsx export (read as the command line reads it, with the
      config's `id_col`, `text_cols`, `question_col`, `attr_cols`, `encoding`, `sheet`);
    - a sequence of `Answer` records;
    - a sequence of texts (one question, named after the config's first text column), ids 1…n;
    - a mapping question → sequence of texts (a wide table: the i-th texts of every question
      are one respondent's, ids 1…n);
    - a pandas DataFrame (or anything with `columns` and `to_dict("records")`), read with the
      config's columns as a table would be.
    `config` is a `Config`, a mapping of its fields (as in the TOML file), or None for defaults.
    `codebook`: a codebook.toml or codebook.xlsx (or a KH Coder coding-rule .txt) whose themes
    code the questions it names, instead of finding themes (see README "The codebook loop"). `previous`: an earlier run's
    output folder; each theme's share there (same question, same key) is set beside this run's.
    `cache`: a folder (or a `cache.Cache`) where the prepared answers are kept for the next run on
    the same input and settings (the command line uses DIR/.cache); None (the default) writes
    nothing. `clouds`: an `outputs.EarlyClouds`, which draws the word clouds of the questions
    already analysed while the last ones run (when questions are analysed side by side); give it
    to `write` too, and `close` it after.
    Errors a user can fix raise `UserError` (a Japanese message).
    """
    config = _config(config)
    progress, store = Progress(quiet=quiet), _cache(cache)
    answers, name = _answers(data, config, progress)
    # The answers' preparation starts first, in worker processes forked from this process before
    # it imports the analysis (scikit-learn, SciPy: 0.8 s), which it then does while they work.
    from pipeline.prepare import Preparation

    preparation = Preparation(answers, config, None, progress, store)
    try:
        from pipeline.run import analyse as run

        result = run(answers, config, progress, input_name=name,
                     codebook_path=Path(codebook) if codebook is not None else None,
                     previous_path=Path(previous) if previous is not None else None,
                     cache=store, preparation=preparation, clouds=clouds)
    finally:
        preparation.close()
    if previous is not None:
        from pipeline.run import with_previous

        result = with_previous(result, Path(previous))
    return result


def write(result: Result, out_dir: str | Path, *, cache: str | Path | Cache | None = None, quiet: bool = True,
          clouds: Any = None) -> Path:
    """Write every output of `result` (assignments.csv, themes.json, quotes.xlsx, report.html,
    images, …) into `out_dir`, replacing an earlier result only when complete. `cache`: a folder
    where images and the report's font subset are kept for the next run (see `analyse`);
    `quiet=False`: a progress bar on stderr when it is a terminal. `clouds`: the `EarlyClouds`
    given to `analyse`, whose drawn clouds are taken instead of drawn again."""
    from pipeline.outputs import write_all

    out = Path(out_dir)
    write_all(result, out, cache=_cache(cache), progress=Progress(quiet=quiet), early=clouds)
    return out


def _cache(cache: str | Path | Cache | None) -> Cache | None:
    return cache if isinstance(cache, Cache) or cache is None else Cache(Path(cache))


def _config(config: Config | Mapping[str, Any] | None) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return build(dict(config))
    raise TypeError(f"config must be a Config, a mapping or None, not {type(config).__name__}")


def _answers(data: Data, config: Config, progress: Progress | None = None) -> tuple[list[Answer], str]:
    from pipeline.load import load, to_answers

    if isinstance(data, (str, Path)):
        return load(Path(data), config, progress), Path(data).name
    if hasattr(data, "columns") and hasattr(data, "to_dict"):  # a pandas DataFrame
        header = [str(c) for c in data.columns]
        rows = [[_text(record[c]) for c in data.columns] for record in data.to_dict("records")]
        return to_answers(Path("DataFrame"), header, rows, config), ""
    if isinstance(data, Mapping):
        columns = {str(q): list(texts) for q, texts in data.items()}
        n = max((len(t) for t in columns.values()), default=0)
        header = list(columns)
        rows = [[_text(t[i]) if i < len(t) else "" for t in columns.values()] for i in range(n)]
        return to_answers(Path("data"), header, rows, dataclasses.replace(config, text_cols=tuple(header),
                                                                           question_col=None)), ""
    if isinstance(data, Sequence) and all(isinstance(a, Answer) for a in data):
        return list(data), ""
    if isinstance(data, Sequence) and all(isinstance(t, str) or t is None for t in data):
        question = config.text_cols[0]
        return [Answer(id=str(i), question=question, row=i, raw=t or "") for i, t in enumerate(data, start=1)], ""
    raise UserError("分析するデータの形が分かりません。",
                    "ファイルのパス、回答の文字列のリスト、{設問: 回答のリスト}、または DataFrame を渡してください。")


def _text(value: Any) -> str:
    """A cell as text; missing values (None, NaN) are blank."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    from pipeline.load import cell_text

    return cell_text(value)
