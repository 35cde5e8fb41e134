# connect-gitops: two commands set everything up (make demo, make test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck imports pytest bench chaos schema lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The example deployments read their secured values from these variables; any value will do
# for the embedded emulator (it stores a hash and never shows it).
demo: export STRIPE_TEST_SECRET_KEY ?= demo-value-for-the-emulator
demo: export STRIPE_SECRET_KEY ?= demo-value-for-the-emulator
demo: export STRIPE_WEBHOOK_SECRET ?= demo-value-for-the-emulator
demo: install
	rm -rf examples/.connect-gitops
	$(BIN)/connect-gitops validate examples
	$(BIN)/connect-gitops plan examples
	$(BIN)/connect-gitops apply examples --timeout 60
	@echo "--- planning again: the embedded emulator now matches the declarations ---"
	$(BIN)/connect-gitops plan examples --detailed-exitcode

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

# Tests run in parallel (pytest-xdist); PYTEST_WORKERS=0 runs them in this process, one by one.
PYTEST_WORKERS ?= 4
PYTEST_ARGS ?=

pytest: install
	$(BIN)/pytest -q -m "not chaos_long" -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test: lint typecheck imports pytest

schema: install
	$(BIN)/connect-gitops schema > schema/connector.schema.json

# The action installs from this lock, never from the ranges in pyproject.toml. Run after changing
# the dependencies; `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release.
LOCK_FLAGS ?=
lock: install
	$(BIN)/uv pip compile --quiet pyproject.toml --universal --generate-hashes --python-version 3.11 \
		--no-config --custom-compile-command "make lock" \
		$(LOCK_FLAGS) --output-file action-requirements.txt

bench: install
	$(BIN)/python benchmarks/run_all.py

chaos: install
	$(BIN)/pytest -q -m chaos_long tests/chaos

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
