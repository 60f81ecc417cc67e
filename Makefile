# The two commands of the README: `make demo` and `make test`; `make docs` builds
# the guides in docs/ with warnings as errors.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := cd example_site && ../$(PY) manage.py

.PHONY: demo test lint format docs clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files re-run the install whenever pyproject.toml changes. The example
# intranet also installs the optional sub-apps (LTI tool, SCIM), hence the extras.
$(VENV)/.demo-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[lti,scim]"
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[test]"
	@touch $@ $(VENV)/.demo-installed

$(VENV)/.docs-installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[docs]"
	@touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

test: lint
	$(PY) -m pytest

# A broken cross-reference, a missing image or a page outside the table of
# contents is an error; nothing is fetched from the network.
docs: $(VENV)/.docs-installed
	$(VENV)/bin/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) docs/_build example_site/db.sqlite3 wm-test.sqlite3 .pytest_cache .ruff_cache
