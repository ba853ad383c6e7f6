# Helpline: `make run` serves the demo, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` takes inbound email on this port (e.g. swaks --server 127.0.0.1:2525
# --to support@demo-bank.example) and polls configured IMAP mailboxes.
SMTP_LISTEN_PORT ?= 2525

.PHONY: run test install install-dev native lint typecheck contracts unit integration e2e validate \
	unit-pure replay future faults fuzz explore coverage bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

# The package is installed editable WITHOUT compiling (HELPLINE_SKIP_NATIVE=1); the routing engine
# and the simulator's loop are then compiled in place by `setup.py build_ext --inplace`
# (Cython, setup.py, helpline/_native.py), incrementally: the C files and objects stay in build/,
# Cython regenerates only the modules whose .py/.pxd (or a cimported .pxd) changed, gcc recompiles
# only those. An edit, revert or branch switch costs seconds per changed module, not a full rebuild.
# Importing helpline.routing or helpline.sim refuses an extension older than its source.
NATIVE_PXD := $(wildcard helpline/routing/*.pxd helpline/sim/*.pxd)
NATIVE_SOURCES := setup.py helpline/_native.py $(NATIVE_PXD) $(NATIVE_PXD:.pxd=.py)
JOBS ?= 2

$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	HELPLINE_SKIP_NATIVE=1 $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	HELPLINE_SKIP_NATIVE=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.stamp-install

$(VENV)/.stamp-native: $(NATIVE_SOURCES) | $(VENV)/.stamp-install
	$(BIN)/python setup.py --quiet build_ext --inplace -j $(JOBS)
	touch $@

# Compile the changed modules now (make's own check, then build_ext's, decide which).
native: $(VENV)/.stamp-install
	$(BIN)/python setup.py --quiet build_ext --inplace -j $(JOBS)
	touch $(VENV)/.stamp-native

install: $(VENV)/.stamp-install $(VENV)/.stamp-native

install-dev: $(VENV)/.stamp-dev $(VENV)/.stamp-native

run: install
	$(BIN)/helpline db upgrade
	$(BIN)/helpline demo-data --if-empty
	HELPLINE_SMTP_LISTEN_PORT=$(SMTP_LISTEN_PORT) HELPLINE_EMAIL_IMAP_POLLING=true \
		$(BIN)/helpline serve --demo-traffic --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

contracts: install-dev
	$(BIN)/lint-imports

# The test suite, split; `make test` runs every part once. Compiled: unit (seconds, the pure core
# minus the slow statistical validations), integration, e2e (browser), validate (the slow ones).
unit: install-dev
	$(BIN)/python -m pytest -q -m "not slow" tests/unit

integration: install-dev
	$(BIN)/python -m pytest -q -m "not slow" tests/integration

e2e: install-dev
	$(BIN)/python -m pytest -q -m "not slow" tests/e2e

validate: install-dev
	$(BIN)/python -m pytest -q -m slow

# Pure Python (the compiled modules' .py files, as on a machine without a compiler): `coverage` runs
# tests/unit and tests/integration that way with a coverage report and a floor (measured:
# BENCHMARKS.md), on SQLite; `make test` runs the integration tests again, compiled, on SQLite and
# PostgreSQL, in `future` (one PostgreSQL pass keeps `make test` within its time budget).
# `unit-pure` adds the slow validations of the routing engine and the simulator.
COVERAGE_FLOOR ?= 92
coverage: install-dev
	HELPLINE_TEST_POSTGRES_URL= HELPLINE_PURE_PYTHON=1 $(BIN)/python -m pytest -q -m "not slow" tests/unit tests/integration \
		--cov=helpline --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

unit-pure: install-dev
	HELPLINE_PURE_PYTHON=1 $(BIN)/python -m pytest -q -m slow tests/unit/routing tests/unit/sim \
		--deselect "tests/unit/sim/test_sim_validation_erlang.py::test_probability_intervals_are_narrower_than_one_percent_point"

# The property tests replayed from Hypothesis' example database (profiles in tests/conftest.py),
# and the integration tests with the wall clock five years ahead.
replay: install-dev
	HYPOTHESIS_PROFILE=replay $(BIN)/python -m pytest -q -m hypothesis

future: install-dev
	HELPLINE_TEST_YEARS_AHEAD=5 $(BIN)/python -m pytest -q tests/integration

# The ACD under faults, on SQLite and PostgreSQL: the live service's guarantees as a hypothesis
# state machine (refusals, dropped engines, restarts), and the real server (`helpline serve`) killed
# with SIGKILL under load and restarted. Kept out of tests/integration, which `make test` runs twice
# (once under coverage, pure Python). -rA prints the kill test's counts.
faults: install-dev
	$(BIN)/python -m pytest -q -rA tests/faults

# Schemathesis over every operation of the OpenAPI schema, against a live server holding Demo Bank, as
# admin, agent and anonymous, on SQLite and on PostgreSQL (when HELPLINE_TEST_POSTGRES_URL is set):
# no 5xx, every response as its schema declares (tests/fuzz; figures in BENCHMARKS.md).
# Seeded: the same requests on every run. HELPLINE_FUZZ_EXAMPLES=100 explores further.
fuzz: install-dev
	$(BIN)/python -m pytest -q -rA tests/fuzz

# Not part of `make test`: fresh random examples, many of them; a failure is saved to
# tests/hypothesis-examples/ (commit it with the fix: `make replay` then keeps it as a regression).
explore: install-dev
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -q -m hypothesis

test: lint typecheck contracts unit coverage e2e validate unit-pure replay future faults fuzz

screenshots: install-dev
	HELPLINE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -m e2e -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build helpline/_native_build.json
	rm -f $(NATIVE_PXD:.pxd=.c) $(NATIVE_PXD:.pxd=.*.so) $(VENV)/.stamp-native
