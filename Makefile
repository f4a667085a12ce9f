# One entry for each thing a person does; .ci/run uses the same ones.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: test test-browser install serve lint bench clean

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

## Lint and type-check.
lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

## Start the service in the embedded mode.
serve: install
	$(BIN)/openkyc serve

## Run the benchmarks and print their figures.
bench: install
	$(BIN)/python benchmarks/api.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
