# `make run` builds the bundled cases and the example (examples/) into out/; `make test` runs lint (ruff, mypy --strict), then the whole test suite.
# Both set everything up first on a machine that has only Python 3.11+ and pip.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-deep setup test-setup system-deps test-deps lint clean

# One build of both folders, so that its last line sums up every case built and names the index to open.
run: setup
	$(BIN)/archcase build cases examples

test: test-setup lint
	$(BIN)/python -m pytest

# Many more generated cases than `make test` runs (random each time; CI does not run it).
test-deep: test-setup
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest tests/render/cloudformation/test_generated.py -q

setup: $(STAMP) system-deps

test-setup: setup test-deps $(VENV)/checkov/bin/checkov

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@sh tools/ensure-system-deps.sh dot:graphviz

test-deps:
	@sh tools/ensure-system-deps.sh chromium:chromium
	@sh tools/fetch-mermaid.sh $(VENV)/share/mermaid/mermaid.min.js

# checkov pins versions of networkx and packaging that archcase's own dependencies outgrow, so it lives in
# its own virtual env; the tests run it as a program on the emitted templates.
$(VENV)/checkov/bin/checkov: | $(STAMP)
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/python -m pip install --quiet 'checkov>=3.2,<4'

lint: setup
	$(BIN)/ruff check src models checks render deploy handlers importer tests tools
	$(BIN)/mypy
	$(BIN)/mypy handlers

clean:
	rm -rf $(VENV) out/*/ .pytest_cache
