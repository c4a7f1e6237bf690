# Komando — two commands: `make demo` and `make test`. Everything else here is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# pytest-xdist workers per suite (each has a test database of its own; a module stays on one worker).
TEST_WORKERS ?= 3

.PHONY: demo test setup setup-test assets translations services browser lint clean

## Start the whole system with every simulated source application (SQLite, in-process bus).
demo: setup $(VENV)/.stamp-install-demo
	$(BIN)/komando migrate --noinput -v0
	$(BIN)/komando load-reference-data
	$(BIN)/komando create-demo-users
	$(BIN)/komando demo --port $(PORT)

## Run the whole test suite, in parallel: SQLite (with the browser tests), then PostgreSQL.
test: setup-test services browser
	$(BIN)/ruff check komando bench
	$(BIN)/ruff format --check komando bench
	$(BIN)/deptry .
	$(BIN)/komando check --fail-level WARNING
	$(BIN)/komando makemigrations --check --dry-run -v1
	$(BIN)/komando spectacular --validate --fail-on-warn --file /dev/null
	$(BIN)/pytest -n $(TEST_WORKERS)
	DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/pytest -n $(TEST_WORKERS) -m "not browser"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.stamp-install: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

# The demo's embedded broker and device simulators (amqtt, paho-mqtt): `make demo` and `make test` only.
$(VENV)/.stamp-install-demo: pyproject.toml $(VENV)/.stamp-install
	$(BIN)/pip install --quiet -c constraints.txt -e '.[demo]'
	touch $@

$(VENV)/.stamp-install-test: pyproject.toml $(VENV)/.stamp-install
	$(BIN)/pip install --quiet -c constraints.txt -e '.[demo,test]'
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.stamp
	mkdir -p komando/static/vendor/leaflet/images komando/static/vendor/chartjs
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css komando/static/vendor/leaflet/
	cp node_modules/leaflet/dist/images/*.png komando/static/vendor/leaflet/images/
	cp node_modules/chart.js/dist/chart.umd.min.js komando/static/vendor/chartjs/

translations: $(VENV)/.stamp-install
	$(BIN)/komando compile-translations

setup: $(VENV)/.stamp-install assets translations

setup-test: setup $(VENV)/.stamp-install-test

## Start the services the tests need when they are down (PostgreSQL; Redis for the Redis bus test).
services:
	bash scripts/ensure-services.sh

## Debian's Chromium (browser tests) and poppler-utils (PDFs rendered to PNG), installed when missing.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@command -v pdftoppm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

lint: setup-test
	$(BIN)/ruff check komando bench
	$(BIN)/ruff format --check komando bench
	$(BIN)/ruff format --check komando

clean:
	rm -rf $(VENV) node_modules komando/static/vendor var
