"""自由記述テーマ分析: themes, quotes and a Japanese report from free-text survey answers.

Library use (see README "Python API"):

    import pipeline
    result = pipeline.analyse("回答.csv", {"text_cols": ["自由記述"], "attr_cols": ["年代"]})
    pipeline.write(result, "結果")

Stages, one module each: load → normalize → nonanswer → mask → tokenize → vectorize →
cluster → label → quotes → crosstab / network / kwic → render → report; `run` assembles them,
`api` is the library entry point, `outputs` writes the files and `cli` is the command line.
Typed records (`records`) flow between the stages. Importing the package loads nothing heavy.
"""

__version__ = "0.1.0"
__all__ = ["Config", "Result", "UserError", "analyse", "write"]


def __getattr__(name: str):
    # Lazy, so that `python -m pipeline --help` and `import pipeline` stay fast.
    if name in ("analyse", "write"):
        from pipeline import api

        return getattr(api, name)
    if name == "Config":
        from pipeline.config import Config

        return Config
    if name == "Result":
        from pipeline.records import Result

        return Result
    if name == "UserError":
        from pipeline.errors import UserError

        return UserError
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
