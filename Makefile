# aicrm: every target reads like the README. `make run` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: run test lint smoke migrate seed bundle schema bench bench-llm venv dev clean

# The virtualenv is (re)built whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEVSTAMP)

venv: $(STAMP)
dev: $(DEVSTAMP)

## run: set up and start aicrm on the embedded PostgreSQL (Ctrl-C stops it)
run: $(STAMP)
	$(BIN)/aicrm up

## test: set up and run every check: sqlfluff, ruff, mypy, the runtime-only smoke run, pytest
test: $(DEVSTAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory smoke
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

## smoke: `pip install .` alone (no dev extras) in a fresh virtualenv runs one task to a decision
smoke:
	PYTHON=$(PYTHON) .ci/runtime-smoke

lint: $(DEVSTAMP)
	$(BIN)/sqlfluff lint sql
	$(BIN)/ruff check runner tests benchmarks
	$(BIN)/ruff format --check runner tests benchmarks
	$(BIN)/mypy

## migrate / seed: against DATABASE_URL, or the embedded server (started if needed)
migrate: $(STAMP)
	$(BIN)/aicrm migrate

seed: $(STAMP)
	$(BIN)/aicrm seed

## bundle: one SQL file with everything, for psql or the Supabase SQL editor
bundle: $(STAMP)
	$(BIN)/aicrm bundle --output dist/aicrm.sql

## schema: regenerate sql/schema.sql, the schema dump of a freshly migrated database (commit it with the change)
schema: $(STAMP)
	$(BIN)/python -m tests.migrations.schema_dump

bench: $(DEVSTAMP)
	@fail=0; for b in benchmarks/*.py; do case $$b in */harness.py|*/pipeline_replay.py|*/llm_real.py) continue;; esac; \
	echo "== $$b"; $(BIN)/python $$b || fail=1; done; exit $$fail

## bench-llm: a real model in the loop: ten demo tasks written by a 1.5B model on one CPU thread through
## `aicrm worker` (benchmarks/llm_real.py); installs its server and model into .bench/ (not part of bench)
bench-llm: $(DEVSTAMP)
	$(BIN)/python benchmarks/llm_real.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache
