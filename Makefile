# Two set-up commands on a fresh machine with Python 3.11 and pip: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit sandbox clean install-dev install-run

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

demo: install-run
	$(BIN)/sagemaker-lineage dump --sandbox --region ap-northeast-2 \
		--pipeline-name mlops-pipeline --include-latest-exec

sandbox: install-run
	$(BIN)/sagemaker-lineage sandbox --port 5005

lint: install-dev
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
