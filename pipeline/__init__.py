"""自由記述テーマ分析: themes, quotes and a Japanese report from free-text survey answers.

Stages, one module each: load → normalize → nonanswer → mask → tokenize → vectorize →
cluster → label → quotes → render → report; `run.analyse` assembles them and `cli` is the
command line. Typed records (`records`) flow between the stages.
"""

__version__ = "0.1.0"
