# `make` builds the shipped example; `make test` runs every test.
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build check test lint bench catalogs clean

build: $(STAMP)
	$(BIN)/python build.py

check: $(STAMP)
	$(BIN)/python build.py check

test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Translators: refresh the catalogs after changing template wording.
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o proposal/locale/messages.pot --omit-header templates proposal
	$(BIN)/pybabel update -i proposal/locale/messages.pot -d proposal/locale --omit-header --no-fuzzy-matching

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf out .pytest_cache
