# The README's two commands: `make run` (set up and serve with demo data) and `make test`.
SHELL := /bin/bash
PY_VERSION := $(shell cat .python-version)
VENV := .venv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Python $(PY_VERSION) from pyenv (what .python-version selects), from PATH, or from uv.
define find_python
for candidate in \
    "$$(command -v pyenv >/dev/null 2>&1 && PYENV_VERSION=$(PY_VERSION) pyenv which python 2>/dev/null)" \
    $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(PY_VERSION)*/bin/python 2>/dev/null | sort -V -r) \
    "$$(command -v python$(PY_VERSION))" \
    "$$(command -v uv >/dev/null 2>&1 && uv python find $(PY_VERSION) 2>/dev/null)" \
    "$$(command -v python3)"; do \
  if [ -n "$$candidate" ] && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    echo "$$candidate"; exit 0; fi; \
done; \
echo "Agora needs Python $(PY_VERSION) or newer. Install it (pyenv install $(PY_VERSION), or uv python install $(PY_VERSION)) and run make again." >&2; exit 1
endef

.PHONY: run test lint format install install-dev browser-deps migrate clean bench bench-smoke

$(PYTHON):
	@py="$$($(find_python))" && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV)
	@$(PYTHON) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PYTHON) manage.py migrate --no-input

# Serves the site at http://$(HOST):$(PORT) with daphne (HTTP and WebSocket) and runs the
# periodic jobs with a celery beat process beside it; Ctrl-C stops both. DEBUG is on for
# the developer at 127.0.0.1 only: bound to any other address (HOST=0.0.0.0) it stays off
# unless DEBUG is set by hand.
run: export DEBUG ?= $(if $(filter 127.0.0.1 localhost ::1,$(HOST)),1,0)
run: migrate
	$(PYTHON) manage.py seed_demo
	@$(VENV)/bin/celery -A config beat --loglevel=WARNING & \
	beat=$$!; trap 'kill $$beat 2>/dev/null' EXIT INT TERM; \
	echo "Agora is at http://$(HOST):$(PORT)/ (DEBUG=$(DEBUG))"; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) config.asgi:application

# Debian's Chromium for the browser tests (never a browser downloaded by Playwright).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped."; \
	  else echo "chromium is not installed: browser tests will be skipped (apt-get install chromium)."; fi; \
	fi

# The suite runs on every core (pytest-xdist; TEST_WORKERS=1 for one process).
TEST_WORKERS ?= auto
test: install-dev browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles var

# The benchmark (bench/README.md): PostgreSQL and Redis on 127.0.0.1 and wrk (apt-get install
# wrk). Loads the scale into its own database agora_bench_$(SCALE) on first use, then runs the
# reads under each server setup, the writes and the live updates, and writes
# bench/results/<date>-$(SCALE).md and .json. Never part of `make test`.
SCALE ?= small
DURATION ?= 10
WARMUP ?= 2
bench: install-dev
	$(PYTHON) -m bench.run --scale $(SCALE) --duration $(DURATION) --warmup $(WARMUP)

# CI's smoke run of the same harness: the small scale, one short pass of every scenario on the
# recommended setup and the one before it, a few CPU rounds, 50 live clients; the report goes
# to var/bench-smoke (not committed).
bench-smoke: install-dev
	$(PYTHON) -m bench.run --scale small --duration 1 --warmup 0 \
	  --setups granian-2-pool,uvicorn-2-pool --cpu-rounds 10 \
	  --live-clients 50 --live-events 3 --output var/bench-smoke
