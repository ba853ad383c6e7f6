# Helpline: `make run` serves the demo, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` takes inbound email on this port (e.g. swaks --server 127.0.0.1:2525
# --to support@demo-bank.example) and polls configured IMAP mailboxes.
SMTP_LISTEN_PORT ?= 2525

.PHONY: run test install install-dev lint typecheck unit unit-pure bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `pip install -e .` also compiles the routing engine and the simulator's loop in place (Cython,
# setup.py, helpline/_native.py). They are rebuilt whenever a source they come from changes: Python
# would otherwise import the stale extension rather than the edited .py (importing helpline refuses to).
NATIVE_PXD := $(wildcard helpline/routing/*.pxd helpline/sim/*.pxd)
NATIVE_SOURCES := setup.py helpline/_native.py $(NATIVE_PXD) $(NATIVE_PXD:.pxd=.py)

$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@ $(VENV)/.stamp-native

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.stamp-install $(VENV)/.stamp-native

$(VENV)/.stamp-native: $(NATIVE_SOURCES) | $(VENV)/.stamp-install
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

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
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

unit: install-dev
	$(BIN)/python -m pytest

# The compiled modules' pure-Python fallback (their .py files, as on a machine without a compiler).
unit-pure: install-dev
	HELPLINE_PURE_PYTHON=1 $(BIN)/python -m pytest -q tests/unit/routing tests/unit/sim tests/unit/test_native.py \
		--deselect "tests/unit/sim/test_sim_validation_erlang.py::test_probability_intervals_are_narrower_than_one_percent_point"

test: lint typecheck unit unit-pure

screenshots: install-dev
	HELPLINE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -m e2e -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build helpline/_native_build.json
	rm -f $(NATIVE_PXD:.pxd=.c) $(NATIVE_PXD:.pxd=.*.so)
