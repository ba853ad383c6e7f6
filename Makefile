# Helpline: `make run` serves the demo, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` takes inbound email on this port (e.g. swaks --server 127.0.0.1:2525
# --to support@demo-bank.example) and polls configured IMAP mailboxes.
SMTP_LISTEN_PORT ?= 2525

.PHONY: run test install install-dev lint typecheck unit bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.stamp-install

install: $(VENV)/.stamp-install

install-dev: $(VENV)/.stamp-dev

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

test: lint typecheck unit

screenshots: install-dev
	HELPLINE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -m e2e -q

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
