# Two commands: `make demo` and `make test`. Both create .venv with Python 3.11+.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: demo test lint bench clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "pool-ledger needs Python 3.11 or newer on the PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/pool-ledger demo

test: $(VENV)/.installed-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2

bench: $(VENV)/.installed-test
	$(BIN)/python bench/import_return.py

clean:
	rm -rf $(VENV) build *.egg-info

.PHONY: bench-journal
bench-journal: $(VENV)/.installed-test
	$(BIN)/python bench/journal_open.py
