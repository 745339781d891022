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

# Translators: refresh the catalogs after changing wording in templates or code, then
# fill the new French entries in proposal/locale/fr/LC_MESSAGES/*.po (see README).
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o proposal/locale/messages.pot \
		templates proposal/i18n.py proposal/outline.py proposal/render/pdf
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o proposal/locale/workbook.pot \
		proposal/render/excel.py
	for domain in messages workbook; do \
		$(BIN)/pybabel update -D $$domain -i proposal/locale/$$domain.pot -d proposal/locale \
			--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 100 || exit 1; \
	done

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf out .pytest_cache
