# One entry for each thing a person does; .ci/run uses the same ones.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

ESLINT := tools/eslint/node_modules/.bin/eslint

.PHONY: test test-browser install serve lint bench bench-nodes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

## Install the test dependencies and run the whole test suite.
test: install
	$(BIN)/pytest -n 2 --dist loadfile

## Only the gatherer's walks in headless Chromium (screenshots in .artifacts/screenshots).
test-browser: install
	$(BIN)/pytest -m browser

# The JavaScript linter, installed from its lock file (needs Node.js with npm).
$(ESLINT): tools/eslint/package-lock.json
	npm ci --prefix tools/eslint --no-audit --no-fund
	touch $@

## Lint and type-check: Python (ruff, mypy over src, tests and benchmarks), the layer rules
## of docs/architecture.md (import-linter) and the gatherer's JavaScript (eslint).
lint: install $(ESLINT)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(ESLINT) --config tools/eslint/eslint.config.mjs 'src/openkyc/gatherer/static/*.js'

## Start the service in the embedded mode.
serve: install
	$(BIN)/openkyc serve

## Run the benchmarks and print their figures.
bench: install
	$(BIN)/python benchmarks/api.py

## Throughput per node: 1 and 2 API nodes, 1 and 2 workers (PostgreSQL, SeaweedFS, Redis).
bench-nodes: install
	$(BIN)/python benchmarks/nodes.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tools/eslint/node_modules .import_linter_cache
