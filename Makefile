# Two set-up commands on a fresh machine with Python 3.11 and pip: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit sandbox clean install-dev install-run bench soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# A stamp per install flavour, remade when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[sandbox]'
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install-run: $(VENV)/.stamp-run
install-dev: $(VENV)/.stamp-dev

# The dashboard and the API on the AWS sandbox at http://127.0.0.1:8050 (Ctrl-C stops both).
demo: install-run
	$(BIN)/sagemaker-lineage serve --sandbox --host 127.0.0.1 --port 8050

sandbox: install-run
	$(BIN)/sagemaker-lineage sandbox --port 5005

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev
	$(BIN)/pytest

test: lint typecheck unit

# Performance against a local sandbox (50 ms per AWS call): six rows, one table, also in
# bench/results/latest.md. Not part of `test`; fails only when it cannot run, never on a goal.
bench: install-dev
	$(BIN)/sagemaker-lineage bench --out bench/results/latest.md

# 60 s of load: gunicorn (2 workers) on the sandbox (20 ms per AWS call), 64 wrk clients on
# loopback; prints requests, errors, p50/p99 and each worker's RSS (needs wrk: apt-get install wrk).
soak: install-dev
	$(BIN)/python -m tests.soak.soak --duration 60

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
