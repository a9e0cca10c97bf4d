# Every target sets up what it needs: a fresh clone needs only `make synth` or `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The oldest aws-cdk-lib the library supports (pyproject.toml's lower bound), tested in its
# own environment beside the main one (which gets the newest release).
FLOOR_VENV := .venv-floor
CDK_FLOOR = $(shell $(PYTHON) -m tools.cdk_floor)

# The project's Node (22, from package.json) and venv come first, so jsii and the CDK CLI use them.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup browser layers synth test test-floor-env lint format bench cost docs diagrams sandbox ls diff clean

setup: $(VENV)/.stamp-installed node_modules/.stamp-installed layers

## Headless Chromium for the browser tests (Playwright drives it; its own browser download is
## never used) and Liberation Sans, metric-compatible with the Helvetica/Arial the diagrams are
## laid out for. Debian's packages; nothing to do when present. A fresh machine may have no
## package lists yet: `apt-get update` runs only when the install cannot find the packages.
BROWSER_PACKAGES := chromium fonts-liberation
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -qq -o=Dpkg::Use-Pty=0
browser:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-liberation >/dev/null 2>&1; then \
	  command -v apt-get >/dev/null || { echo "make setup: install $(BROWSER_PACKAGES) (Debian packages) by hand" >&2; exit 1; }; \
	  echo "Installing $(BROWSER_PACKAGES) for the browser tests"; \
	  $(APT_GET) install -y --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	    { $(APT_GET) update && $(APT_GET) install -y --no-install-recommends $(BROWSER_PACKAGES) >/dev/null; }; \
	fi

$(VENV)/.stamp-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.stamp-installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FLOOR_VENV)/.stamp-installed: pyproject.toml
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FLOOR_VENV)/bin/python -m pip install --quiet -e '.[dev]' 'aws-cdk-lib==$(CDK_FLOOR)'
	touch $@

## Lambda layers (build/layers) from prebuilt manylinux wheels, no Docker; skips built ones.
layers: $(VENV)/.stamp-installed
	$(PY) -m tools.build_layers

## Synthesize every stage with the CDK CLI, then print the summary table (exit 1 on any finding).
synth: setup
	rm -rf cdk.out
	status=0; cdk synth --quiet || status=$$?; \
	$(PY) -m tools.synth_summary cdk.out || status=$$?; \
	exit $$status

## Lint, type-check and run the whole test suite; then the construct tests again on the
## oldest aws-cdk-lib the library supports.
test: setup browser lint test-floor-env
	$(PY) -m pytest
	CDK_FLOOR_RUN=$(CDK_FLOOR) $(FLOOR_VENV)/bin/python -m pytest -p no:cacheprovider tests/patterns tests/test_cdk_versions.py

test-floor-env: $(FLOOR_VENV)/.stamp-installed

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## Time synthesis on this machine; writes BENCHMARKS.md.
bench: setup
	$(PY) -m tools.bench --output BENCHMARKS.md

## Cost per user action per stage, idle cost, capacity per entry point (handlers run against
## moto on 127.0.0.1); prints the tables, writes docs/cost/cost.md and docs/cost/<stage>.svg.
cost: setup
	$(PY) -m tools.cost

## Draw each stage's architecture from the cloud assembly into docs/diagrams (SVG + DOT).
diagrams: synth
	$(PY) -m tools.diagram cdk.out docs/diagrams

## Render the library's API reference (docstrings) into docs/reference.
docs: setup
	$(PY) -m tools.docs docs/reference

## Deploy the Dev stage with the real CDK CLI to moto on 127.0.0.1, smoke-test it, stop moto;
## `make sandbox SERVE=1` then serves the storefront and the live dashboard on it until Ctrl-C.
sandbox: setup
	$(PY) -m tools.sandbox $(if $(SERVE),--serve)

ls: setup
	cdk ls

## Compare with what is deployed (needs AWS credentials): make diff STACKS='Prod/*'
STACKS ?= **
diff: setup
	cdk diff '$(STACKS)'

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
