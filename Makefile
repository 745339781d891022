# `make` builds the shipped example; `make test` runs every test.
# Both create .venv on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: build check test lint bench catalogs clean

build: $(STAMP)
	$(BIN)/python build.py

check: $(STAMP)
	$(BIN)/python build.py check

# The bid's own data is checked first: a consortium that keeps its bid in partners/ and
# data/ has a green `make test` exactly while its data is valid. The tool's tests read
# their own sample projects (tests/roots/), never the live data.
test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python build.py check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/layout.py

# Translators: refresh the catalogs after changing wording in templates or code, then
# fill the new French entries in proposal/locale/fr/LC_MESSAGES/*.po (see README).
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o proposal/locale/messages.pot \
		templates proposal/i18n.py proposal/outline.py proposal/render/pdf proposal/serve \
		proposal/diff.py proposal/render/diff.py
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o proposal/locale/workbook.pot \
		proposal/render/workbook
	for domain in messages workbook; do \
		$(BIN)/pybabel update -D $$domain -i proposal/locale/$$domain.pot -d proposal/locale \
			--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date --width 100 || exit 1; \
	done

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# -qq: setuptools' note on editable installs is for packagers, not for bid teams
	$(BIN)/python -m pip install --quiet --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf out .pytest_cache
