# One entry for each thing a person does; .ci/run uses the same ones.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

ESLINT := tools/eslint/node_modules/.bin/eslint

.PHONY: test test-browser install lock floors serve lint bench bench-nodes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

## Install exactly what requirements.lock pins (hash-checked), then openkyc itself.
install: $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .

## Pin every dependency anew after a change to pyproject.toml: requirements.lock (newest
## versions, with hashes) and requirements-floors.txt (each direct dependency at its floor).
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--generate-hashes -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 \
		--resolution lowest-direct -q -o requirements-floors.txt

## Install the declared lower bounds in .venv-floors and run the tests of the web layer, the
## database, files and webhooks on them: a floor that does not work fails here.
floors: install
	$(BIN)/uv venv -q --allow-existing -p $(PYTHON) .venv-floors
	VIRTUAL_ENV=.venv-floors $(BIN)/uv pip install -q -r requirements-floors.txt
	VIRTUAL_ENV=.venv-floors $(BIN)/uv pip install -q --no-deps -e .
	.venv-floors/bin/pytest -n 2 -q -p no:cacheprovider -m 'not browser' \
		tests/web tests/customers tests/files tests/auth tests/kyc/requests tests/webhooks

# axe-core, the accessibility check the browser tests inject into the back office's pages.
AXE := tools/axe/node_modules/axe-core/axe.min.js
$(AXE): tools/axe/package-lock.json
	npm ci --prefix tools/axe --no-audit --no-fund
	touch $@

## Install the test dependencies and run the whole test suite.
test: install $(AXE)
	$(BIN)/pytest -n 2 --dist loadfile

## Only the gatherer's walks in headless Chromium (screenshots in .artifacts/screenshots).
test-browser: install $(AXE)
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
	$(ESLINT) --config tools/eslint/eslint.config.mjs 'src/openkyc/gatherer/static/*.js' \
		'src/openkyc/backoffice/static/*.js'

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
	rm -rf $(VENV) .venv-floors .pytest_cache .mypy_cache .ruff_cache tools/eslint/node_modules .import_linter_cache
