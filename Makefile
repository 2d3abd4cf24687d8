# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Prerequisites: Python 3.11 and Node.js (for the Azurite storage emulator).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 7071
export PORT

.PHONY: install install-local chromium run test bench fuzz load lint format typecheck check clean

# `make run` installs only what serving needs (requirements-local.txt); everything else (tests,
# lint, the `fileshare` command) comes with `make install`, which `make test` runs. Each step
# says what it does, and pip shows what it fetches.
install: $(VENV)/.installed-dev node_modules/.installed local.settings.json
install-local: $(VENV)/.installed-local node_modules/.installed local.settings.json

$(PY):
	@echo "==> Creating the virtual environment in $(VENV)/ ($(PYTHON))"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-local: requirements.txt requirements-local.txt | $(PY)
	@echo "==> Installing what serving needs (requirements-local.txt)"
	$(PY) -m pip install -r requirements-local.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-local requirements-dev.txt pyproject.toml
	@echo "==> Installing the test and lint toolchain (requirements-dev.txt)"
	$(PY) -m pip install -r requirements-dev.txt
	@echo "==> Installing the project itself, editable: the \`fileshare\` command"
	$(PY) -m pip install -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> Installing the Azurite storage emulator (npm ci)"
	npm ci --no-audit --no-fund
	touch $@

local.settings.json:
	@echo "==> Creating $@ from local.settings.sample.json (development limits, a new JWT secret)"
	$(PYTHON) -m devhost.local_settings $@

# The browser tests drive Debian's Chromium, never a downloaded browser. Installed when missing
# and root (CI); otherwise a note, and those tests skip (unless CI=true: then they fail).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "note: /usr/bin/chromium is missing, browser tests will skip (sudo apt-get install chromium)"; \
	  fi; }

# pip and npm install side by side (a make of its own with jobs), then the app starts.
run:
	@$(MAKE) --no-print-directory -j3 install-local
	$(PY) -m devhost.launch

test:
	@$(MAKE) --no-print-directory -j3 install chromium
	$(PY) -m pytest

bench: install
	$(PY) -m bench

# The fuzz tests with a long budget (make test runs them with 5 examples per operation).
FUZZ_EXAMPLES ?= 150
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/fuzz -q

load: install
	$(PY) -m load

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) node_modules .azurite .mypy_cache .ruff_cache .pytest_cache test-output
