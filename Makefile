# Two set-up commands on a fresh machine with Python 3.11 and pip: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit sandbox clean install-dev install-run bench soak sage-front-check \
	install-deploy cdk-cli lambda-package bootstrap synth synth-dashboard deploy-api deploy-dashboard \
	destroy-api destroy-dashboard

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

$(VENV)/.stamp-deploy: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[deploy]'
	touch $@

install-run: $(VENV)/.stamp-run
install-dev: $(VENV)/.stamp-dev
install-deploy: $(VENV)/.stamp-deploy

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

# Two workers (CI has two cores), a whole module per worker so module fixtures start once;
# the tests that measure time or load (marked serial) run after, alone on the machine.
TEST_WORKERS ?= 2
unit: install-dev cdk-cli
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

test: lint typecheck unit

# Performance against a local sandbox (50 ms per AWS call): six rows, one table, also in
# bench/results/latest.md. Not part of `test`; fails only when it cannot run, never on a goal.
bench: install-dev
	$(BIN)/sagemaker-lineage bench --out bench/results/latest.md

# 60 s of load: gunicorn (2 workers) on the sandbox (20 ms per AWS call), 64 wrk clients on
# loopback; prints requests, errors, p50/p99 and each worker's RSS (needs wrk: apt-get install wrk).
soak: install-dev
	$(BIN)/python -m tests.soak.soak --duration 60

# Manual proof: the sibling frontend BOB-DSPM/SAGE-FRONT, built unchanged, against this server
# on the sandbox, in headless Chromium; screenshots into docs/interop/ (needs npm, chromium).
sage-front-check: install-dev
	scripts/check_sage_front.sh

# AWS (README, "Deploy to AWS"): the CDK app in deploy/, run by the CDK CLI pinned in
# deploy/package-lock.json, with the venv's python. Context values: CDK_ARGS="-c key=value ...".
CDK_ARGS ?=
CDK := cd deploy && PATH="$(CURDIR)/$(BIN):$$PATH" JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 \
	node_modules/.bin/cdk

deploy/node_modules/.stamp: deploy/package-lock.json
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	touch $@

cdk-cli: deploy/node_modules/.stamp

# The Lambda function's code in build/lambda/package (pip, no Docker); prints its size.
lambda-package: install-deploy
	$(BIN)/python deploy/build_lambda.py

# Once per account and region: the CDK's bucket and roles (the region of CDK_ARGS' -c region).
bootstrap: install-deploy cdk-cli
	$(CDK) bootstrap $(CDK_ARGS)

synth: install-deploy cdk-cli
	$(CDK) synth --quiet LineageApiStack $(CDK_ARGS)

synth-dashboard: install-deploy cdk-cli
	$(CDK) synth --quiet LineageDashboardStack $(CDK_ARGS)

deploy-api: install-deploy cdk-cli
	$(CDK) deploy LineageApiStack $(CDK_ARGS)

deploy-dashboard: install-deploy cdk-cli
	$(CDK) deploy LineageDashboardStack $(CDK_ARGS)

destroy-api: install-deploy cdk-cli
	$(CDK) destroy LineageApiStack $(CDK_ARGS)

destroy-dashboard: install-deploy cdk-cli
	$(CDK) destroy LineageDashboardStack $(CDK_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info \
		deploy/node_modules deploy/cdk.out build/lambda
