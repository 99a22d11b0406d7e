# The set-up promise: on a fresh clone, `make themes` and `make test` create .venv,
# install the package with its dependencies, and run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= ../shared/data
OUT    ?= outputs
SEED   ?= 0

.PHONY: themes test lint eval bench report clean venv

venv: $(STAMP)

# ja-ginza is installed without its dependencies (spaCy, SudachiPy: ~300 MB we do not use):
# only its chiVe word-vector files are read, converted once by `python -m pipeline.wordvectors`.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps 'ja-ginza==5.3.0'
	$(BIN)/python -m pipeline.wordvectors
	touch $(STAMP)

# The package's bytecode, compiled here once: the install is editable, and where the environment
# sets PYTHONDONTWRITEBYTECODE (as CI images and this machine do) Python would compile every
# module of the package again at every run, 0.2 s of each start. Python ignores a stale file.
PYC := pipeline/__pycache__/.compiled
$(PYC): $(STAMP) $(wildcard pipeline/*.py)
	$(BIN)/python -m compileall -q pipeline
	touch $@

themes: $(PYC)
	$(BIN)/python -m pipeline themes corpus/survey.csv --config corpus/survey.toml --seed $(SEED) --out $(OUT)

# Speed and memory on 89,683 real answers and on about a million (the same repeated 11 times).
bench: $(PYC)
	$(BIN)/python tools/bench.py --data $(DATA)

# After staff mark 採用 / ラベル修正 in outputs/quotes.xlsx: rebuild the report, no re-clustering.
report: $(PYC)
	$(BIN)/python -m pipeline report --review $(OUT)/quotes.xlsx --out $(OUT)

test: $(PYC)
	$(BIN)/python -m pytest

# Lint and type check (also run by .ci/run).
lint: $(STAMP)
	$(BIN)/ruff check pipeline tests tools
	$(BIN)/mypy pipeline

# Theme quality on labelled data: the bundled survey against our coding, MewsC-16-ja, livedoor.
eval: $(PYC)
	$(BIN)/python tools/evaluate.py --data $(DATA)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache pipeline/__pycache__
