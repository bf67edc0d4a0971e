# One command for each thing people do; the same commands run locally and in CI.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench install

$(BIN)/monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/monitor

install: $(BIN)/monitor

run: install  ## install, then run the service on SQLite with the bundled config/
	$(BIN)/monitor --log-level INFO run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint  ## install, lint, then run the whole test suite
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/bench_matcher.py
