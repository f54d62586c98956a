# Every target bootstraps its own tools: uv is installed with pip when missing, then
# `uv sync` builds .venv with every workspace package and the development tools.
SHELL := /bin/bash
PYTHON ?= python3
# uv runs as a module of the machine's Python, wherever pip put it.
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
VENV := .venv
STAMP := $(VENV)/.synced
# The oldest openai release we support, with the dependency versions of its time.
OPENAI_FLOOR_PINS := "openai==1.0.0" "httpx==0.25.1" "pydantic==2.4.2" "anyio<4.1"
COMPAT_VENV := .compat/openai-floor
# The end-to-end trace backend: Arize Phoenix, in its own environment (it is big).
PHOENIX_VERSION := 20.26.1
PHOENIX_VENV := .e2e/phoenix
PHOENIX_STAMP := $(PHOENIX_VENV)/.installed-$(PHOENIX_VERSION)

.PHONY: demo test test-main test-compat e2e lint bench clean

.PHONY: uv
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"

$(STAMP): pyproject.toml uv.lock $(wildcard */pyproject.toml) $(wildcard */*/pyproject.toml) \
          | uv
	$(UV) sync --frozen --all-packages
	touch $(STAMP)

demo: $(STAMP)
	$(UV) run --no-sync python examples/run_demo.py

test: test-main test-compat

test-main: $(STAMP)
	$(UV) run --no-sync pytest

test-compat: uv
	$(UV) venv --quiet --allow-existing --python 3.11 $(COMPAT_VENV)
	$(UV) pip install --quiet --python $(COMPAT_VENV)/bin/python $(OPENAI_FLOOR_PINS) \
	    pytest "pytest-asyncio>=0.24,<2" "opentelemetry-sdk>=1.43,<2" \
	    -e semconv -e instrumentation/opentelemetry-instrumentation-genai-core \
	    -e instrumentation/opentelemetry-instrumentation-openai -e tests/emulator
	$(COMPAT_VENV)/bin/python -m pytest tests/instrumentation -p no:cacheprovider

# The demo apps export OTLP to a real Phoenix server on loopback; their traces are read
# back through Phoenix's REST API (tests/viewing/test_phoenix_e2e.py).
e2e: $(STAMP) $(PHOENIX_STAMP)
	PHOENIX_BIN=$(CURDIR)/$(PHOENIX_VENV)/bin/phoenix \
	    $(UV) run --no-sync pytest tests/viewing/test_phoenix_e2e.py -p no:cacheprovider

$(PHOENIX_STAMP): | uv
	$(UV) venv --quiet --allow-existing --python 3.11 $(PHOENIX_VENV)
	$(UV) pip install --quiet --python $(PHOENIX_VENV)/bin/python "arize-phoenix==$(PHOENIX_VERSION)"
	touch $@

lint: $(STAMP)
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .

bench: $(STAMP)
	$(UV) run --no-sync python tests/bench/run.py
	$(UV) run --no-sync python tests/bench/bench_cost.py

clean:
	rm -rf $(VENV) .compat .e2e
