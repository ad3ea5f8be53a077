# Thin wrapper: every target builds the virtual environment first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: venv demo test lint unit browser bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: venv
	$(BIN)/shailoo demo

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/shailoo
	$(BIN)/lint-imports
	$(BIN)/python tools/compile_messages.py --check
	$(BIN)/shailoo manage makemigrations --check --dry-run

# axe-core (npm) for the accessibility checks of the browser tests, pinned by its lock file.
AXE_CORE := tests/browser/a11y/node_modules/axe-core/axe.min.js

$(AXE_CORE): tests/browser/a11y/package.json tests/browser/a11y/package-lock.json
	npm ci --prefix tests/browser/a11y --no-audit --no-fund
	touch $@

test: lint $(AXE_CORE)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# bench/portal_load.py drives `shailoo serve` with wrk (Debian's package): installed if missing.
bench: venv
	@command -v wrk >/dev/null 2>&1 || { echo "== installing Debian packages: wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static tests/browser/a11y/node_modules
