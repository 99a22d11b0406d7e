# The set-up promise: on a fresh clone, `make themes` and `make test` create .venv,
# install the package with its dependencies, and run.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATA   ?= ../shared/data
OUT    ?= outputs
SEED   ?= 0

.PHONY: themes test eval bench report clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

themes: $(STAMP)
	$(BIN)/python -m pipeline themes corpus/survey.csv --config corpus/survey.toml --seed $(SEED) --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
