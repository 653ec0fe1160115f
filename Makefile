# Two commands for a fresh machine:  `make start` (open the course)  and  `make test` (pass every test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8866
HOME_PAGE := http://127.0.0.1:$(PORT)/voila/render/00-start-here.ipynb

.PHONY: start lab test test-fast lint bench clean help

help:
	@echo "make start   serve the course as Voila apps on $(HOME_PAGE)"
	@echo "make lab     open JupyterLab on the course home (students)"
	@echo "make test    set up everything (Chromium included) and run the whole suite"
	@echo "make test-fast  under a minute: all but the browser, nbgrader and slow tests"
	@echo "make bench   run the benchmarks and print the ratio table"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependency list or its Voila template changes (the install copies
# the template to .venv/share/jupyter, where Voila finds it).
# The pinned set Binder builds (binder/requirements.txt ends with `-e .`): CI tests what Binder runs.
TEMPLATE := $(wildcard share/jupyter/voila/templates/lbp/* share/jupyter/lab/settings/overrides.d/*)
$(VENV)/.installed: pyproject.toml binder/requirements.txt $(TEMPLATE) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r binder/requirements.txt
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The class test's JupyterHub needs configurable-http-proxy (Node.js, from npm), kept inside the venv.
$(VENV)/hub-proxy/.installed: | $(BIN)/python
	npm install --silent --no-audit --no-fund --prefix $(VENV)/hub-proxy configurable-http-proxy@5.3.0
	touch $@

start: $(VENV)/.installed
	@echo "Course home: $(HOME_PAGE)"
	$(BIN)/python -m widgets.serve lessons --no-browser --Voila.ip=127.0.0.1 --port=$(PORT)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $(if $(filter 0,$(shell id -u)),--allow-root) lessons/00-start-here.ipynb

# The browser tests' Chromium: CHROMIUM, or `chromium` on PATH, or Debian's package installed by
# tests/setup_chromium.py (as root or with passwordless sudo), which prints the path to use.
WITH_CHROMIUM = CHROMIUM="$$($(BIN)/python tests/setup_chromium.py)" && export CHROMIUM &&

test: lint $(VENV)/hub-proxy/.installed
	$(WITH_CHROMIUM) $(BIN)/python -m pytest

# Under a minute: no browser, no nbgrader, nothing marked slow (lessons run in kernels, a fresh Binder
# environment, server load). `make test` runs those too.
test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not grading and not slow"

# The checks the code claims: ruff (docstrings included) and mypy, strict on widgets/.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(WITH_CHROMIUM) $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
